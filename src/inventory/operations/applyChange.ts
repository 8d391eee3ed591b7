import { InventoryState } from "../state/types";
import { InventoryChange } from "./change";

/**
 * Applies a change record to a replica of an inventory: what the owning client does with each
 * delta it receives, in order. Starting from a copy of the server's state, applying every
 * change the server made, in order, gives exactly the server's state. `minted`, `destroyed`
 * and `events` describe the change and need nothing applied.
 *
 * @example
 * ```ts
 * import { InventoryChange, InventoryState, applyChange } from "@rbxts/hopsafe";
 *
 * function onDelta(replica: InventoryState, change: InventoryChange) {
 * 	applyChange(replica, change);
 * }
 * ```
 */
export function applyChange(state: InventoryState, change: InventoryChange): void {
	for (const [slot, stack] of change.slots) state.slots[slot] = stack;
	for (const [equipSlot, itemId] of change.equipped) {
		if (itemId === false) delete state.equipped[equipSlot];
		else state.equipped[equipSlot] = itemId;
	}
	for (const [currency, balance] of change.currencies) state.currencies[currency] = balance;
	if (change.nextSerial !== undefined) state.nextSerial = change.nextSerial;
}
