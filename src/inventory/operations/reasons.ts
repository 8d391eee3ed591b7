import { Err } from "../../core/result";

/**
 * Why an inventory operation was refused. A rejected operation changes nothing. The set is
 * closed: {@link REJECT_REASONS} describes each code and names the operations that produce it.
 */
export type RejectReason =
	| "unknown_def"
	| "invalid_count"
	| "invalid_slot"
	| "invalid_attrs"
	| "slot_empty"
	| "slot_occupied"
	| "same_slot"
	| "item_mismatch"
	| "not_owned"
	| "duplicate_item"
	| "not_stackable"
	| "def_mismatch"
	| "attrs_mismatch"
	| "stack_full"
	| "inventory_full"
	| "insufficient_count"
	| "not_consumable"
	| "not_equippable"
	| "wrong_equip_slot"
	| "already_equipped"
	| "not_equipped"
	| "not_tradeable"
	| "drop_not_found"
	| "drop_taken"
	| "drop_settling"
	| "unknown_currency"
	| "invalid_amount"
	| "insufficient_funds"
	| "invalid_step";

/**
 * The catalogue of reject reasons: each code with what it means and which operations produce
 * it. Typed as a record over {@link RejectReason}, so a code cannot be added without an entry.
 *
 * @example
 * ```ts
 * import { REJECT_REASONS } from "@rbxts/hopsafe";
 *
 * print(REJECT_REASONS.inventory_full);
 * ```
 */
export const REJECT_REASONS: Readonly<Record<RejectReason, string>> = table.freeze({
	unknown_def: "the item definition is not in the catalog (addItem; any operation on a stack whose def was removed)",
	invalid_count:
		"the count is not an integer in 1..2^53-1, or a drop holds more than a stack may (addItem, removeItem, consumeItem, splitStack, dropItem, pickUpDrop)",
	invalid_slot: "the slot is not an integer in 0..capacity-1 (every operation that names a slot)",
	invalid_attrs: "the attributes are not a table of string keys to strings, booleans or finite numbers (addItem)",
	slot_empty: "the named slot holds nothing (operations that name a slot)",
	slot_occupied: "the target slot must be empty (splitStack)",
	same_slot: "the source and target slot are the same (moveItem, mergeStacks, splitStack)",
	item_mismatch:
		"the slot or equip slot does not hold the item the caller names, as when a client spoofs a slot (operations that name a slot, unequipItem)",
	not_owned: "no stack in the inventory has that id (removeItem)",
	duplicate_item: "the inventory already holds an item with that id: taking it would be a dupe (pickUpDrop)",
	not_stackable: "the item is unique, so it cannot be split or merged (splitStack, mergeStacks)",
	def_mismatch: "the two stacks hold different items (mergeStacks)",
	attrs_mismatch: "the two stacks have different attributes (mergeStacks)",
	stack_full: "the target stack already holds maxStack (mergeStacks)",
	inventory_full: "there is no room for the items (addItem, pickUpDrop)",
	insufficient_count:
		"the stack holds fewer than asked; a split must leave at least one (removeItem, consumeItem, splitStack, dropItem)",
	not_consumable: "the item is not consumable (consumeItem)",
	not_equippable: "the item has no equip slots (equipItem)",
	wrong_equip_slot: "the item cannot go into that equip slot (equipItem)",
	already_equipped: "the item is already in that equip slot (equipItem)",
	not_equipped: "the equip slot is empty (unequipItem)",
	not_tradeable: "the item may not leave its owner (dropItem)",
	drop_not_found: "no world drop has that token (pickUpDrop)",
	drop_taken: "the drop was already picked up (pickUpDrop)",
	drop_settling:
		"the dropper's profile is not saved without the drop yet; it can be picked up in a moment (pickUpDrop)",
	unknown_currency: "the currency is not in the catalog (adjustCurrency)",
	invalid_amount: "the delta is not a non-zero integer, or the balance would pass 2^53-1 (adjustCurrency)",
	insufficient_funds: "the balance would go negative (adjustCurrency)",
	invalid_step:
		"the steps are not an array of at most 64 steps, or a step names no operation (applySteps, the service's transact)",
});

/** Whether `value` is one of the reject reason codes (for reasons read back from a remote or a log). */
export function isRejectReason(value: unknown): value is RejectReason {
	return typeIs(value, "string") && (REJECT_REASONS as Record<string, string | undefined>)[value] !== undefined;
}

const REJECTIONS = new Map<string, Err<RejectReason>>();
for (const [reason] of pairs(REJECT_REASONS)) REJECTIONS.set(reason, table.freeze({ ok: false, error: reason }));

/** The failed result for `reason`: one frozen value per code, so a rejection allocates nothing. */
export function reject(reason: RejectReason): Err<RejectReason> {
	return REJECTIONS.get(reason)!;
}
