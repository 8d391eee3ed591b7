import { TradeServiceImpl } from "./TradeServiceImpl";
import type { TradeService, TradeServiceOptions } from "./types";

/**
 * Creates the trade service over an inventory service and its vault. It runs same-server trades
 * (invite, offers, confirmations of one revision, then an atomic swap), gifts to any player and
 * cross-server trades, keeping every item's id and applying each transfer exactly once, through
 * a ledger in each profile (see `createTradeLedger`).
 *
 * Every two-way trade follows one protocol. Each side is escrowed (taken out of its owner's
 * inventory into their ledger) and saved; the side of the player with the lower user id, the
 * coordinator, decides once it holds both, in one step that is then saved: that save is the
 * commit point. Nothing is acted upon before the save that created it is confirmed, so a crash,
 * a failed or committed-but-errored write, or a lost lock at any step leaves both players traded
 * or both untouched; sides on their way are re-sent from the outbox at the next load, and their
 * ids make repeats harmless. Register this service's message handler before handlers of your
 * own, or make yours return `false` for kinds they do not own.
 *
 * Over an inventory service in external authority (`authority: sync`), the save API holds the
 * items, so `execute` and `gift` are one API transfer each, keyed by the trade id (every leg or
 * none, at most once); they resolve once the players loaded here show the result, and the
 * ledger only remembers the ids. A cross-server trade is `escrowSide` on each server as usual:
 * the partner's side goes to the coordinator by vault message, and the coordinator sends both
 * sides as one transfer and its verdict back.
 *
 * @example
 * ```ts
 * import { createTradeLedger, createTradeService, InventoryService, TradeLedger, Vault } from "@rbxts/hopsafe";
 *
 * interface PlayerData {
 * 	trades?: TradeLedger;
 * }
 *
 * function serveTrades(inventory: InventoryService, vault: Vault<PlayerData>) {
 * 	const trades = createTradeService({
 * 		inventory,
 * 		vault,
 * 		ledger: (data) => (data.trades ??= createTradeLedger()),
 * 	});
 * 	trades.settled.Connect((userId, trade, outcome) => print(`${userId}: trade ${trade} ${outcome}`));
 * 	return trades;
 * }
 * ```
 */
export function createTradeService<T extends object>(options: TradeServiceOptions<T>): TradeService {
	return new TradeServiceImpl(options as unknown as TradeServiceOptions<object>);
}
