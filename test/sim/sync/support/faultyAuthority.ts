import { t } from "@rbxts/t";
import type { ItemAuthority } from "../../../../src/inventory/service/types";
import type { TradeLimits, TradeService } from "../../../../src/trade/service/types";
import { CATALOG_DEFS, CURRENCIES, type Hopsafe } from "../../inventory/support/inventoryWorld";
import { syncGame } from "./api";
import type { ExternalData } from "./external";

/** Which calls of {@link faulty} throw: each while its flag is on. */
export interface Faults {
	/** `transfer` sends the request, waits for its answer, and throws instead of returning it. */
	afterTransfer?: boolean;
	/** The player whose next `getState` by the trade service throws (once; the inventory's reads do not). */
	getStateOnce?: number;
	pendingCount?: boolean;
}

/** The game's own authority over the sync client, whose calls throw as `faults` says. */
export function faulty(sync: ItemAuthority, faults: Faults): ItemAuthority {
	return {
		getState(player) {
			if (faults.getStateOnce === player && debug.traceback().find("hopsafe.trade.", 1, true)[0] !== undefined) {
				faults.getStateOnce = undefined;
				throw "the game's authority cannot read the state";
			}
			return sync.getState(player);
		},
		mutate(player, ops, options) {
			return sync.mutate(player, ops, options);
		},
		isQueued(player, key) {
			return sync.isQueued(player, key);
		},
		awaitCommit(key, timeout) {
			return sync.awaitCommit(key, timeout);
		},
		changed: sync.changed,
		pendingCount(player) {
			if (faults.pendingCount === true) throw "the game's authority cannot count its queue";
			return sync.pendingCount(player);
		},
		transfer(legs, options) {
			if (faults.afterTransfer !== true) return sync.transfer(legs, options);
			sync.transfer(legs, options).await();
			throw "the game's authority lost the transfer's answer";
		},
		voidTransfer(key, players) {
			return sync.voidTransfer!(key, players);
		},
	};
}

/** A server of `world` in external authority through {@link faulty}, with the trade service. */
export function faultyServer(world: Sim.World, name: string, faults: Faults, limits?: TradeLimits) {
	const server = world.startServer({ name });
	const hopsafe = server.require<Hopsafe>("ReplicatedStorage.hopsafe");
	const catalog = hopsafe.defineCatalog(CATALOG_DEFS, CURRENCIES);
	const template: ExternalData = {
		sync: hopsafe.createSyncRecord(),
		inventory: hopsafe.createInventory(0, 6),
		trades: hopsafe.createTradeLedger(),
	};
	const schema = t.interface({ sync: hopsafe.isSyncRecord, inventory: t.table });
	const app = syncGame(
		server,
		{ flushInterval: 1 },
		{ template, schema: schema as (value: unknown) => value is ExternalData },
	);
	return server.run(() => {
		const service = hopsafe.createInventoryService({
			catalog,
			sessions: app.vault,
			select: (data) => (data as ExternalData).inventory,
			authority: faulty(app.sync, faults),
		});
		const trades: TradeService = hopsafe.createTradeService({
			inventory: service,
			vault: app.vault,
			ledger: (data) => (data as ExternalData).trades,
			limits,
		});
		return { app, service, trades };
	});
}
