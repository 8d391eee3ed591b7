import type { PurchaseLedger } from "./types";

/**
 * An empty purchase ledger, for a profile template or a profile that has none yet.
 *
 * @example
 * ```ts
 * import { createPurchaseLedger } from "@rbxts/hopsafe";
 *
 * const template = { purchases: createPurchaseLedger() };
 * print(template.purchases.ids.size());
 * ```
 */
export function createPurchaseLedger(): PurchaseLedger {
	return { ids: [] };
}
