import { InventoryState, ItemAttrs, ItemStack } from "./types";

function cloneStack(stack: ItemStack): ItemStack {
	if (stack.attrs === undefined) return { id: stack.id, def: stack.def, count: stack.count };
	const attrs: Record<string, ItemAttrs[string]> = {};
	for (const [key, value] of pairs(stack.attrs)) attrs[key] = value;
	return { id: stack.id, def: stack.def, count: stack.count, attrs };
}

/** A copy of `state` with its own slot array, equip and currency tables; `copyStack` copies each stack. */
function copyInventory(state: InventoryState, copyStack: (stack: ItemStack) => ItemStack): InventoryState {
	const slots = new Array<ItemStack | false>(state.capacity, false);
	for (let slot = 0; slot < state.capacity; slot++) {
		const stack = state.slots[slot];
		if (stack !== false) slots[slot] = copyStack(stack);
	}
	const equipped: Record<string, string> = {};
	for (const [equipSlot, id] of pairs(state.equipped)) equipped[equipSlot] = id;
	const currencies: Record<string, number> = {};
	for (const [name, balance] of pairs(state.currencies)) currencies[name] = balance;
	return {
		owner: state.owner,
		capacity: state.capacity,
		nextSerial: state.nextSerial,
		slots,
		equipped,
		currencies,
	};
}

/**
 * A copy of an inventory that shares its stacks with the original (stacks are values that
 * operations replace, never change), for a scratch state the operations may change. Internal.
 */
export function scratchInventory(state: InventoryState): InventoryState {
	return copyInventory(state, (stack) => stack);
}

/**
 * Puts `state` back, in place (the profile holds it), to what a {@link scratchInventory} copy of
 * it held; the serial stays (it never goes back). Internal.
 */
export function restoreInventory(state: InventoryState, snapshot: InventoryState): void {
	for (let slot = 0; slot < state.capacity; slot++) state.slots[slot] = snapshot.slots[slot] ?? false;
	table.clear(state.equipped);
	for (const [equipSlot, id] of pairs(snapshot.equipped)) state.equipped[equipSlot] = id;
	table.clear(state.currencies);
	for (const [name, balance] of pairs(snapshot.currencies)) state.currencies[name] = balance;
}

/**
 * A deep copy of an inventory that shares no table with the original: a snapshot for a trade's
 * rollback, a client's replica, or a value to hand to storage.
 *
 * @example
 * ```ts
 * import { cloneInventory, createInventory } from "@rbxts/hopsafe";
 *
 * const live = createInventory(1, 8);
 * const snapshot = cloneInventory(live);
 * print(snapshot !== live);
 * ```
 */
export function cloneInventory(state: InventoryState): InventoryState {
	return copyInventory(state, cloneStack);
}
