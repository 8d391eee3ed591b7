import { isCount } from "../integers";
import { InventoryState, ItemStack } from "../state/types";
import { InventoryResult, NONE } from "./change";
import { reject } from "./reasons";
import { findSlotOf } from "./stacks";
import { takeFromSlot } from "./takeFromSlot";

/**
 * Removes `count` items from the stack with id `itemId` (a server-side decision: a sale, a
 * quest hand-in). A stack that reaches zero is destroyed and unequipped.
 *
 * Reasons: `invalid_count`, `not_owned`, `insufficient_count`.
 *
 * @example
 * ```ts
 * import { InventoryState, removeItem } from "@rbxts/hopsafe";
 *
 * function sellOne(inventory: InventoryState, itemId: string) {
 * 	const result = removeItem(inventory, itemId, 1);
 * 	return result.ok;
 * }
 * ```
 */
export function removeItem(state: InventoryState, itemId: string, count: number): InventoryResult {
	if (!isCount(count)) return reject("invalid_count");
	const slot = typeIs(itemId, "string") ? findSlotOf(state, itemId) : -1;
	if (slot < 0) return reject("not_owned");
	const stack = state.slots[slot] as ItemStack;
	if (count > stack.count) return reject("insufficient_count");

	return takeFromSlot(state, slot, stack, count, NONE);
}
