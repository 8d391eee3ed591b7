import { ok } from "../../core/result";
import { Catalog } from "../catalog/types";
import { isCount } from "../integers";
import { mintItemId } from "../state/mintItemId";
import { InventoryState, ItemStack } from "../state/types";
import { InventoryResult, NONE } from "./change";
import { reject } from "./reasons";
import { claimStack, isSlotIndex, withCount } from "./stacks";

/**
 * Splits `count` items off the stack in slot `from` (which must hold `itemId`) into the empty
 * slot `to`, as a new stack with a newly minted id and the same attributes. At least one item
 * must stay behind (moving a whole stack is `moveItem`).
 *
 * Reasons: `invalid_slot`, `invalid_count`, `slot_empty`, `item_mismatch`, `same_slot`,
 * `slot_occupied`, `unknown_def`, `not_stackable`, `insufficient_count`.
 *
 * @example
 * ```ts
 * import { Catalog, InventoryState, splitStack } from "@rbxts/hopsafe";
 *
 * function halve(catalog: Catalog, inventory: InventoryState, from: number, itemId: string, to: number) {
 * 	const stack = inventory.slots[from];
 * 	if (stack === false) return;
 * 	const result = splitStack(catalog, inventory, from, itemId, math.floor(stack.count / 2), to);
 * 	if (result.ok) print(`new stack ${result.value.minted[0]}`);
 * }
 * ```
 */
export function splitStack(
	catalog: Catalog,
	state: InventoryState,
	from: number,
	itemId: string,
	count: number,
	to: number,
): InventoryResult {
	const stack = claimStack(state, from, itemId);
	if (typeIs(stack, "string")) return reject(stack);
	if (!isSlotIndex(state, to)) return reject("invalid_slot");
	if (!isCount(count)) return reject("invalid_count");
	if (to === from) return reject("same_slot");
	if (state.slots[to] !== false) return reject("slot_occupied");
	const def = catalog.items.get(stack.def);
	if (def === undefined) return reject("unknown_def");
	if (!def.stackable) return reject("not_stackable");
	if (count >= stack.count) return reject("insufficient_count");

	const rest = withCount(stack, stack.count - count);
	const split: ItemStack = { id: mintItemId(state), def: stack.def, count, attrs: stack.attrs };
	state.slots[from] = rest;
	state.slots[to] = split;
	return ok({
		slots: [
			[from, rest],
			[to, split],
		],
		equipped: NONE,
		currencies: NONE,
		minted: [split.id],
		destroyed: NONE,
		events: NONE,
		nextSerial: state.nextSerial,
	});
}
