import { deepCopy } from "../../core/deepCopy";
import { err, ok, type Result } from "../../core/result";
import { isCount } from "../../inventory/integers";
import { claimStack } from "../../inventory/operations/stacks";
import type { HookSignal } from "../../inventory/protocol/signal";
import { checkTake } from "../../inventory/service/transferStacks";
import { liveInventory } from "../../inventory/service/transfers";
import {
	acceptTrade,
	confirmTrade,
	createTrade,
	endTrade,
	finishTrade,
	isExpired,
	isFinished,
	otherSide,
	resetConfirmations,
	setOffer,
	sideOf,
	type TradeResult,
} from "../machine/transitions";
import type { Offer, OfferItem, Trade, TradeSide } from "../machine/types";
import type { TradeEndReason, TradeRejectReason } from "../reasons";
import type { TradeServiceImpl } from "./TradeServiceImpl";
import type { GiveSpec, OfferClaim, TransferOutcome } from "./types";

/** Seconds a finished trade stays readable through getTrade. */
const KEEP_FINISHED = 60;
/**
 * Seconds a trade whose commit ended `pending` waits here for its outcome before it is let go
 * (its players may trade again; `settled` still tells them, here or on their next server).
 */
const KEEP_PENDING = 600;

const specOf = (offer: Offer): GiveSpec => ({
	items: offer.items.map((item) => ({ id: item.id, count: item.count })),
	currency: offer.currency,
});

/**
 * The same-server trades being negotiated: the state machine (machine/transitions.ts) applied
 * to live players, with offers checked against their inventories. Internal to the trade service.
 */
export class Negotiations {
	private readonly trades = new Map<string, Trade>();
	private readonly byPlayer = new Map<number, string>();
	private readonly finishedAt = new Map<string, number>();
	/** Committing trades whose commit ended `pending`: since when they wait for `settled`. */
	private readonly pending = new Map<string, number>();
	/** Outcomes `settled` told of committing trades before their commit returned. */
	private readonly heard = new Map<string, "completed" | "failed">();

	public constructor(
		private readonly service: TradeServiceImpl,
		private readonly changed: HookSignal<[trade: Trade]>,
	) {
		// A pending commit is not a failure: the trade ends when its outcome is known.
		service.settled.Connect((_userId, id, outcome) => this.settledElsewhere(id, outcome));
	}

	private now(): number {
		return os.time();
	}

	private publish(trade: Trade): void {
		if (isFinished(trade)) {
			for (const side of [trade.a, trade.b]) {
				if (this.byPlayer.get(side.userId) === trade.id) this.byPlayer.delete(side.userId);
			}
			this.finishedAt.set(trade.id, this.now());
		}
		if (this.changed.listening) this.changed.Fire(deepCopy(trade));
	}

	private settle(result: TradeResult): Result<Trade, TradeRejectReason> {
		if (!result.ok) return result;
		this.publish(result.value);
		return ok(deepCopy(result.value));
	}

	private live(tradeId: unknown, userId: number): Result<Trade, TradeRejectReason> {
		const trade = typeIs(tradeId, "string") ? this.trades.get(tradeId) : undefined;
		if (trade === undefined || sideOf(trade, userId) === undefined) return err("not_found");
		return ok(trade);
	}

	public get(tradeId: string): Trade | undefined {
		const trade = this.trades.get(tradeId);
		return trade === undefined ? undefined : deepCopy(trade);
	}

	public of(userId: number): Trade | undefined {
		const id = this.byPlayer.get(userId);
		return id === undefined ? undefined : this.get(id);
	}

	public invite(from: Player, to: Player): Result<Trade, TradeRejectReason> {
		if (from.UserId === to.UserId) return err("self_trade");
		if (!this.service.canTrade(from.UserId)) return err("no_session");
		if (!this.service.canTrade(to.UserId)) return err("target_unavailable");
		if (this.byPlayer.has(from.UserId) || this.byPlayer.has(to.UserId)) return err("busy");
		const created = createTrade(this.service.mintId(), from.UserId, to.UserId, this.now());
		if (!created.ok) return created;
		const trade = created.value;
		this.trades.set(trade.id, trade);
		this.byPlayer.set(from.UserId, trade.id);
		this.byPlayer.set(to.UserId, trade.id);
		return this.settle(created);
	}

