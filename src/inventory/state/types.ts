/** A value an item attribute may hold: plain and JSON-safe (finite numbers only). */
export type ItemAttrValue = string | number | boolean;

/** Per-instance item data (durability, an engraving, ...): string keys, plain values. */
export type ItemAttrs = Readonly<Record<string, ItemAttrValue>>;

/**
 * One stack of items in a slot. Stacks are values: operations never change one in place, they
 * put a new stack in the slot, so a stack handed out in a change record stays true.
 */
export interface ItemStack {
	/** Globally unique: `${userId}-${serial}` of the inventory that minted it, kept across trades. */
	readonly id: string;
	/** The catalog key of its definition. */
	readonly def: string;
	/** 1..maxStack (always 1 for a unique item). */
	readonly count: number;
	/** Absent when the item has none; never an empty table. */
	readonly attrs?: ItemAttrs;
}

/**
 * A player's inventory as stored in their profile. It is JSON-safe, so it survives a
 * DataStore round trip unchanged: `slots` has exactly `capacity` entries with `false` for an
 * empty slot (never a nil hole), dictionaries have string keys only, and every value is plain.
 * Slots are numbered from 0.
 */
export interface InventoryState {
	/** The user id of the player whose profile holds this inventory; it prefixes minted ids. */
	owner: number;
	capacity: number;
	/** The serial of the next item id this inventory mints; only ever grows. */
	nextSerial: number;
	slots: Array<ItemStack | false>;
	/** Equip slot → id of an item in `slots`: a reference, never a copy. */
	equipped: Record<string, string>;
	/** Currency → balance, a non-negative integer (a currency never touched reads as 0). */
	currencies: Record<string, number>;
}
