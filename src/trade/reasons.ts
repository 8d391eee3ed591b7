import type { RejectReason } from "../inventory/operations/reasons";

/**
 * Why the trade layer refused a request or a trade failed, beyond the inventory core's
 * {@link RejectReason}s (which an offer or a transfer may also carry: `item_mismatch`,
 * `not_tradeable`, `insufficient_funds`, `inventory_full`, ...). See {@link TRADE_REASONS}.
 */
export type TradeProtocolReason =
	| "bad_request"
	| "rate_limited"
	| "no_session"
	| "authority_refused"
	| "internal_error"
	| "not_found"
	| "not_participant"
	| "wrong_phase"
	| "stale_revision"
	| "self_trade"
	| "busy"
	| "target_unavailable"
	| "too_many_items"
	| "empty_offer"
	| "trade_in_progress"
	| "duplicate"
	| "save_failed"
	| "terms_mismatch"
	| "expired";

/** Why a trade request was refused or a trade failed: a trade reason or an inventory reason. */
export type TradeRejectReason = TradeProtocolReason | RejectReason;

/** Why a trade ended without completing, besides a {@link TradeRejectReason}. */
export type TradeEndReason = "declined" | "cancelled" | "timeout" | "left";

/**
 * The catalogue of trade reasons, each with what it means. Typed as a record over
 * {@link TradeProtocolReason}, so a reason cannot be added without an entry.
 *
 * @example
 * ```ts
 * import { TRADE_REASONS } from "@rbxts/hopsafe";
 *
 * print(TRADE_REASONS.stale_revision);
 * ```
 */
export const TRADE_REASONS: Readonly<Record<TradeProtocolReason, string>> = table.freeze({
	bad_request:
		"the request is malformed: an unknown intent, a wrong number of arguments, a wrong type, a number that is not a finite integer in range, or a string or list of the wrong length (trade remotes)",
	rate_limited: "the player sent more trade requests than the per-player token bucket allows (trade remotes)",
	no_session: "the player (or the other player) has no served inventory and ledger on this server",
	authority_refused: "external authority: the save API refused the transfer for a reason of its own",
	internal_error: "a handler threw; nothing was changed and the error went to callbackFailed",
	not_found: "no trade with that id involves this player",
	not_participant:
		"the player is not a party to that trade, or not the one who may do this (only the invitee accepts)",
	wrong_phase:
		"the trade is not in a phase that allows this (accepting an open trade, offering before it is accepted)",
	stale_revision:
		"the confirmation names an older revision of the proposal: an offer changed since the player looked, so both must confirm again",
	self_trade: "a player cannot trade with themself",
	busy: "the player or the invitee is already in a trade, or (external authority) a stack offered is held by another trade still waiting",
	target_unavailable: "the invited player is not on this server or not served yet",
	too_many_items: "the offer names more stacks or currencies than the limit",
	empty_offer: "both offers are empty: there is nothing to trade",
	trade_in_progress: "the trade is being committed: it can no longer be changed or cancelled",
	duplicate: "a trade or transfer with this id was already started: retrying it applies nothing",
	save_failed:
		"a save the trade needed was not confirmed in time; every side was returned (or will be, at the owner's next save)",
	terms_mismatch: "the two sides of a cross-server trade did not agree on what each gives",
	expired:
		"the other side of a cross-server trade in external authority did not reach the coordinator before the trade's deadline",
});

const TRADE_REASON_TEXT: Record<string, string> = {};
for (const [reason, text] of pairs(TRADE_REASONS)) TRADE_REASON_TEXT[reason] = text;

/** Whether `value` is one of the {@link TradeProtocolReason}s. */
export function isTradeProtocolReason(value: unknown): value is TradeProtocolReason {
	return typeIs(value, "string") && TRADE_REASON_TEXT[value] !== undefined;
}
