import { ok } from "../../core/result";
import { InventoryState } from "../state/types";
import { InventoryResult, NONE } from "./change";
import { reject } from "./reasons";
import { claimStack, isSlotIndex } from "./stacks";

/**
 * Moves the item in slot `from` (which must hold `itemId`) to slot `to`, swapping with whatever
 * is there. Ids and equipped references are unaffected.
 *
 * Reasons: `invalid_slot`, `slot_empty`, `item_mismatch`, `same_slot`.
 *
 * @example
 * ```ts
 * import { InventoryState, moveItem } from "@rbxts/hopsafe";
 *
 * function drag(inventory: InventoryState, from: number, itemId: string, to: number) {
 * 	return moveItem(inventory, from, itemId, to);
 * }
 * ```
 */
export function moveItem(state: InventoryState, from: number, itemId: string, to: number): InventoryResult {
	const stack = claimStack(state, from, itemId);
	if (typeIs(stack, "string")) return reject(stack);
	if (!isSlotIndex(state, to)) return reject("invalid_slot");
	if (to === from) return reject("same_slot");

	const other = state.slots[to];
	state.slots[to] = stack;
	state.slots[from] = other;
	return ok({
		slots: [
			[from, other],
			[to, stack],
		],
		equipped: NONE,
		currencies: NONE,
		minted: NONE,
		destroyed: NONE,
		events: NONE,
	});
}
