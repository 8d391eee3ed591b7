// Moving whole or partial stacks out of and into an inventory keeping their ids: the pure core
// of trades, gifts and escrows (the service entry points are in transfers.ts).
import { ok, type Result } from "../../core/result";
import type { Catalog } from "../catalog/types";
import { MAX_SAFE_INTEGER, isCount } from "../integers";
import {
	NONE,
	type CurrencyChange,
	type EquipChange,
	type InventoryChange,
	type SlotChange,
} from "../operations/change";
import { reject, type RejectReason } from "../operations/reasons";
import { findSlotOf, unequipLeaving, withCount } from "../operations/stacks";
import { mintItemId } from "../state/mintItemId";
import type { InventoryState, ItemAttrs, ItemStack } from "../state/types";

/** Names `count` items of the stack with id `id` (all of it, or part of a stackable). */
export interface StackClaim {
	readonly id: string;
	readonly count: number;
}

/**
 * Items and currency in transit between inventories (a trade's side, a gift, an escrow). Every
 * stack keeps the id it had; a part of a stack taken from an inventory was given a new id by
 * that inventory.
 */
export interface StackBundle {
	readonly stacks: ReadonlyArray<ItemStack>;
	/** Currency → amount (a positive integer). */
	readonly currency: Readonly<Record<string, number>>;
}

/** What {@link takeStacks} took, and the change it made to the inventory. */
export interface TakenStacks {
	readonly bundle: StackBundle;
	readonly change: InventoryChange;
}

function copyStack(stack: ItemStack): ItemStack {
	if (stack.attrs === undefined) return { id: stack.id, def: stack.def, count: stack.count };
	const attrs: Record<string, ItemAttrs[string]> = {};
	for (const [key, value] of pairs(stack.attrs)) attrs[key] = value;
	return { id: stack.id, def: stack.def, count: stack.count, attrs };
}

/**
 * Checks that `claims` and `currency` could be taken from `state`, changing nothing: every id
 * is held once (`not_owned`, `duplicate_item` for an id claimed twice), its definition is known
 * (`unknown_def`) and tradeable (`not_tradeable`), the count is 1..the stack's count
 * (`invalid_count`, `insufficient_count`); every currency is known (`unknown_currency`), the
 * amount a positive integer (`invalid_amount`) and covered (`insufficient_funds`).
 */
export function checkTake(
	catalog: Catalog,
	state: InventoryState,
	claims: ReadonlyArray<StackClaim>,
	currency: Readonly<Record<string, number>>,
): RejectReason | undefined {
	const seen = new Set<string>();
	for (const claim of claims) {
		if (!typeIs(claim, "table") || !typeIs(claim.id, "string")) return "not_owned";
		if (!isCount(claim.count)) return "invalid_count";
		if (seen.has(claim.id)) return "duplicate_item";
		seen.add(claim.id);
		const slot = findSlotOf(state, claim.id);
		if (slot < 0) return "not_owned";
		const stack = state.slots[slot] as ItemStack;
		const def = catalog.items.get(stack.def);
		if (def === undefined) return "unknown_def";
		if (!def.tradeable) return "not_tradeable";
		if (claim.count > stack.count) return "insufficient_count";
	}
	for (const [name, amount] of pairs(currency)) {
		if (!typeIs(name, "string") || !catalog.currencies.has(name)) return "unknown_currency";
		if (!isCount(amount)) return "invalid_amount";
		if ((state.currencies[name] ?? 0) < amount) return "insufficient_funds";
	}
	return undefined;
}

/**
 * Takes the claimed items and currency out of `state`, all or nothing (see {@link checkTake}
 * for the reasons). A stack taken whole leaves with its id (and is unequipped); a part of a
 * stackable is split off under a new id minted by this inventory. Nothing is destroyed: the
 * items are in the returned bundle.
 */
