import { ok } from "../../core/result";
import { Catalog } from "../catalog/types";
import { InventoryState } from "../state/types";
import { EquipChange, InventoryResult, NONE } from "./change";
import { reject } from "./reasons";
import { claimStack, equipSlotOf } from "./stacks";

/**
 * Equips the item in `slot` (which must hold `itemId`) into the equip slot `equipSlot`. The
 * equip slot stores a reference (the id); the item stays in its slot. An item already equipped
 * elsewhere moves, and the equip slot's previous occupant is unequipped.
 *
 * Reasons: `invalid_slot`, `slot_empty`, `item_mismatch`, `unknown_def`, `not_equippable`,
 * `wrong_equip_slot`, `already_equipped`.
 *
 * @example
 * ```ts
 * import { Catalog, InventoryState, equipItem } from "@rbxts/hopsafe";
 *
 * function wield(catalog: Catalog, inventory: InventoryState, slot: number, itemId: string) {
 * 	const result = equipItem(catalog, inventory, slot, itemId, "weapon");
 * 	return result.ok ? "equipped" : result.error;
 * }
 * ```
 */
export function equipItem(
	catalog: Catalog,
	state: InventoryState,
	slot: number,
	itemId: string,
	equipSlot: string,
): InventoryResult {
	const stack = claimStack(state, slot, itemId);
	if (typeIs(stack, "string")) return reject(stack);
	const def = catalog.items.get(stack.def);
	if (def === undefined) return reject("unknown_def");
	const allowed = def.equipSlots;
	if (allowed.size() === 0) return reject("not_equippable");
	if (!allowed.includes(equipSlot)) return reject("wrong_equip_slot");
	if (state.equipped[equipSlot] === itemId) return reject("already_equipped");

	const from = equipSlotOf(state, itemId);
	state.equipped[equipSlot] = itemId;
	let equipped: ReadonlyArray<EquipChange>;
	if (from === undefined) equipped = [[equipSlot, itemId]];
	else {
		delete state.equipped[from];
		equipped = [
			[from, false],
			[equipSlot, itemId],
		];
	}
	return ok({ slots: NONE, equipped, currencies: NONE, minted: NONE, destroyed: NONE, events: NONE });
}
