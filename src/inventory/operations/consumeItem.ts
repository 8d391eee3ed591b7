import { Catalog } from "../catalog/types";
import { isCount } from "../integers";
import { InventoryState } from "../state/types";
import { InventoryResult } from "./change";
import { reject } from "./reasons";
import { claimStack } from "./stacks";
import { takeFromSlot } from "./takeFromSlot";

/**
 * Uses up `count` (default 1) of the consumable in `slot`, which must hold the item `itemId`.
 * The change carries a `consumed` event for the system that applies the effect; a stack used
 * up entirely is destroyed and unequipped.
 *
 * Reasons: `invalid_slot`, `invalid_count`, `slot_empty`, `item_mismatch`, `unknown_def`,
 * `not_consumable`, `insufficient_count`.
 *
 * @example
 * ```ts
 * import { Catalog, InventoryState, consumeItem } from "@rbxts/hopsafe";
 *
 * function drink(catalog: Catalog, inventory: InventoryState, slot: number, itemId: string) {
 * 	const result = consumeItem(catalog, inventory, slot, itemId);
 * 	if (!result.ok) return result.error; // e.g. "not_consumable"
 * 	for (const event of result.value.events) {
 * 		if (event.kind === "consumed") print(`heal with ${event.count} ${event.def}`);
 * 	}
 * }
 * ```
 */
export function consumeItem(
	catalog: Catalog,
	state: InventoryState,
	slot: number,
	itemId: string,
	count = 1,
): InventoryResult {
	if (!isCount(count)) return reject("invalid_count");
	const stack = claimStack(state, slot, itemId);
	if (typeIs(stack, "string")) return reject(stack);
	const def = catalog.items.get(stack.def);
	if (def === undefined) return reject("unknown_def");
	if (!def.consumable) return reject("not_consumable");
	if (count > stack.count) return reject("insufficient_count");

	const events = [{ kind: "consumed" as const, itemId, def: stack.def, count }];
	return takeFromSlot(state, slot, stack, count, events);
}