	public accept(player: Player, tradeId: string): Result<Trade, TradeRejectReason> {
		const found = this.live(tradeId, player.UserId);
		if (!found.ok) return found;
		return this.settle(acceptTrade(found.value, player.UserId, this.now()));
	}

	public decline(player: Player, tradeId: string): Result<Trade, TradeRejectReason> {
		const found = this.live(tradeId, player.UserId);
		if (!found.ok) return found;
		return this.settle(endTrade(found.value, "declined", this.now(), player.UserId));
	}

	public cancel(player: Player, tradeId: string): Result<Trade, TradeRejectReason> {
		const found = this.live(tradeId, player.UserId);
		if (!found.ok) return found;
		return this.settle(endTrade(found.value, "cancelled", this.now(), player.UserId));
	}

	/**
	 * Checks an offer against the player's inventory: each item named by the slot that holds it
	 * and its id (a stale or spoofed claim is `item_mismatch`), a count it has, tradeable, no item
	 * twice; each currency known and covered.
	 */
	private readOffer(
		userId: number,
		items: ReadonlyArray<OfferClaim>,
		currency: Readonly<Record<string, number>>,
	): Result<Offer, TradeRejectReason> {
		const limits = this.service.limits;
		if (items.size() > limits.maxStacks) return err("too_many_items");
		let currencies = 0;
		for (const [_name] of pairs(currency)) currencies += 1;
		if (currencies > limits.maxCurrencies) return err("too_many_items");
		const state = liveInventory(this.service.inventory, userId);
		if (state === undefined) return err("no_session");
		const offered = new Array<OfferItem>();
		for (const claim of items) {
			const stack = claimStack(state, claim.slot, claim.id);
			if (typeIs(stack, "string")) return err(stack);
			if (!isCount(claim.count)) return err("invalid_count");
			offered.push({ id: stack.id, def: stack.def, count: claim.count });
		}
		const refused = checkTake(
			this.service.inventory.catalog,
			state,
			offered.map((item) => ({ id: item.id, count: item.count })),
			currency,
		);
		if (refused !== undefined) return err(refused);
		const copy: Record<string, number> = {};
		for (const [name, amount] of pairs(currency)) copy[name] = amount;
		return ok({ items: offered, currency: copy });
	}

	public offer(
		player: Player,
		tradeId: string,
		items: ReadonlyArray<OfferClaim>,
		currency: Readonly<Record<string, number>>,
	): Result<Trade, TradeRejectReason> {
		const found = this.live(tradeId, player.UserId);
		if (!found.ok) return found;
		const trade = found.value;
		if (trade.phase === "committing") return err("trade_in_progress");
		if (trade.phase !== "open") return err("wrong_phase");
		const offer = this.readOffer(player.UserId, items, currency);
		if (!offer.ok) return offer;
		return this.settle(setOffer(trade, player.UserId, offer.value, this.now()));
	}

	public confirm(player: Player, tradeId: string, revision: number): Result<Trade, TradeRejectReason> {
		const found = this.live(tradeId, player.UserId);
		if (!found.ok) return found;
		const trade = found.value;
		const side = sideOf(trade, player.UserId);
		if (trade.phase === "open" && side !== undefined && revision === trade.revision) {
			// What this player gives must still be theirs, and what comes in must fit.
			const other = otherSide(trade, player.UserId);
			const refused = this.service.checkSide(player.UserId, specOf(side.offer), other.offer.items.size());
			if (refused !== undefined) return err(refused);
		}
		const confirmed = confirmTrade(trade, player.UserId, revision, this.now());
		if (!confirmed.ok) return confirmed;
		const result = this.settle(confirmed);
		if (trade.phase === "committing") this.commit(trade);
		return result;
	}

