import { ok } from "../../core/result";
import { Catalog } from "../catalog/types";
import { InventoryState } from "../state/types";
import { InventoryResult, NONE } from "./change";
import { reject } from "./reasons";
import { attrsEqual, claimStack, unequipLeaving, withCount } from "./stacks";

/**
 * Moves as many items as fit from the stack in slot `from` (holding `fromId`) into the stack
 * in slot `to` (holding `toId`): same stackable item, same attributes, up to `maxStack`. A
 * source stack that empties is destroyed (its id ceases to exist) and unequipped.
 *
 * Reasons: `invalid_slot`, `slot_empty`, `item_mismatch`, `same_slot`, `unknown_def`,
 * `not_stackable`, `def_mismatch`, `attrs_mismatch`, `stack_full`.
 *
 * @example
 * ```ts
 * import { Catalog, InventoryState, mergeStacks } from "@rbxts/hopsafe";
 *
 * function combine(catalog: Catalog, inventory: InventoryState, from: number, fromId: string, to: number, toId: string) {
 * 	const result = mergeStacks(catalog, inventory, from, fromId, to, toId);
 * 	if (result.ok && result.value.destroyed.size() > 0) print("the source stack is gone");
 * }
 * ```
 */
export function mergeStacks(
	catalog: Catalog,
	state: InventoryState,
	from: number,
	fromId: string,
	to: number,
	toId: string,
): InventoryResult {
	const source = claimStack(state, from, fromId);
	if (typeIs(source, "string")) return reject(source);
	const target = claimStack(state, to, toId);
	if (typeIs(target, "string")) return reject(target);
	if (to === from) return reject("same_slot");
	const def = catalog.items.get(source.def);
	if (def === undefined) return reject("unknown_def");
	if (!def.stackable) return reject("not_stackable");
	if (target.def !== source.def) return reject("def_mismatch");
	if (!attrsEqual(source.attrs, target.attrs)) return reject("attrs_mismatch");
	const room = def.maxStack - target.count;
	if (room <= 0) return reject("stack_full");

	const moved = math.min(room, source.count);
	const merged = withCount(target, target.count + moved);
	state.slots[to] = merged;
	if (moved < source.count) {
		const rest = withCount(source, source.count - moved);
		state.slots[from] = rest;
		return ok({
			slots: [
				[from, rest],
				[to, merged],
			],
			equipped: NONE,
			currencies: NONE,
			minted: NONE,
			destroyed: NONE,
			events: NONE,
		});
	}
	state.slots[from] = false;
	return ok({
		slots: [
			[from, false],
			[to, merged],
		],
		equipped: unequipLeaving(state, fromId),
		currencies: NONE,
		minted: NONE,
		destroyed: [fromId],
		events: NONE,
	});
}
