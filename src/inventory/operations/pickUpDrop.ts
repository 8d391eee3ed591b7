import { ok } from "../../core/result";
import { Catalog } from "../catalog/types";
import { DropRegistry } from "../drops/DropRegistry";
import { isCount } from "../integers";
import { InventoryState } from "../state/types";
import { InventoryResult, NONE, SlotChange } from "./change";
import { reject } from "./reasons";
import { attrsEqual, findSlotOf, withCount } from "./stacks";

/**
 * Picks up the world drop with `token`. Of any number of pickups of one drop, exactly one
 * succeeds: the drop is taken from `drops` in the same step as it enters the inventory. The
 * stack goes whole into the first empty slot, keeping its id; with no empty slot, a stackable
 * drop may instead top up stacks of the same item (its id is then destroyed). A pickup that
 * does not fit changes nothing and leaves the drop in the world.
 *
 * Reasons: `drop_not_found`, `drop_taken`, `drop_settling`, `unknown_def`, `invalid_count` (a drop larger than a
 * stack may hold), `duplicate_item`, `inventory_full`.
 *
 * @example
 * ```ts
 * import { Catalog, DropRegistry, InventoryState, pickUpDrop } from "@rbxts/hopsafe";
 *
 * function touch(catalog: Catalog, inventory: InventoryState, drops: DropRegistry, token: string) {
 * 	const result = pickUpDrop(catalog, inventory, drops, token);
 * 	if (!result.ok && result.error === "drop_taken") print("someone was faster");
 * }
 * ```
 */
export function pickUpDrop(
	catalog: Catalog,
	state: InventoryState,
	drops: DropRegistry,
	token: string,
): InventoryResult {
	const drop = typeIs(token, "string") ? drops.get(token) : undefined;
	if (drop === undefined)
		return reject(typeIs(token, "string") && drops.wasTaken(token) ? "drop_taken" : "drop_not_found");
	if (drops.isSettling(token)) return reject("drop_settling");
	const stack = drop.stack;
	const def = catalog.items.get(stack.def);
	if (def === undefined) return reject("unknown_def");
	if (!isCount(stack.count) || stack.count > def.maxStack) return reject("invalid_count");
	if (findSlotOf(state, stack.id) >= 0) return reject("duplicate_item");

	const slots = state.slots;
	const capacity = state.capacity;
	let empty = -1;
	let room = 0;
	for (let slot = 0; slot < capacity; slot++) {
		const held = slots[slot];
		if (held === false) {
			empty = slot;
			break;
		}
		if (def.stackable && held.def === stack.def && attrsEqual(held.attrs, stack.attrs)) {
			room += math.max(0, def.maxStack - held.count);
		}
	}
	if (empty < 0 && room < stack.count) return reject("inventory_full");

	drops.take(token);
	const events = [{ kind: "pickedUp" as const, token, itemId: stack.id, def: stack.def, count: stack.count }];
	if (empty >= 0) {
		slots[empty] = stack;
		return ok({ slots: [[empty, stack]], equipped: NONE, currencies: NONE, minted: NONE, destroyed: NONE, events });
	}
	const changed = new Array<SlotChange>();
	let left = stack.count;
	for (let slot = 0; slot < capacity && left > 0; slot++) {
		const held = slots[slot];
		if (
			held !== false &&
			held.def === stack.def &&
			held.count < def.maxStack &&
			attrsEqual(held.attrs, stack.attrs)
		) {
			const moved = math.min(left, def.maxStack - held.count);
			const updated = withCount(held, held.count + moved);
			slots[slot] = updated;
			changed.push([slot, updated]);
			left -= moved;
		}
	}
	return ok({ slots: changed, equipped: NONE, currencies: NONE, minted: NONE, destroyed: [stack.id], events });
}
