// The same-server trade state machine, as pure functions over a Trade: each checks first, then
// changes the trade in place and returns it, or returns why not (changing nothing). Offers'
// contents are checked against inventories by the service; this file only knows the rules of
// the negotiation.
import { err, ok, type Result } from "../../core/result";
import type { TradeEndReason, TradeRejectReason } from "../reasons";
import type { Offer, Trade, TradeSide, TradeTimeouts } from "./types";

/** The outcome of a transition. */
export type TradeResult = Result<Trade, TradeRejectReason>;

const EMPTY_OFFER: Offer = table.freeze({ items: table.freeze([]), currency: table.freeze({}) });

const isLive = (trade: Trade) => trade.phase === "invited" || trade.phase === "open";

/** The side of `userId`, if they are a party to the trade. */
export function sideOf(trade: Trade, userId: number): TradeSide | undefined {
	if (trade.a.userId === userId) return trade.a;
	if (trade.b.userId === userId) return trade.b;
	return undefined;
}

/** The other party's side. */
export function otherSide(trade: Trade, userId: number): TradeSide {
	return trade.a.userId === userId ? trade.b : trade.a;
}

/** `from` invites `to`: a new trade in the `invited` phase with empty offers. */
export function createTrade(id: string, from: number, to: number, now: number): Result<Trade, TradeRejectReason> {
	if (from === to) return err("self_trade");
	return ok({
		id,
		phase: "invited",
		a: { userId: from, offer: EMPTY_OFFER, confirmed: false },
		b: { userId: to, offer: EMPTY_OFFER, confirmed: false },
		revision: 0,
		createdAt: now,
		updatedAt: now,
	});
}

/** The invitee accepts: the trade opens. */
export function acceptTrade(trade: Trade, by: number, now: number): TradeResult {
	if (sideOf(trade, by) === undefined) return err("not_participant");
	if (trade.phase !== "invited") return err("wrong_phase");
	if (trade.b.userId !== by) return err("not_participant");
	trade.phase = "open";
	trade.updatedAt = now;
	return ok(trade);
}

/** A party replaces its offer. Both confirmations are cleared and the revision moves on. */
export function setOffer(trade: Trade, by: number, offer: Offer, now: number): TradeResult {
	const side = sideOf(trade, by);
	if (side === undefined) return err("not_participant");
	if (trade.phase === "committing") return err("trade_in_progress");
	if (trade.phase !== "open") return err("wrong_phase");
	side.offer = offer;
	trade.a.confirmed = false;
	trade.b.confirmed = false;
	trade.revision += 1;
	trade.updatedAt = now;
	return ok(trade);
}

/**
 * A party confirms the proposal at `revision` (the one it was shown). Once both confirmed the
 * same revision, the trade moves to `committing`.
 */
export function confirmTrade(trade: Trade, by: number, revision: number, now: number): TradeResult {
	const side = sideOf(trade, by);
	if (side === undefined) return err("not_participant");
	if (trade.phase === "committing") return err("trade_in_progress");
	if (trade.phase !== "open") return err("wrong_phase");
	if (revision !== trade.revision) return err("stale_revision");
	if (isEmpty(trade)) return err("empty_offer");
	side.confirmed = true;
	trade.updatedAt = now;
	if (trade.a.confirmed && trade.b.confirmed) trade.phase = "committing";
	return ok(trade);
}

/** Whether neither offer holds anything. */
function isEmpty(trade: Trade): boolean {
	for (const side of [trade.a, trade.b]) {
		if (side.offer.items.size() > 0) return false;
		for (const [, amount] of pairs(side.offer.currency)) if (amount > 0) return false;
	}
	return true;
}

/** Clears both confirmations (an offered item changed in its owner's inventory). */
export function resetConfirmations(trade: Trade, now: number): TradeResult {
	if (trade.phase !== "open") return err("wrong_phase");
	trade.a.confirmed = false;
	trade.b.confirmed = false;
	trade.revision += 1;
	trade.updatedAt = now;
	return ok(trade);
}

/** Ends a trade that is not committing: declined (by the invitee while invited), cancelled, timed out or left. */
export function endTrade(trade: Trade, reason: TradeEndReason, now: number, by?: number): TradeResult {
	if (by !== undefined && sideOf(trade, by) === undefined) return err("not_participant");
	if (trade.phase === "committing") return err("trade_in_progress");
	if (!isLive(trade)) return err("wrong_phase");
	if (reason === "declined" && (trade.phase !== "invited" || (by !== undefined && trade.b.userId !== by))) {
		return err("wrong_phase");
	}
	trade.phase = "cancelled";
	trade.reason = reason;
	trade.updatedAt = now;
	return ok(trade);
}

/** Whether a live trade has run out of time: an invite past `invite` seconds, an open trade idle past `idle`. */
export function isExpired(trade: Trade, now: number, timeouts: TradeTimeouts): boolean {
	if (trade.phase === "invited") return now - trade.createdAt >= timeouts.invite;
	if (trade.phase === "open") return now - trade.updatedAt >= timeouts.idle;
	return false;
}

/** Records how the commit ended. */
export function finishTrade(trade: Trade, completed: boolean, now: number, reason?: TradeRejectReason): TradeResult {
	if (trade.phase !== "committing") return err("wrong_phase");
	trade.phase = completed ? "completed" : "failed";
	if (!completed) trade.reason = reason ?? "save_failed";
	trade.updatedAt = now;
	return ok(trade);
}

/** Whether the trade has ended (completed, failed or cancelled). */
export function isFinished(trade: Trade): boolean {
	return trade.phase === "completed" || trade.phase === "failed" || trade.phase === "cancelled";
}
