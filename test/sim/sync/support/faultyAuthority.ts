import type { ItemAuthority } from "../../../../src/inventory/service/types";
import type { TradeLimits } from "../../../../src/trade/service/types";
import { externalServer } from "./external";

/** Which calls of {@link faulty} throw: each while its flag is on. */
export interface Faults {
	/** `transfer` throws before sending anything. */
	transfer?: boolean;
	/** `transfer` sends the request, waits for its answer, and throws instead of returning it. */
	afterTransfer?: boolean;
	/** The player whose next `getState` by the trade service throws (once; the inventory's reads do not). */
	getStateOnce?: number;
	/** The player whose every `getState` throws, whoever reads it. */
	getState?: number;
	pendingCount?: boolean;
	/** `voidTransfer` throws. */
	voids?: boolean;
	/** Read when the authority is made: it has no `voidTransfer` (a game-written one may not). */
	withoutVoid?: boolean;
}

/** The game's own authority over the sync client, whose calls throw as `faults` says. */
export function faulty(sync: ItemAuthority, faults: Faults): ItemAuthority {
	const authority: ItemAuthority = {
		getState(player) {
			if (faults.getState === player) throw "the game's authority cannot read any state";
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
			if (faults.transfer === true) throw "the game's authority is broken";
			if (faults.afterTransfer !== true) return sync.transfer(legs, options);
			sync.transfer(legs, options).await();
			throw "the game's authority lost the transfer's answer";
		},
		voidTransfer(key, players) {
			if (faults.voids === true) throw "the game's authority cannot settle";
			return sync.voidTransfer!(key, players);
		},
	};
	if (faults.withoutVoid === true) authority.voidTransfer = undefined;
	return authority;
}

/** A server of `world` in external authority through {@link faulty}, with the trade service. */
export function faultyServer(world: Sim.World, name: string, faults: Faults, limits?: TradeLimits) {
	const made = externalServer(world, { name, trades: true, limits, authority: (sync) => faulty(sync, faults) });
	return { ...made, trades: made.trades! };
}
