import { ok } from "../../core/result";
import { Catalog } from "../catalog/types";
import { isCount } from "../integers";
import { mintItemId } from "../state/mintItemId";
import { InventoryState, ItemAttrValue, ItemAttrs, ItemStack } from "../state/types";
import { InventoryResult, NONE, SlotChange } from "./change";
import { reject } from "./reasons";
import { attrsEqual, withCount } from "./stacks";

const MAX_ATTRS = 32;
const MAX_ATTR_STRING = 256;

/** A frozen copy of `attrs` if they are plain and JSON-safe, undefined for none, false if invalid. */
function copyAttrs(attrs: unknown): ItemAttrs | undefined | false {
	if (attrs === undefined) return undefined;
	if (!typeIs(attrs, "table") || getmetatable(attrs) !== undefined) return false;
	const copy: Record<string, ItemAttrValue> = {};
	let size = 0;
	for (const [key, value] of pairs(attrs)) {
		size += 1;
		if (size > MAX_ATTRS || !typeIs(key, "string") || key.size() === 0 || key.size() > 64) return false;
		if (typeIs(value, "number")) {
			if (value !== value || value === math.huge || value === -math.huge) return false;
		} else if (typeIs(value, "string")) {
			if (value.size() > MAX_ATTR_STRING || utf8.len(value)[0] === undefined) return false;
		} else if (!typeIs(value, "boolean")) return false;
		copy[key] = value;
	}
	return size === 0 ? undefined : table.freeze(copy);
}

/**
 * Grants `count` items of the definition `defKey`: first tops up existing stacks of that item
 * (with the same attributes), then fills empty slots with new stacks, each with a freshly
 * minted id. All or nothing: `inventory_full` if they do not all fit. Unique items take one
 * slot each.
 *
 * Reasons: `unknown_def`, `invalid_count`, `invalid_attrs`, `inventory_full`.
 *
 * @example
 * ```ts
 * import { addItem, createInventory, defineCatalog } from "@rbxts/hopsafe";
 *
 * const catalog = defineCatalog([{ key: "potion", stackable: true, maxStack: 20 }]);
 * const inventory = createInventory(1, 10);
 * const result = addItem(catalog, inventory, "potion", 25);
 * if (result.ok) print(result.value.minted.size()); // 2: stacks of 20 and 5
 * else warn(result.error);
 * ```
 */
export function addItem(
	catalog: Catalog,
	state: InventoryState,
	defKey: string,
	count: number,
	attrs?: ItemAttrs,
): InventoryResult {
	const def = typeIs(defKey, "string") ? catalog.items.get(defKey) : undefined;
	if (def === undefined) return reject("unknown_def");
	if (!isCount(count)) return reject("invalid_count");
	const stackAttrs = copyAttrs(attrs);
	if (stackAttrs === false) return reject("invalid_attrs");

	// Validate: count the room before touching anything.
	const maxStack = def.maxStack;
	const slots = state.slots;
	const capacity = state.capacity;
	let room = 0;
	for (let slot = 0; slot < capacity && room < count; slot++) {
		const stack = slots[slot];
		if (stack === false) room += maxStack;
		else if (
			def.stackable &&
			stack.def === defKey &&
			stack.count < maxStack &&
			attrsEqual(stack.attrs, stackAttrs)
		) {
			room += maxStack - stack.count;
		}
	}
	if (room < count) return reject("inventory_full");

	// Mutate: top up, then fill empty slots.
	const changed = new Array<SlotChange>();
	let left = count;
	if (def.stackable) {
		for (let slot = 0; slot < capacity && left > 0; slot++) {
			const stack = slots[slot];
			if (
				stack !== false &&
				stack.def === defKey &&
				stack.count < maxStack &&
				attrsEqual(stack.attrs, stackAttrs)
			) {
				const moved = math.min(left, maxStack - stack.count);
				const updated = withCount(stack, stack.count + moved);
				slots[slot] = updated;
				changed.push([slot, updated]);
				left -= moved;
			}
		}
	}
	if (left === 0) {
		return ok({ slots: changed, equipped: NONE, currencies: NONE, minted: NONE, destroyed: NONE, events: NONE });
	}
	const minted = new Array<string>();
	for (let slot = 0; slot < capacity && left > 0; slot++) {
		if (slots[slot] === false) {
			const put = math.min(left, maxStack);
			const stack: ItemStack = { id: mintItemId(state), def: defKey, count: put, attrs: stackAttrs };
			slots[slot] = stack;
			changed.push([slot, stack]);
			minted.push(stack.id);
			left -= put;
		}
	}
	return ok({
		slots: changed,
		equipped: NONE,
		currencies: NONE,
		minted,
		destroyed: NONE,
		events: NONE,
		nextSerial: state.nextSerial,
	});
}
