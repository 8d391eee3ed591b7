// The service's record of one served player, shared with the replication layer. Internal.
import type { Session } from "../../vault/types";
import type { InventoryChange } from "../operations/change";
import type { SyncMessage } from "../protocol/messages";
import type { InventoryState } from "../state/types";

/**
 * External authority: what a trade still waiting offers from this inventory. Until it is
 * released, no change may take any of it (the save API would then refuse the trade).
 */
export interface TradeHold {
	/** Item id → the count its stack must keep (it may move or grow). */
	readonly stacks: ReadonlyMap<string, number>;
	/** Currency → the balance it must keep. */
	readonly currency: Readonly<Record<string, number>>;
}

export interface PlayerEntry {
	readonly userId: number;
	readonly player: Player;
	readonly session: Session<object>;
	/** The inventory table inside the session's data (what `select` returned). */
	readonly state: InventoryState;
	/** False once the session ended; a stale reference then refuses everything. */
	active: boolean;
	/** An early save is scheduled. */
	saveScheduled: boolean;

	// Replication (see replication/Replicator.ts).
	/** Sequence number of the last message that changed the owner's replica. */
	seq: number;
	/** Id of the last request of this player the server handled. */
	lastRequest: number;
	/** Messages waiting for this frame's flush. */
	outbox: Array<SyncMessage>;
	/** How many of them are deltas. */
	deltas: number;
	/** In the replicator's list of entries to flush. */
	queued: boolean;
	/** The equipped items changed since the attributes were last written. */
	equipDirty: boolean;
	/** Attribute name → def key, as last written on the Player. */
	readonly shown: Map<string, string>;
	/** External authority: trade id → what that waiting trade offers (see {@link TradeHold}). */
	readonly holds: Map<string, TradeHold>;
	/**
	 * External authority: the inventory before the operation now running (a scratch copy), put
	 * back if the authority refuses it. Taken by the operation, used up by `commit`.
	 */
	before?: InventoryState;
}

/** Whether the inventory still holds everything its trades wait to give (see {@link TradeHold}). */
export function keepsHolds(entry: PlayerEntry): boolean {
	if (entry.holds.size() === 0) return true;
	const counts = new Map<string, number>();
	for (const stack of entry.state.slots) if (stack !== false) counts.set(stack.id, stack.count);
	const owed = new Map<string, number>();
	for (const [, hold] of entry.holds) {
		for (const [id, count] of hold.stacks) if ((counts.get(id) ?? 0) < count) return false;
		for (const [name, amount] of pairs(hold.currency)) owed.set(name, (owed.get(name) ?? 0) + amount);
	}
	for (const [name, amount] of owed) if ((entry.state.currencies[name] ?? 0) < amount) return false;
	return true;
}

/** What the service tells the replication layer. */
export interface ChangeSink {
	/** A session started (or the sink was attached to a served player): send a snapshot. */
	ready(entry: PlayerEntry): void;
	/** A change was applied; `request` is the client's request id, 0 for server-side changes. */
	record(entry: PlayerEntry, change: InventoryChange, request: number): void;
	/** The session ended. */
	forget(entry: PlayerEntry): void;
}

/**
 * Lowers the holds to what the inventory has after the authority changed it. Another writer
 * (the companion) may take what a trade offers, and the trade then fails at the API; the
 * player's own changes must not be refused for what is gone meanwhile.
 */
export function clampHolds(entry: PlayerEntry): void {
	if (entry.holds.size() === 0) return;
	const counts = new Map<string, number>();
	for (const stack of entry.state.slots) if (stack !== false) counts.set(stack.id, stack.count);
	const balances = new Map<string, number>();
	for (const [name, balance] of pairs(entry.state.currencies)) balances.set(name, balance);
	for (const [trade, hold] of entry.holds) {
		let lowered = false;
		const stacks = new Map<string, number>();
		for (const [id, count] of hold.stacks) {
			const have = math.min(count, counts.get(id) ?? 0);
			stacks.set(id, have);
			lowered ||= have < count;
		}
		const currency: Record<string, number> = {};
		for (const [name, amount] of pairs(hold.currency)) {
			const left = balances.get(name) ?? 0;
			currency[name] = math.min(amount, left);
			balances.set(name, left - currency[name]);
			lowered ||= currency[name] < amount;
		}
		if (lowered) entry.holds.set(trade, { stacks, currency });
	}
}

export function newEntry(session: Session<object>, state: InventoryState): PlayerEntry {
	return {
		userId: session.userId,
		player: session.player,
		session,
		state,
		active: true,
		saveScheduled: false,
		seq: 0,
		lastRequest: 0,
		outbox: [],
		deltas: 0,
		queued: false,
		equipDirty: true,
		shown: new Map(),
		holds: new Map(),
	};
}
