// Helpers shared by the operations. Internal to the inventory area.
import { InventoryState, ItemAttrs, ItemStack } from "../state/types";
import { EquipChange, NONE } from "./change";
import { RejectReason } from "./reasons";

/** Whether `slot` names a slot of `state`: an integer in 0..capacity-1. */
export function isSlotIndex(state: InventoryState, slot: unknown): slot is number {
	return typeIs(slot, "number") && slot % 1 === 0 && slot >= 0 && slot < state.capacity;
}

/**
 * The stack in `slot` if it is the item `itemId` the caller claims it is, else why not. The
 * claim is how a client's request names an item: a slot alone could be stale or spoofed.
 */
export function claimStack(state: InventoryState, slot: unknown, itemId: unknown): ItemStack | RejectReason {
	if (!isSlotIndex(state, slot)) return "invalid_slot";
	const stack = state.slots[slot];
	if (stack === false) return "slot_empty";
	if (stack.id !== itemId) return "item_mismatch";
	return stack;
}

/** A copy of `stack` holding `count`: stacks are values, never changed in place. */
export function withCount(stack: ItemStack, count: number): ItemStack {
	return { id: stack.id, def: stack.def, count, attrs: stack.attrs };
}

/** Whether two stacks' attributes are the same (both absent, or the same keys and values). */
export function attrsEqual(a: ItemAttrs | undefined, b: ItemAttrs | undefined): boolean {
	if (a === b) return true;
	if (a === undefined || b === undefined) return false;
	for (const [key, value] of pairs(a)) {
		if (b[key] !== value) return false;
	}
	for (const [key] of pairs(b)) {
		if (a[key] === undefined) return false;
	}
	return true;
}

/** The slot holding the item `itemId`, or -1. */
export function findSlotOf(state: InventoryState, itemId: string): number {
	const slots = state.slots;
	for (let slot = 0; slot < state.capacity; slot++) {
		const stack = slots[slot];
		if (stack !== false && stack.id === itemId) return slot;
	}
	return -1;
}

/** The equip slot holding the item `itemId`, if it is equipped. */
export function equipSlotOf(state: InventoryState, itemId: string): string | undefined {
	for (const [equipSlot, id] of pairs(state.equipped)) {
		if (id === itemId) return equipSlot;
	}
	return undefined;
}

/**
 * Clears the equip slot that references `itemId`, if any, for an item about to leave the
 * inventory, and returns the equip change to record.
 */
export function unequipLeaving(state: InventoryState, itemId: string): ReadonlyArray<EquipChange> {
	const equipSlot = equipSlotOf(state, itemId);
	if (equipSlot === undefined) return NONE;
	delete state.equipped[equipSlot];
	return [[equipSlot, false]];
}
