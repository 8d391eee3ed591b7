import type { TradeEndReason, TradeRejectReason } from "../reasons";

/**
 * Where a same-server trade is: `invited` (waiting for the invitee), `open` (both edit their
 * offers and confirm), `committing` (both confirmed the same revision; the swap is running),
 * then `completed`, `failed` or `cancelled`.
 */
export type TradePhase = "invited" | "open" | "committing" | "completed" | "failed" | "cancelled";

/** One stack (or part of one) in an offer, named by id. */
export interface OfferItem {
	readonly id: string;
	readonly def: string;
	readonly count: number;
}

/** What one player puts on the table. */
export interface Offer {
	readonly items: ReadonlyArray<OfferItem>;
	/** Currency → amount (positive integers). */
	readonly currency: Readonly<Record<string, number>>;
}

/** One player's side of a trade. */
export interface TradeSide {
	readonly userId: number;
	offer: Offer;
	confirmed: boolean;
}

/**
 * A same-server trade between two players (`a` invited `b`). Every change to either offer bumps
 * `revision` and clears both confirmations; a confirmation names the revision it saw.
 */
export interface Trade {
	readonly id: string;
	phase: TradePhase;
	readonly a: TradeSide;
	readonly b: TradeSide;
	revision: number;
	readonly createdAt: number;
	/** Time of the last change (idle timeouts count from it). */
	updatedAt: number;
	/** Why it ended, once it has (completed trades have none). */
	reason?: TradeEndReason | TradeRejectReason;
}

/** Seconds after which an unanswered invite, or an open trade nobody touches, is cancelled. */
export interface TradeTimeouts {
	readonly invite: number;
	readonly idle: number;
}
