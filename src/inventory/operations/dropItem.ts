import { ok } from "../../core/result";
import { Catalog } from "../catalog/types";
import { DropRegistry } from "../drops/DropRegistry";
import { WorldDrop } from "../drops/types";
import { isCount } from "../integers";
import { mintItemId } from "../state/mintItemId";
import { InventoryState, ItemStack } from "../state/types";
import { InventoryResult, NONE } from "./change";
import { reject } from "./reasons";
import { claimStack, unequipLeaving, withCount } from "./stacks";

/**
 * Drops `count` items (default: the whole stack) from `slot`, which must hold `itemId`, into
 * the world: the drop gets an ownership token from `drops` and is registered there before this
 * returns, so the item is always in exactly one place. A whole stack keeps its id (and is
 * unequipped); part of a stack leaves as a new stack with a newly minted id. The change's
 * `dropped` event carries the drop for the service to spawn.
 *
 * Reasons: `invalid_slot`, `invalid_count`, `slot_empty`, `item_mismatch`, `unknown_def`,
 * `not_tradeable`, `insufficient_count`.
 *
 * @example
 * ```ts
 * import { Catalog, DropRegistry, InventoryState, dropItem } from "@rbxts/hopsafe";
 *
 * function toss(catalog: Catalog, inventory: InventoryState, drops: DropRegistry, slot: number, itemId: string) {
 * 	const result = dropItem(catalog, inventory, drops, slot, itemId);
 * 	if (!result.ok) return;
 * 	for (const event of result.value.events) {
 * 		if (event.kind === "dropped") print(`spawn ${event.drop.stack.def} as ${event.drop.token}`);
 * 	}
 * }
 * ```
 */
export function dropItem(
	catalog: Catalog,
	state: InventoryState,
	drops: DropRegistry,
	slot: number,
	itemId: string,
	count?: number,
): InventoryResult {
	if (count !== undefined && !isCount(count)) return reject("invalid_count");
	const stack = claimStack(state, slot, itemId);
	if (typeIs(stack, "string")) return reject(stack);
	const def = catalog.items.get(stack.def);
	if (def === undefined) return reject("unknown_def");
	if (!def.tradeable) return reject("not_tradeable");
	const dropped = count ?? stack.count;
	if (dropped > stack.count) return reject("insufficient_count");

	const token = drops.mintToken();
	if (dropped === stack.count) {
		const drop: WorldDrop = { token, stack, owner: state.owner };
		state.slots[slot] = false;
		drops.put(drop);
		return ok({
			slots: [[slot, false]],
			equipped: unequipLeaving(state, itemId),
			currencies: NONE,
			minted: NONE,
			destroyed: NONE,
			events: [{ kind: "dropped", drop }],
		});
	}
	const rest = withCount(stack, stack.count - dropped);
	const part: ItemStack = { id: mintItemId(state), def: stack.def, count: dropped, attrs: stack.attrs };
	const drop: WorldDrop = { token, stack: part, owner: state.owner };
	state.slots[slot] = rest;
	drops.put(drop);
	return ok({
		slots: [[slot, rest]],
		equipped: NONE,
		currencies: NONE,
		minted: [part.id],
		destroyed: NONE,
		events: [{ kind: "dropped", drop }],
		nextSerial: state.nextSerial,
	});
}