	private commit(trade: Trade): void {
		task.spawn(() => {
			const [, value] = this.service
				.execute({
					id: trade.id,
					a: { player: trade.a.userId, ...specOf(trade.a.offer) },
					b: { player: trade.b.userId, ...specOf(trade.b.offer) },
				})
				.await();
			const result = value as TransferOutcome;
			const heard = this.heard.get(trade.id);
			this.heard.delete(trade.id);
			if (result.status === "pending" && heard === undefined) {
				// Its outcome is not known yet (a session ended mid-way, or the save API's answer
				// was lost): it stays committing until `settled` tells it.
				this.pending.set(trade.id, this.now());
				for (const side of [trade.a, trade.b]) if (!this.service.canTrade(side.userId)) this.leave(side.userId);
				return;
			}
			const completed = result.status === "completed" || (result.status === "pending" && heard === "completed");
			this.finish(trade, completed, completed ? undefined : (result.reason ?? "save_failed"));
		});
	}

	private finish(trade: Trade, completed: boolean, reason?: TradeRejectReason): void {
		this.pending.delete(trade.id);
		const finished = finishTrade(trade, completed, this.now(), reason);
		if (finished.ok) this.publish(trade);
	}

	/** `settled` told how a trade ended: a committing one waiting for that ends now. */
	private settledElsewhere(id: string, outcome: "completed" | "failed"): void {
		const trade = this.trades.get(id);
		if (trade === undefined || trade.phase !== "committing") return;
		if (this.pending.has(id)) this.finish(trade, outcome === "completed");
		else this.heard.set(id, outcome);
	}

	/**
	 * A player of a pending trade is no longer here: the trade no longer stands in their way, and
	 * once neither player is here it is let go (`settled` tells them on their next server).
	 */
	private leave(userId: number): void {
		const id = this.byPlayer.get(userId);
		const trade = id === undefined ? undefined : this.trades.get(id);
		if (trade === undefined || !this.pending.has(trade.id)) return;
		this.byPlayer.delete(userId);
		if (this.byPlayer.get(otherSide(trade, userId).userId) === trade.id) return;
		this.trades.delete(trade.id);
		this.pending.delete(trade.id);
	}

	/** An inventory changed: a participant whose offer no longer holds clears both confirmations. */
	public inventoryChanged(userId: number): void {
		const id = this.byPlayer.get(userId);
		const trade = id === undefined ? undefined : this.trades.get(id);
		if (trade === undefined || trade.phase !== "open") return;
		if (!trade.a.confirmed && !trade.b.confirmed) return;
		const side = sideOf(trade, userId) as TradeSide;
		const state = liveInventory(this.service.inventory, userId);
		const spec = specOf(side.offer);
		const holds =
			state !== undefined &&
			checkTake(this.service.inventory.catalog, state, spec.items, spec.currency ?? {}) === undefined;
		if (!holds) this.settle(resetConfirmations(trade, this.now()));
	}

	/** A player left the server: their trade (if not committing) is cancelled. */
	public left(userId: number): void {
		this.leave(userId);
		this.end(userId, "left");
	}

	private end(userId: number, reason: TradeEndReason): void {
		const id = this.byPlayer.get(userId);
		const trade = id === undefined ? undefined : this.trades.get(id);
		if (trade === undefined || isFinished(trade) || trade.phase === "committing") return;
		this.settle(endTrade(trade, reason, this.now()));
	}

	/** Cancels trades past their timeouts and forgets finished ones. */
	public expire(now: number): void {
		const limits = this.service.limits;
		const timeouts = { invite: limits.inviteTimeout, idle: limits.idleTimeout };
		for (const [id, since] of this.pending) {
			if (now - since < KEEP_PENDING) continue;
			const trade = this.trades.get(id);
			if (trade !== undefined) for (const side of [trade.a, trade.b]) this.leave(side.userId);
		}
		for (const [id, trade] of this.trades) {
			if (isExpired(trade, now, timeouts)) this.settle(endTrade(trade, "timeout", now));
			const at = this.finishedAt.get(id);
			if (at !== undefined && now - at >= KEEP_FINISHED) {
				this.trades.delete(id);
				this.finishedAt.delete(id);
			}
		}
	}

	public destroy(): void {
		this.trades.clear();
		this.byPlayer.clear();
		this.finishedAt.clear();
		this.pending.clear();
		this.heard.clear();
	}
}
