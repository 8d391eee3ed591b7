import type { IntentName } from "../protocol/intents";
import type { RequestRejectReason } from "../protocol/reasons";
import type { HookSignal } from "../protocol/signal";
import type { Replicator } from "../replication/Replicator";
import type { PlayerEntry } from "../service/entry";
import type { InventoryServiceImpl } from "../service/InventoryServiceImpl";
import { checkClaims } from "./checkClaims";
import { dispatch } from "./dispatch";
import { TokenBuckets, type RateLimit } from "./TokenBuckets";
import { requestIdOf, validateRequest } from "./validateRequest";

/** Decides whether a validated request may go ahead (game rules: distance to a drop, a cooldown). */
export type AuthorizeRequest = (player: Player, intent: IntentName, args: ReadonlyArray<unknown>) => boolean;

export interface MiddlewareOptions {
	readonly rateLimit: RateLimit;
	readonly resyncLimit: RateLimit;
	readonly authorize?: AuthorizeRequest;
	readonly clock: () => number;
}

/**
 * The one path every client request takes, in this order: the per-player rate limit, the
 * request's shape (arity, types, ranges), the session, the client's claims about its own
 * inventory, the game's authorize hook, and only then the handler (a service operation). Each
 * refusal sends a reason code back to the client and changes nothing; an error anywhere is
 * contained, reported through the service's `callbackFailed`, and answered with
 * `internal_error`. Internal: `bindInventoryRemotes` creates it.
 */
export class RequestMiddleware {
	private readonly buckets: TokenBuckets;
	private readonly resyncBuckets: TokenBuckets;

	public constructor(
		private readonly service: InventoryServiceImpl,
		private readonly replicator: Replicator,
		private readonly rejected: HookSignal<
			[player: Player, intent: IntentName | undefined, reason: RequestRejectReason]
		>,
		private readonly options: MiddlewareOptions,
	) {
		this.buckets = new TokenBuckets(options.rateLimit, options.clock);
		this.resyncBuckets = new TokenBuckets(options.resyncLimit, options.clock);
	}

	/** Handles one request from `player` (`viaSync`: sent on the server-to-client remote). */
	public handle(player: Player, args: ReadonlyArray<unknown>, viaSync: boolean): void {
		const [handled, thrown] = pcall(() => this.process(player, args, viaSync));
		if (handled) return;
		this.service.reportFailure("request handler", thrown);
		pcall(() => this.reject(player, undefined, requestIdOf(args), undefined, "internal_error"));
	}

	public forget(player: Player): void {
		this.buckets.forget(player.UserId);
		this.resyncBuckets.forget(player.UserId);
	}

	private process(player: Player, args: ReadonlyArray<unknown>, viaSync: boolean): void {
		const userId = player.UserId;
		const request = requestIdOf(args);
		if (!this.buckets.take(userId)) return this.reject(player, undefined, request, undefined, "rate_limited");
		if (viaSync) return this.reject(player, undefined, request, undefined, "bad_request");
		const intent = validateRequest(args);
		if (intent === undefined) return this.reject(player, undefined, request, undefined, "bad_request");
		const entry = this.service.entryOf(player);
		if (entry === undefined) return this.reject(player, undefined, request, intent, "no_session");
		entry.lastRequest = request;
		if (intent === "resync") {
			if (!this.resyncBuckets.take(userId)) return this.reject(player, entry, request, intent, "rate_limited");
			this.replicator.snapshot(entry, request);
			return;
		}
		const claimed = checkClaims(entry.state, this.service.drops, intent, args);
		if (claimed !== undefined) return this.reject(player, entry, request, intent, claimed);
		const authorize = this.options.authorize;
		if (authorize !== undefined) {
			const intentArgs = new Array<defined>();
			for (let index = 2; index < args.size(); index++) intentArgs.push(args[index] as defined);
			const [ran, allowed] = pcall(authorize, player, intent, intentArgs);
			if (!ran) {
				this.service.reportFailure("authorize", allowed);
				return this.reject(player, entry, request, intent, "internal_error");
			}
			if (allowed !== true) return this.reject(player, entry, request, intent, "denied");
			// The hook may have yielded: the session it was asked about must still be this one.
			if (this.service.entryOf(player) !== entry)
				return this.reject(player, entry, request, intent, "no_session");
		}
		const result = dispatch(this.service, entry, intent, args, request);
		if (!result.ok) this.reject(player, entry, request, intent, result.error);
	}

	private reject(
		player: Player,
		entry: PlayerEntry | undefined,
		request: number,
		intent: IntentName | undefined,
		reason: RequestRejectReason,
	): void {
		this.replicator.reject(player, entry ?? this.service.entries.get(player.UserId), request, reason);
		if (this.rejected.hasListeners()) this.rejected.Fire(player, intent, reason);
	}
}
