import type { WorldDrop } from "../../inventory/drops/types";
import type { StackBundle } from "../../inventory/service/transferStacks";
import type { InventoryState } from "../../inventory/state/types";
import { legId } from "../ledger/ids";
import { isLeg, isParcel } from "../ledger/checkTradeLedger";
import type { Leg, Parcel, TradeLedger } from "../ledger/types";
import { LEG_KIND, PARCEL_KIND } from "../protocol/keys";

/** One profile as the census reads it (from the DataStore, or a loaded session). */
export interface CensusProfile {
	readonly userId: number;
	readonly inventory?: InventoryState;
	readonly ledger?: TradeLedger;
	/**
	 * The vault messages waiting in the profile's key (ProfileService global updates, active or
	 * locked), as they were posted: `{ id, kind, body }`.
	 */
	readonly pending?: ReadonlyArray<unknown>;
}

/** Where every item id is across profiles, escrows and world drops, and the totals. */
export interface TradeCensus {
	/** Item id → `inventory:<userId>`, `escrow:<transfer id>` or `drop:<token>`. */
	readonly locations: ReadonlyMap<string, string>;
	/** Ids found in more than one place: dupes (invariant I1). */
	readonly dupes: ReadonlyArray<string>;
	/** Definition → total count, over every place. */
	readonly items: ReadonlyMap<string, number>;
	/** Sum of all counts. */
	readonly itemCount: number;
	/** Currency → total, over balances and escrows. */
	readonly currencies: ReadonlyMap<string, number>;
	/** Escrows holding something (each transfer id once). */
	readonly escrows: number;
}

interface Record_ {
	readonly key: string;
	readonly bundle: StackBundle;
}

/**
 * Takes a census of every item id across profiles (inventories and trade ledgers), transfers
 * still waiting in profiles' keys, and world drops. A transfer is one escrow wherever its
 * records are: in the sender's outbox, waiting as a message in the recipient's key, in the
 * recipient's inbox, or (a trade's leg) escrowed by its owner and held by the coordinator, so
 * the same id in two records of one transfer is not a dupe. A record the recipient has already
 * stamped as received is settled (its items are counted where they went).
 *
 * @example
 * ```ts
 * import { CensusProfile, takeTradeCensus } from "@rbxts/hopsafe";
 *
 * function audit(profiles: ReadonlyArray<CensusProfile>) {
 * 	const census = takeTradeCensus(profiles);
 * 	if (census.dupes.size() > 0) warn(`dupes: ${census.dupes.join(", ")}`);
 * 	return census.itemCount;
 * }
 * ```
 */
export function takeTradeCensus(
	profiles: ReadonlyArray<CensusProfile>,
	drops: ReadonlyArray<WorldDrop> = [],
): TradeCensus {
	const ledgers = new Map<number, TradeLedger>();
	for (const profile of profiles) if (profile.ledger !== undefined) ledgers.set(profile.userId, profile.ledger);
	const stamped = (userId: number, id: string) => ledgers.get(userId)?.stamps[id] !== undefined;

	const locations = new Map<string, string>();
	const dupes = new Array<string>();
	const items = new Map<string, number>();
	const currencies = new Map<string, number>();
	let itemCount = 0;
	const place = (id: string, def: string, count: number, where: string, counted: boolean) => {
		const before = locations.get(id);
		if (before !== undefined) {
			if (before !== where && !dupes.includes(id)) dupes.push(id);
			return;
		}
		locations.set(id, where);
		if (!counted) return;
		items.set(def, (items.get(def) ?? 0) + count);
		itemCount += count;
	};
	const addCurrency = (name: string, amount: number) => currencies.set(name, (currencies.get(name) ?? 0) + amount);

	for (const profile of profiles) {
		const inventory = profile.inventory;
		if (inventory === undefined) continue;
		const where = `inventory:${profile.userId}`;
		for (const stack of inventory.slots) if (stack !== false) place(stack.id, stack.def, stack.count, where, true);
		for (const [name, balance] of pairs(inventory.currencies)) addCurrency(name, balance);
	}
	for (const drop of drops) place(drop.stack.id, drop.stack.def, drop.stack.count, `drop:${drop.token}`, true);

	// Every unsettled escrow record, keyed by its transfer id.
	const escrowRecords = new Array<Record_>();
	const legRecord = (leg: Leg) => {
		// A partner's leg is settled once the coordinator received it (then it is in the
		// coordinator's ledger, or already decided and sent on).
		if (leg.from !== leg.coordinator && stamped(leg.coordinator, legId(leg.trade, leg.from))) return;
		escrowRecords.push({ key: legId(leg.trade, leg.from), bundle: leg.give });
	};
	for (const profile of profiles) {
		const ledger = profile.ledger;
		if (ledger !== undefined) {
			for (const [id, parcel] of pairs(ledger.outbox)) {
				if (!stamped(parcel.to, id)) escrowRecords.push({ key: id, bundle: parcel });
			}
			for (const [id, parcel] of pairs(ledger.inbox)) escrowRecords.push({ key: id, bundle: parcel });
			for (const [, leg] of pairs(ledger.legs)) legRecord(leg);
			for (const [, leg] of pairs(ledger.waiting))
				escrowRecords.push({ key: legId(leg.trade, leg.from), bundle: leg.give });
		}
		for (const message of profile.pending ?? []) {
			if (!typeIs(message, "table")) continue;
			const { id, kind, body } = message as { id?: unknown; kind?: unknown; body?: unknown };
			if (!typeIs(id, "string")) continue;
			if (kind === PARCEL_KIND && isParcel(body)) {
				if (!stamped(profile.userId, id)) escrowRecords.push({ key: id, bundle: body as Parcel });
			} else if (kind === LEG_KIND && isLeg(body)) {
				if (!stamped(profile.userId, id)) escrowRecords.push({ key: id, bundle: (body as Leg).give });
			}
		}
	}
	const counted = new Set<string>();
	for (const record of escrowRecords) {
		const first = !counted.has(record.key);
		counted.add(record.key);
		const where = `escrow:${record.key}`;
		for (const stack of record.bundle.stacks) place(stack.id, stack.def, stack.count, where, first);
		if (first) for (const [name, amount] of pairs(record.bundle.currency)) addCurrency(name, amount);
	}
	return { locations, dupes, items, itemCount, currencies, escrows: counted.size() };
}
