import type { Catalog } from "../catalog/types";
import { findSlotOf } from "../operations/stacks";
import { equippedAttribute } from "../protocol/names";
import type { PlayerEntry } from "../service/entry";

/**
 * Writes what other players may see of an inventory: one Player attribute per equip slot
 * holding a visible item (`Equipped_<slot>` = the item's def key). Nothing else of the
 * inventory leaves the server for other players. Only attributes that changed are written.
 */
export function writeEquippedAttributes(entry: PlayerEntry, catalog: Catalog): void {
	const state = entry.state;
	const wanted = new Map<string, string>();
	for (const [equipSlot, itemId] of pairs(state.equipped)) {
		const slot = findSlotOf(state, itemId);
		const stack = slot >= 0 ? state.slots[slot] : false;
		if (stack === false) continue;
		if (catalog.items.get(stack.def)?.visibleWhenEquipped === true) {
			wanted.set(equippedAttribute(equipSlot), stack.def);
		}
	}
	const player = entry.player;
	const shown = entry.shown;
	for (const [name] of shown) {
		if (!wanted.has(name)) {
			shown.delete(name);
			player.SetAttribute(name, undefined);
		}
	}
	for (const [name, defKey] of wanted) {
		if (shown.get(name) !== defKey) {
			shown.set(name, defKey);
			player.SetAttribute(name, defKey);
		}
	}
}

/** Removes every attribute {@link writeEquippedAttributes} wrote (the session ended). */
export function clearEquippedAttributes(entry: PlayerEntry): void {
	for (const [name] of entry.shown) entry.player.SetAttribute(name, undefined);
	entry.shown.clear();
}
