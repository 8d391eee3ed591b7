import type { SyncTransferLeg } from "../../sync/types";
import type { TradeLedger } from "./types";

const TABLES = ["stamps", "decisions", "outbox", "inbox", "legs", "waiting"] as const;
/** Tables a ledger written before they existed lacks. */
const OPTIONAL: ReadonlySet<string> = new Set(["sent", "unanswered", "refused"]);
const ALL = [...TABLES, "sent", "unanswered", "refused"];
/** Optional fields that hold a time, not a table. */
const TIMES = ["forgotten"];
const FIELDS: ReadonlySet<string> = new Set([...ALL, ...TIMES]);

/** Whether `value` is a non-empty string (an id or a name). */
export const isName = (value: unknown): value is string => typeIs(value, "string") && value.size() > 0;

/** Whether `value` has the shape of a `StackBundle`. */
export function isBundle(value: unknown): boolean {
	if (!typeIs(value, "table")) return false;
	const bundle = value as { stacks?: unknown; currency?: unknown };
	if (!typeIs(bundle.stacks, "table") || !typeIs(bundle.currency, "table")) return false;
	for (const [, stack] of pairs(bundle.stacks as object)) {
		if (!typeIs(stack, "table")) return false;
		const { id, def, count } = stack as { id?: unknown; def?: unknown; count?: unknown };
		if (!typeIs(id, "string") || !typeIs(def, "string") || !typeIs(count, "number")) return false;
	}
	for (const [name, amount] of pairs(bundle.currency as object)) {
		if (!typeIs(name, "string") || !typeIs(amount, "number")) return false;
	}
	return true;
}

/** Whether `value` is a sent side's `gives`: stack ids and currency amounts. */
function isGives(value: unknown): boolean {
	if (!typeIs(value, "table")) return false;
	const { ids, currency } = value as { ids?: unknown; currency?: unknown };
	if (!typeIs(ids, "table") || !typeIs(currency, "table")) return false;
	for (const [, id] of pairs(ids as object)) if (!isName(id)) return false;
	for (const [name, amount] of pairs(currency as object))
		if (!isName(name) || !typeIs(amount, "number")) return false;
	return true;
}

/** Whether `value` has the shape of a save API transfer leg (`SyncTransferLeg`). */
export function isTransferLeg(value: unknown): value is SyncTransferLeg {
	if (!typeIs(value, "table")) return false;
	const leg = value as { from?: unknown; to?: unknown; items?: unknown; currencies?: unknown };
	if (!typeIs(leg.from, "number") || !typeIs(leg.to, "number")) return false;
	if (leg.items !== undefined) {
		if (!typeIs(leg.items, "table")) return false;
		for (const [, item] of pairs(leg.items as object)) {
			if (!typeIs(item, "table")) return false;
			const { id, count, newId } = item as { id?: unknown; count?: unknown; newId?: unknown };
			if (!isName(id) || (count !== undefined && !typeIs(count, "number"))) return false;
			if (newId !== undefined && !isName(newId)) return false;
		}
	}
	if (leg.currencies !== undefined) {
		if (!typeIs(leg.currencies, "table")) return false;
		for (const [name, amount] of pairs(leg.currencies as object)) {
			if (!isName(name) || !typeIs(amount, "number")) return false;
		}
	}
	return true;
}

function isUnanswered(value: unknown): boolean {
	if (!typeIs(value, "table")) return false;
	const record = value as { kind?: unknown; sides?: unknown; users?: unknown; at?: unknown };
	if ((record.kind !== "trade" && record.kind !== "gift") || !typeIs(record.at, "number")) return false;
	if (!typeIs(record.sides, "table") || !typeIs(record.users, "table")) return false;
	for (const [, side] of pairs(record.sides as object)) {
		if (!typeIs(side, "table")) return false;
		const { leg, bundle } = side as { leg?: unknown; bundle?: unknown };
		if (!isTransferLeg(leg) || !isBundle(bundle)) return false;
	}
	for (const [, userId] of pairs(record.users as object)) if (!typeIs(userId, "number")) return false;
	return true;
}

