import type { StackBundle } from "../../inventory/service/transferStacks";

/** What a side of a trade holds, by definition and count, without ids: `{ items, currency }`. */
export interface BundleTerms {
	readonly items: ReadonlyArray<{ readonly def: string; readonly count: number }>;
	readonly currency?: Readonly<Record<string, number>>;
}

function canonical(counts: Map<string, number>, currency: Readonly<Record<string, number>> | undefined): string {
	const parts = new Array<string>();
	for (const [def, count] of counts) parts.push(`${def}*${count}`);
	if (currency !== undefined) {
		for (const [name, amount] of pairs(currency)) if (amount !== 0) parts.push(`$${name}*${amount}`);
	}
	parts.sort();
	return parts.join(",");
}

/**
 * A canonical summary of terms (definitions with total counts, and currency), so that two
 * servers can check they agree on a trade without knowing each other's item ids.
 *
 * @example
 * ```ts
 * import { summarizeTerms } from "@rbxts/hopsafe";
 *
 * const terms = summarizeTerms({ items: [{ def: "potion", count: 3 }, { def: "potion", count: 2 }], currency: { coins: 10 } });
 * print(terms); // "$coins*10,potion*5"
 * ```
 */
export function summarizeTerms(terms: BundleTerms): string {
	const counts = new Map<string, number>();
	for (const item of terms.items) counts.set(item.def, (counts.get(item.def) ?? 0) + item.count);
	return canonical(counts, terms.currency);
}

/** The summary of what a bundle holds (see {@link summarizeTerms}). */
export function summarizeBundle(bundle: StackBundle): string {
	const counts = new Map<string, number>();
	for (const stack of bundle.stacks) counts.set(stack.def, (counts.get(stack.def) ?? 0) + stack.count);
	return canonical(counts, bundle.currency);
}