export function takeStacks(
	catalog: Catalog,
	state: InventoryState,
	claims: ReadonlyArray<StackClaim>,
	currency: Readonly<Record<string, number>>,
): Result<TakenStacks, RejectReason> {
	const refused = checkTake(catalog, state, claims, currency);
	if (refused !== undefined) return reject(refused);
	const slots = new Array<SlotChange>();
	const equipped = new Array<EquipChange>();
	const minted = new Array<string>();
	const taken = new Array<ItemStack>();
	for (const claim of claims) {
		const slot = findSlotOf(state, claim.id);
		const stack = state.slots[slot] as ItemStack;
		if (claim.count === stack.count) {
			state.slots[slot] = false;
			slots.push([slot, false]);
			for (const change of unequipLeaving(state, stack.id)) equipped.push(change);
			taken.push(copyStack(stack));
		} else {
			const rest = withCount(stack, stack.count - claim.count);
			state.slots[slot] = rest;
			slots.push([slot, rest]);
			const part: ItemStack = { id: mintItemId(state), def: stack.def, count: claim.count, attrs: stack.attrs };
			minted.push(part.id);
			taken.push(copyStack(part));
		}
	}
	const currencies = new Array<CurrencyChange>();
	const moved: Record<string, number> = {};
	for (const [name, amount] of pairs(currency)) {
		const balance = (state.currencies[name] ?? 0) - amount;
		state.currencies[name] = balance;
		currencies.push([name, balance]);
		moved[name] = amount;
	}
	const change: InventoryChange = {
		slots,
		equipped: equipped.size() > 0 ? equipped : NONE,
		currencies: currencies.size() > 0 ? currencies : NONE,
		minted: minted.size() > 0 ? minted : NONE,
		destroyed: NONE,
		events: NONE,
		nextSerial: minted.size() > 0 ? state.nextSerial : undefined,
	};
	return ok({ bundle: { stacks: taken, currency: moved }, change });
}

/**
 * Checks that `bundle` fits into `state`, changing nothing: one empty slot per stack
 * (`inventory_full`), known definitions (`unknown_def`), counts within the definition's
 * `maxStack` (`invalid_count`), no id the inventory already holds or that the bundle holds twice
 * (`duplicate_item`: that would be a dupe), known currencies (`unknown_currency`) and balances
 * that stay exact integers (`invalid_amount`).
 */
export function checkPut(catalog: Catalog, state: InventoryState, bundle: StackBundle): RejectReason | undefined {
	let free = 0;
	for (let slot = 0; slot < state.capacity; slot++) if (state.slots[slot] === false) free += 1;
	const seen = new Set<string>();
	for (const stack of bundle.stacks) {
		const def = catalog.items.get(stack.def);
		if (def === undefined) return "unknown_def";
		if (!isCount(stack.count) || stack.count > def.maxStack) return "invalid_count";
		if (seen.has(stack.id) || findSlotOf(state, stack.id) >= 0) return "duplicate_item";
		seen.add(stack.id);
	}
	if (free < bundle.stacks.size()) return "inventory_full";
	for (const [name, amount] of pairs(bundle.currency)) {
		if (!catalog.currencies.has(name)) return "unknown_currency";
		if (!isCount(amount) || (state.currencies[name] ?? 0) + amount > MAX_SAFE_INTEGER) return "invalid_amount";
	}
	return undefined;
}

/**
 * Puts every stack of `bundle` into its own empty slot (lowest first), keeping its id, and adds
 * its currency; all or nothing (see {@link checkPut} for the reasons). Stacks are not merged
 * into existing ones, so no id disappears.
 */
export function putStacks(
	catalog: Catalog,
	state: InventoryState,
	bundle: StackBundle,
): Result<InventoryChange, RejectReason> {
	const refused = checkPut(catalog, state, bundle);
	if (refused !== undefined) return reject(refused);
	const slots = new Array<SlotChange>();
	let slot = 0;
	for (const stack of bundle.stacks) {
		while (state.slots[slot] !== false) slot += 1;
		const placed = copyStack(stack);
		state.slots[slot] = placed;
		slots.push([slot, placed]);
	}
	const currencies = new Array<CurrencyChange>();
	for (const [name, amount] of pairs(bundle.currency)) {
		const balance = (state.currencies[name] ?? 0) + amount;
		state.currencies[name] = balance;
		currencies.push([name, balance]);
	}
	return ok({
		slots: slots.size() > 0 ? slots : NONE,
		equipped: NONE,
		currencies: currencies.size() > 0 ? currencies : NONE,
		minted: NONE,
		destroyed: NONE,
		events: NONE,
	});
}

/** How many empty slots `state` has. */
export function freeSlots(state: InventoryState): number {
	let free = 0;
	for (let slot = 0; slot < state.capacity; slot++) if (state.slots[slot] === false) free += 1;
	return free;
}
