import { makeError } from "../../core/errors";
import { isSafeInteger } from "../integers";
import { InventoryState, ItemStack } from "./types";

/** Upper bound on slots: a profile must stay far below the DataStore's 4 MB. */
export const MAX_CAPACITY = 1000;

/**
 * A new, empty inventory of `capacity` slots for the player `owner` (their user id). Throws
 * an `InvalidArgument` hopsafe error for a non-integer owner or a capacity outside 1..1000.
 *
 * @example
 * ```ts
 * import { createInventory } from "@rbxts/hopsafe";
 *
 * const inventory = createInventory(123456, 24);
 * print(inventory.slots.size()); // 24, every slot `false`
 * ```
 */
export function createInventory(owner: number, capacity: number): InventoryState {
	if (!isSafeInteger(owner)) throw makeError("InvalidArgument", "owner must be a user id", { argument: "owner" });
	if (!isSafeInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY) {
		throw makeError("InvalidArgument", `capacity must be an integer in 1..${MAX_CAPACITY}`, {
			argument: "capacity",
		});
	}
	const slots = new Array<ItemStack | false>(capacity, false);
	return { owner, capacity, nextSerial: 1, slots, equipped: {}, currencies: {} };
}
