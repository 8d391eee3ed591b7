import {
	Catalog,
	DropRegistry,
	InventoryChange,
	InventoryResult,
	InventoryState,
	ItemStack,
	RejectReason,
	cloneInventory,
	defineCatalog,
} from "../../../../src/inventory";
import { deepDiff } from "./deepDiff";

/** The catalog the inventory specs share: every kind of item the operations treat differently. */
export const catalog = defineCatalog(
	[
		{ key: "sword", equipSlots: ["weapon"], rarity: "rare", visibleWhenEquipped: true },
		{ key: "shield", equipSlots: ["offhand"] },
		{ key: "ring", equipSlots: ["ring1", "ring2"], rarity: "epic" },
		{ key: "potion", stackable: true, maxStack: 20, consumable: true },
		{ key: "arrow", stackable: true, maxStack: 99, equipSlots: ["ammo"] },
		{ key: "gem", stackable: true, maxStack: 5, tradeable: false },
		{ key: "bomb", stackable: true, maxStack: 10, consumable: true, equipSlots: ["throwable"] },
		{ key: "scroll", consumable: true },
		{ key: "quest_key", tradeable: false },
	],
	["coins", "gems"],
);

export const OWNER = 101;

/** A registry whose tokens are predictable: drop-1, drop-2, ... */
export function makeDrops(): DropRegistry {
	let serial = 0;
	return new DropRegistry(() => {
		serial += 1;
		return `drop-${serial}`;
	});
}

/** The change of a successful result; fails the spec with the reason otherwise. */
export function expectOk(result: InventoryResult): InventoryChange {
	if (!result.ok) throw `expected success, got ${result.error}`;
	return result.value;
}

/**
 * Runs an operation that must be rejected with `reason` and checks that it changed nothing:
 * the state is deep-equal to a snapshot taken before.
 */
export function expectRejected(state: InventoryState, reason: RejectReason, run: () => InventoryResult) {
	const before = cloneInventory(state);
	const result = run();
	if (result.ok) throw `expected ${reason}, but the operation succeeded`;
	if (result.error !== reason) throw `expected ${reason}, got ${result.error}`;
	const difference = deepDiff(state, before);
	if (difference !== undefined) throw `a rejected operation changed the state: ${difference}`;
}

/** The same catalog without `key`: how a state looks after a game removed an item definition. */
export function catalogWithout(key: string): Catalog {
	return defineCatalog(
		catalog.list.filter((def) => def.key !== key),
		["coins", "gems"],
	);
}

/** The stack in `slot`; fails the spec if the slot is empty. */
export function stackAt(state: InventoryState, slot: number): ItemStack {
	const stack = state.slots[slot];
	if (stack === false) throw `slot ${slot} is empty`;
	return stack;
}
