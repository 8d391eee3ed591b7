import type { Catalog } from "../inventory/catalog/types";
import type { DropRegistry } from "../inventory/drops/DropRegistry";
import type { InventoryResult } from "../inventory/operations/change";
import { consumeItem } from "../inventory/operations/consumeItem";
import { dropItem } from "../inventory/operations/dropItem";
import { equipItem } from "../inventory/operations/equipItem";
import { mergeStacks } from "../inventory/operations/mergeStacks";
import { moveItem } from "../inventory/operations/moveItem";
import { splitStack } from "../inventory/operations/splitStack";
import { unequipItem } from "../inventory/operations/unequipItem";
import type { IntentName } from "../inventory/protocol/intents";
import type { InventoryState } from "../inventory/state/types";

/**
 * Applies an intent to the client's replica with the same core operation the server runs, so
 * the prediction is what the server will do unless something changed meanwhile. Returns
 * undefined for intents the client cannot predict (a pick-up: the drop's contents are the
 * server's).
 */
export function predict(
	catalog: Catalog,
	state: InventoryState,
	drops: DropRegistry,
	intent: IntentName,
	args: ReadonlyArray<unknown>,
): InventoryResult | undefined {
	const a = args[0];
	const b = args[1];
	const c = args[2];
	const d = args[3];
	switch (intent) {
		case "consume":
			return consumeItem(catalog, state, a as number, b as string, c as number);
		case "move":
			return moveItem(state, a as number, b as string, c as number);
		case "split":
			return splitStack(catalog, state, a as number, b as string, c as number, d as number);
		case "merge":
			return mergeStacks(catalog, state, a as number, b as string, c as number, d as string);
		case "equip":
			return equipItem(catalog, state, a as number, b as string, c as string);
		case "unequip":
			return unequipItem(state, a as string, b as string);
		case "drop":
			return dropItem(catalog, state, drops, a as number, b as string, c as number);
		case "pickUp":
		case "resync":
			return undefined;
	}
}
