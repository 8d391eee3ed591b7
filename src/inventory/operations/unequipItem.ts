import { ok } from "../../core/result";
import { InventoryState } from "../state/types";
import { InventoryResult, NONE } from "./change";
import { reject } from "./reasons";

/**
 * Empties the equip slot `equipSlot`; the item stays in the inventory. When `itemId` is given
 * (a client's claim), the equip slot must hold that item.
 *
 * Reasons: `not_equipped`, `item_mismatch`.
 *
 * @example
 * ```ts
 * import { InventoryState, unequipItem } from "@rbxts/hopsafe";
 *
 * function sheathe(inventory: InventoryState) {
 * 	return unequipItem(inventory, "weapon").ok;
 * }
 * ```
 */
export function unequipItem(state: InventoryState, equipSlot: string, itemId?: string): InventoryResult {
	const current = typeIs(equipSlot, "string") ? (state.equipped[equipSlot] as string | undefined) : undefined;
	if (current === undefined) return reject("not_equipped");
	if (itemId !== undefined && itemId !== current) return reject("item_mismatch");

	delete state.equipped[equipSlot];
	return ok({
		slots: NONE,
		equipped: [[equipSlot, false]],
		currencies: NONE,
		minted: NONE,
		destroyed: NONE,
		events: NONE,
	});
}
