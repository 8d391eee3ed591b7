import { Ok, Result } from "../../core/result";
import { ItemStack } from "../state/types";
import { WorldDrop } from "../drops/types";
import { RejectReason } from "./reasons";

/** A slot's new content: `false` when it became empty. */
export type SlotChange = readonly [slot: number, stack: ItemStack | false];

/** An equip slot's new occupant: `false` when it became empty. */
export type EquipChange = readonly [equipSlot: string, itemId: string | false];

/** A currency's new balance. */
export type CurrencyChange = readonly [currency: string, balance: number];

/**
 * Something other systems react to, beyond the new state:
 * - `consumed`: a consumable was used up; the combat system applies its effect.
 * - `dropped`: the item left the inventory as a world drop (already in the registry); the
 *   service spawns it in the world.
 * - `pickedUp`: a world drop entered the inventory; the service removes it from the world.
 */
export type InventoryEvent =
	| { readonly kind: "consumed"; readonly itemId: string; readonly def: string; readonly count: number }
	| { readonly kind: "dropped"; readonly drop: WorldDrop }
	| {
			readonly kind: "pickedUp";
			readonly token: string;
			readonly itemId: string;
			readonly def: string;
			readonly count: number;
	  };

/**
 * What one successful operation changed: a delta the replication layer sends to the owning
 * client, which applies it with {@link applyChange}. Applying every change in order to a copy
 * of the state before them gives exactly the server's state. Lists that did not change are a
 * shared empty (frozen) array, so never push to one; every value is JSON-safe.
 *
 * - `slots`: the new content of each changed slot (a stack is a value: it is never modified later).
 * - `equipped`: the new occupant of each changed equip slot.
 * - `currencies`: the new balance of each changed currency.
 * - `minted`: ids created by the operation (new stacks from `addItem`, `splitStack`, a partial drop).
 * - `destroyed`: ids that ceased to exist (used up, removed, merged away). An item that moves to
 *   a world drop or back is neither: it keeps its id.
 * - `events`: see {@link InventoryEvent}.
 * - `nextSerial`: the inventory's new serial, present when ids were minted.
 */
export interface InventoryChange {
	readonly slots: ReadonlyArray<SlotChange>;
	readonly equipped: ReadonlyArray<EquipChange>;
	readonly currencies: ReadonlyArray<CurrencyChange>;
	readonly minted: ReadonlyArray<string>;
	readonly destroyed: ReadonlyArray<string>;
	readonly events: ReadonlyArray<InventoryEvent>;
	readonly nextSerial?: number;
}

/** The outcome of an inventory operation: the change it made, or why it made none. */
export type InventoryResult = Result<InventoryChange, RejectReason>;

/** The successful outcome of an inventory operation. */
export type InventoryOk = Ok<InventoryChange>;

/** The shared empty list for the parts of a change that did not change. */
export const NONE: ReadonlyArray<never> = table.freeze([]);

/** A change that changed nothing (frozen; spread it to add `nextSerial`). */
export const NO_CHANGE: InventoryChange = table.freeze({
	slots: NONE,
	equipped: NONE,
	currencies: NONE,
	minted: NONE,
	destroyed: NONE,
	events: NONE,
});
