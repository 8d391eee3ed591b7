import type { TradeLedger } from "./types";

const TABLES = ["stamps", "decisions", "outbox", "inbox", "legs", "waiting"] as const;
/** Tables a ledger written before they existed lacks. */
const OPTIONAL = ["sent"] as const;
const FIELDS: ReadonlySet<string> = new Set([...TABLES, ...OPTIONAL]);

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
	for (const name of [...TABLES, ...OPTIONAL]) {
		const entries = record[name];
		if (entries === undefined && name === "sent") continue;
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
				const side = value as { partner?: unknown; deadline?: unknown };
				if (!typeIs(value, "table") || !typeIs(side.partner, "number") || !typeIs(side.deadline, "number"))
					problems.push(`${at}: not a sent side`);
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
