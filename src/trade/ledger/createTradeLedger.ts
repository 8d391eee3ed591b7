import type { TradeLedger } from "./types";

/**
 * A new, empty trade ledger, for the profile template. The trade service finds it through the
 * `ledger` option; for profiles saved before trades existed, create it there lazily.
 *
 * @example
 * ```ts
 * import { createInventory, createTradeLedger, InventoryState, TradeLedger } from "@rbxts/hopsafe";
 *
 * interface PlayerData {
 * 	inventory: InventoryState;
 * 	trades?: TradeLedger;
 * }
 *
 * const template: PlayerData = { inventory: createInventory(0, 24), trades: createTradeLedger() };
 * // The `ledger` option of createTradeService: older profiles get one on first use.
 * const ledgerOf = (data: PlayerData) => (data.trades ??= createTradeLedger());
 * print(ledgerOf(template) === template.trades);
 * ```
 */
export function createTradeLedger(): TradeLedger {
	return { stamps: {}, decisions: {}, outbox: {}, inbox: {}, legs: {}, waiting: {} };
}
