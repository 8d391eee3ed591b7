// The messages of a cross-server trade in external authority (see service/ExternalSides.ts), and
// the refusal a partner sends in either authority. They cross between game servers through the
// vault, so each is checked before it is used.
import type { StackBundle } from "../../inventory/service/transferStacks";
import type { SyncTransferLeg, TransferReceipt } from "../../sync/types";
import { isBundle, isName, isTransferLeg } from "../ledger/checkTradeLedger";
import type { TradeRejectReason } from "../reasons";

/** A partner's side, sent to the coordinator: the API leg it gives and what it agreed to receive. */
export interface SideOffer {
	readonly trade: string;
	readonly from: number;
	readonly to: number;
	readonly leg: SyncTransferLeg;
	/** The same items as stacks (definitions for the terms, and `received`). */
	readonly bundle: StackBundle;
	/** What `from` agreed to receive (see `summarizeTerms`). */
	readonly expect: string;
	/** Unix time after which the coordinator no longer sends the transfer. */
	readonly deadline: number;
}

/**
 * A partner's side refused on its own server (`busy`, `insufficient_funds`, ...), sent to the
 * coordinator instead of the side: the trade cannot happen, and the coordinator ends it at once
 * rather than at the deadline. Posted under its own id, so the side sent by a later call with
 * the same trade id is not taken for it.
 */
export interface SideRefusal {
	readonly trade: string;
	readonly from: number;
	readonly to: number;
	readonly refused: TradeRejectReason;
}

/** The coordinator's verdict, sent to the partner. */
export interface SideVerdict {
	readonly trade: string;
	readonly to: number;
	readonly outcome: "completed" | "failed";
	/** The partner's version at the API after the transfer (completed only). */
	readonly version?: number;
	/** What the partner received (completed only). */
	readonly bundle?: StackBundle;
	/**
	 * What the partner received as the API's receipt, when the coordinator's server no longer
	 * knows it as stacks (an earlier server of the coordinator sent the transfer). The partner's
	 * slots show the definitions.
	 */
	readonly receipt?: TransferReceipt;
}

/** Whether `value` has the shape of a transfer receipt: item ids with counts, and currencies. */
function isReceipt(value: unknown): value is TransferReceipt {
	if (!typeIs(value, "table")) return false;
	const receipt = value as { items?: unknown; currencies?: unknown };
	if (!typeIs(receipt.items, "table") || !typeIs(receipt.currencies, "table")) return false;
	for (const [, item] of pairs(receipt.items as object)) {
		if (!typeIs(item, "table")) return false;
		const { id, count } = item as { id?: unknown; count?: unknown };
		if (!isName(id) || !typeIs(count, "number")) return false;
	}
	for (const [name, amount] of pairs(receipt.currencies as object)) {
		if (!isName(name) || !typeIs(amount, "number")) return false;
	}
	return true;
}

/** Whether `value` is a well-formed {@link SideOffer}. */
export function isSideOffer(value: unknown): value is SideOffer {
	if (!typeIs(value, "table")) return false;
	const offer = value as Record<string, unknown>;
	return (
		isName(offer.trade) &&
		typeIs(offer.from, "number") &&
		typeIs(offer.to, "number") &&
		offer.from !== offer.to &&
		typeIs(offer.expect, "string") &&
		typeIs(offer.deadline, "number") &&
		isBundle(offer.bundle) &&
		isTransferLeg(offer.leg) &&
		offer.leg.from === offer.from &&
		offer.leg.to === offer.to
	);
}

/** Whether `value` is a well-formed {@link SideVerdict}. */
export function isSideVerdict(value: unknown): value is SideVerdict {
	if (!typeIs(value, "table")) return false;
	const verdict = value as Record<string, unknown>;
	if (!isName(verdict.trade) || !typeIs(verdict.to, "number")) return false;
	if (verdict.outcome === "failed") return true;
	return (
		verdict.outcome === "completed" &&
		(verdict.version === undefined || typeIs(verdict.version, "number")) &&
		(verdict.bundle === undefined || isBundle(verdict.bundle)) &&
		(verdict.receipt === undefined || isReceipt(verdict.receipt))
	);
}

/** Whether `value` is a well-formed {@link SideRefusal}. */
export function isSideRefusal(value: unknown): value is SideRefusal {
	if (!typeIs(value, "table")) return false;
	const refusal = value as Record<string, unknown>;
	return (
		isName(refusal.trade) &&
		typeIs(refusal.from, "number") &&
		typeIs(refusal.to, "number") &&
		refusal.from !== refusal.to &&
		isName(refusal.refused)
	);
}