/** Whether `value` has the shape of a {@link Parcel}. */
export function isParcel(value: unknown): boolean {
	if (!isBundle(value)) return false;
	const parcel = value as { from?: unknown; to?: unknown; at?: unknown; trade?: unknown };
	return (
		typeIs(parcel.from, "number") &&
		typeIs(parcel.to, "number") &&
		typeIs(parcel.at, "number") &&
		(parcel.trade === undefined || typeIs(parcel.trade, "string"))
	);
}

/** Whether `value` has the shape of a {@link Leg}. */
export function isLeg(value: unknown): boolean {
	if (!typeIs(value, "table")) return false;
	const leg = value as Record<string, unknown>;
	return (
		typeIs(leg.trade, "string") &&
		typeIs(leg.coordinator, "number") &&
		typeIs(leg.partner, "number") &&
		typeIs(leg.from, "number") &&
		(leg.from === leg.coordinator || leg.from === leg.partner) &&
		typeIs(leg.expect, "string") &&
		typeIs(leg.deadline, "number") &&
		typeIs(leg.at, "number") &&
		isBundle(leg.give)
	);
}

/**
 * Lists every way `ledger` is not a well-formed {@link TradeLedger}; empty when it is. The trade
 * service does not serve trades for a player whose ledger has problems (nothing is changed).
 *
 * @example
 * ```ts
 * import { checkTradeLedger, createTradeLedger } from "@rbxts/hopsafe";
 *
 * print(checkTradeLedger(createTradeLedger()).size()); // 0
 * for (const problem of checkTradeLedger({ stamps: {} })) warn(problem);
 * ```
 */
export function checkTradeLedger(ledger: unknown): Array<string> {
	const problems = new Array<string>();
	if (!typeIs(ledger, "table")) {
		problems.push("ledger: not a table");
		return problems;
	}
	const record = ledger as Record<string, unknown>;
	for (const [field] of pairs(record)) {
		if (!typeIs(field, "string") || !FIELDS.has(field)) problems.push(`ledger: unknown field ${tostring(field)}`);
	}
	for (const name of TIMES) {
		const value = record[name];
		if (value !== undefined && !typeIs(value, "number")) problems.push(`${name}: not a time`);
	}
	for (const name of ALL) {
		const entries = record[name];
		if (entries === undefined && OPTIONAL.has(name)) continue;
		if (!typeIs(entries, "table")) {
			problems.push(`${name}: not a table`);
			continue;
		}
		for (const [key, value] of pairs(entries as object)) {
			const at = `${name}.${tostring(key)}`;
			if (!typeIs(key, "string")) problems.push(`${at}: the key is not a string`);
			if (name === "stamps") {
				if (!typeIs(value, "number")) problems.push(`${at}: not a time`);
			} else if (name === "decisions") {
				const decision = value as { outcome?: unknown; tookLeg?: unknown; at?: unknown };
				if (
					!typeIs(value, "table") ||
					(decision.outcome !== "committed" && decision.outcome !== "aborted") ||
					!typeIs(decision.tookLeg, "boolean") ||
					!typeIs(decision.at, "number")
				) {
					problems.push(`${at}: not a decision`);
				}
			} else if (name === "sent") {
				const side = value as { partner?: unknown; deadline?: unknown; gives?: unknown };
				if (
					!typeIs(value, "table") ||
					!typeIs(side.partner, "number") ||
					!typeIs(side.deadline, "number") ||
					(side.gives !== undefined && !isGives(side.gives))
				)
					problems.push(`${at}: not a sent side`);
			} else if (name === "refused") {
				const first = value as { from?: unknown; refused?: unknown; at?: unknown };
				if (
					!typeIs(value, "table") ||
					!typeIs(first.from, "number") ||
					!isName(first.refused) ||
					!typeIs(first.at, "number")
				)
					problems.push(`${at}: not a refusal`);
			} else if (name === "unanswered") {
				if (!isUnanswered(value)) problems.push(`${at}: not an unanswered transfer`);
			} else if (name === "outbox" || name === "inbox") {
				if (!isParcel(value)) problems.push(`${at}: not a parcel`);
			} else if (!isLeg(value)) problems.push(`${at}: not a leg`);
		}
	}
	return problems;
}

/** Narrows a checked ledger. */
export function isTradeLedger(value: unknown): value is TradeLedger {
	return checkTradeLedger(value).size() === 0;
}
