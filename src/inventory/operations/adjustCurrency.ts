import { ok } from "../../core/result";
import { Catalog } from "../catalog/types";
import { MAX_SAFE_INTEGER, isSafeInteger } from "../integers";
import { InventoryState } from "../state/types";
import { InventoryResult, NONE } from "./change";
import { reject } from "./reasons";

/**
 * Adds `delta` (a non-zero integer; negative to spend) to the balance of `currency`. A balance
 * never goes negative, so it always equals the sum of the deltas applied to it (invariant I3).
 *
 * Reasons: `unknown_currency`, `invalid_amount`, `insufficient_funds`.
 *
 * @example
 * ```ts
 * import { Catalog, InventoryState, adjustCurrency } from "@rbxts/hopsafe";
 *
 * function buy(catalog: Catalog, inventory: InventoryState, price: number) {
 * 	const result = adjustCurrency(catalog, inventory, "coins", -price);
 * 	return result.ok ? result.value.currencies[0][1] : result.error; // new balance, or "insufficient_funds"
 * }
 * ```
 */
export function adjustCurrency(
	catalog: Catalog,
	state: InventoryState,
	currency: string,
	delta: number,
): InventoryResult {
	if (!typeIs(currency, "string") || !catalog.currencies.has(currency)) return reject("unknown_currency");
	if (!isSafeInteger(delta) || delta === 0) return reject("invalid_amount");
	const balance = (state.currencies[currency] ?? 0) + delta;
	if (balance < 0) return reject("insufficient_funds");
	if (balance > MAX_SAFE_INTEGER) return reject("invalid_amount");

	state.currencies[currency] = balance;
	return ok({
		slots: NONE,
		equipped: NONE,
		currencies: [[currency, balance]],
		minted: NONE,
		destroyed: NONE,
		events: NONE,
	});
}
