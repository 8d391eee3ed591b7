import type { Result } from "../../core/result";
import { TokenBuckets, type RateLimit } from "../../inventory/remotes/TokenBuckets";
import { requestIdOf } from "../../inventory/remotes/validateRequest";
import type { HookSignal } from "../../inventory/protocol/signal";
import type { Trade } from "../machine/types";
import type { TradeRejectReason } from "../reasons";
import type { TradeServiceImpl } from "../service/TradeServiceImpl";
import type { OfferClaim } from "../service/types";
import type { TradeIntentName, TradeUpdate } from "./types";
import { intentChecks, validateTradeRequest } from "./validateTradeRequest";

/**
 * The one path every trade request takes: the per-player rate limit, the request's shape, the
 * session, and only then the service (which checks the trade's rules and the offer's claims
 * against the player's own inventory). Every request gets one answer; an error anywhere is
 * contained, reported through `callbackFailed` and answered with `internal_error`. Internal:
 * `bindTradeRemotes` creates it.
 */
export class TradeMiddleware {
	private readonly buckets: TokenBuckets;
	private readonly checks: ReturnType<typeof intentChecks>;

	public constructor(
		private readonly service: TradeServiceImpl,
		private readonly send: (player: Player, update: TradeUpdate) => void,
		private readonly rejected: HookSignal<
			[player: Player, intent: TradeIntentName | undefined, reason: TradeRejectReason]
		>,
		rateLimit: RateLimit,
	) {
		this.buckets = new TokenBuckets(rateLimit, service.platform.clock);
		this.checks = intentChecks(service.limits.maxStacks, service.limits.maxCurrencies);
	}

	public handle(player: Player, args: ReadonlyArray<unknown>): void {
		const [handled, thrown] = pcall(() => this.process(player, args));
		if (handled) return;
		this.service.reportFailure("trade request handler", thrown);
		pcall(() => this.reject(player, undefined, requestIdOf(args), "internal_error"));
	}

	public forget(player: Player): void {
		this.buckets.forget(player.UserId);
	}

	private process(player: Player, args: ReadonlyArray<unknown>): void {
		const request = requestIdOf(args);
		if (!this.buckets.take(player.UserId)) return this.reject(player, undefined, request, "rate_limited");
		const intent = validateTradeRequest(this.checks, args);
		if (intent === undefined) return this.reject(player, undefined, request, "bad_request");
		if (!this.service.canTrade(player.UserId)) return this.reject(player, intent, request, "no_session");
		const result = this.dispatch(player, intent, args);
		if (result.ok) this.send(player, { k: "a", req: request });
		else this.reject(player, intent, request, result.error);
	}

	private dispatch(
		player: Player,
		intent: TradeIntentName,
		args: ReadonlyArray<unknown>,
	): Result<Trade, TradeRejectReason> {
		const service = this.service;
		switch (intent) {
			case "invite": {
				const target = service.platform.players.GetPlayerByUserId(args[2] as number);
				if (target === undefined) return { ok: false, error: "target_unavailable" };
				return service.invite(player, target);
			}
			case "accept":
				return service.accept(player, args[2] as string);
			case "decline":
				return service.decline(player, args[2] as string);
			case "cancel":
				return service.cancel(player, args[2] as string);
			case "offer": {
				const items = (args[3] as Array<[number, string, number]>).map(([slot, id, count]): OfferClaim => ({
					slot,
					id,
					count,
				}));
				const currency: Record<string, number> = {};
				for (const [name, amount] of args[4] as Array<[string, number]>) {
					if (currency[name] !== undefined) return { ok: false, error: "bad_request" };
					currency[name] = amount;
				}
				return service.offer(player, args[2] as string, items, currency);
			}
			case "confirm":
				return service.confirm(player, args[2] as string, args[3] as number);
		}
	}

	private reject(
		player: Player,
		intent: TradeIntentName | undefined,
		request: number,
		reason: TradeRejectReason,
	): void {
		this.send(player, { k: "r", req: request, reason });
		if (this.rejected.listening) this.rejected.Fire(player, intent, reason);
	}
}
