import { ok } from "../../core/result";
import { InventoryState, ItemStack } from "../state/types";
import { InventoryEvent, InventoryOk, NONE } from "./change";
import { unequipLeaving, withCount } from "./stacks";

/**
 * Takes `count` (already checked to be at most the stack's count) from the stack in `slot`: the
 * stack shrinks, or, taken whole, is destroyed and unequipped. Shared by removing and consuming.
 */
export function takeFromSlot(
	state: InventoryState,
	slot: number,
	stack: ItemStack,
	count: number,
	events: ReadonlyArray<InventoryEvent>,
): InventoryOk {
	if (count < stack.count) {
		const updated = withCount(stack, stack.count - count);
		state.slots[slot] = updated;
		return ok({
			slots: [[slot, updated]],
			equipped: NONE,
			currencies: NONE,
			minted: NONE,
			destroyed: NONE,
			events,
		});
	}
	state.slots[slot] = false;
	return ok({
		slots: [[slot, false]],
		equipped: unequipLeaving(state, stack.id),
		currencies: NONE,
		minted: NONE,
		destroyed: [stack.id],
		events,
	});
}
