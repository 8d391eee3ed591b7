// The two directions between a slot inventory and the external authority's item list (the
// save API through the sync client). Pure: the link in authorityLink.ts applies the results.
// Internal to the service.
import type { SyncItem, SyncOp, SyncState } from "../../sync/types";
import type { Catalog } from "../catalog/types";
import { isSafeInteger } from "../integers";
import type { CurrencyChange, EquipChange, InventoryChange, SlotChange } from "../operations/change";
import { NONE } from "../operations/change";
import { attrsEqual } from "../operations/stacks";
import { isAttrValue } from "../state/attrs";
import { serialOf } from "../state/mintItemId";
import type { InventoryState, ItemAttrs, ItemAttrValue, ItemStack } from "../state/types";

/**
 * What the inventory last agreed on with the authority: the ids it placed in slots and the
 * currency balances. Removals and currency deltas are computed against it, so an item or coin
 * the authority gained meanwhile (another writer, a direct sync call) is never taken back.
 */
export interface AgreedState {
	ids: Set<string>;
	currencies: Map<string, number>;
}

/** The ids in the inventory's slots, each with its stack. */
function stacksById(state: InventoryState): Map<string, ItemStack> {
	const byId = new Map<string, ItemStack>();
	for (let slot = 0; slot < state.capacity; slot++) {
		const stack = state.slots[slot];
		if (stack !== false) byId.set(stack.id, stack);
	}
	return byId;
}

/** The agreement after the inventory and the authority hold the same things. */
export function agreementOf(catalog: Catalog, state: InventoryState): AgreedState {
	const ids = new Set<string>();
	for (const [id] of stacksById(state)) ids.add(id);
	const currencies = new Map<string, number>();
	for (const currency of catalog.currencies) currencies.set(currency, state.currencies[currency] ?? 0);
	return { ids, currencies };
}

function grantOf(stack: ItemStack, attrs: Record<string, unknown> | undefined): SyncOp {
	return {
		op: "item.grant",
		item: { id: stack.id, def: stack.def, count: stack.count, attrs: attrs ?? { ...(stack.attrs ?? {}) } },
	};
}

/**
 * The authority operations that make it hold what the inventory now holds, or `undefined` when
 * the two disagree about something the inventory did not just change (the inventory holds an
 * id it agreed on that the authority has lost, or one it never agreed on that the authority
 * has): the caller then resyncs instead of writing.
 *
 * A stack that grew (a merge, a grant topping a stack up) is removed and granted again with its
 * id in the same transaction: the API has no raise, and the removal names the exact count the
 * inventory agreed on, so a concurrent change to that stack makes the API refuse the whole
 * transaction instead of overwriting it.
 */
export function mirrorOps(
	catalog: Catalog,
	state: InventoryState,
	authority: SyncState,
	agreed: AgreedState,
): Array<SyncOp> | undefined {
	const ops = new Array<SyncOp>();
	const current = stacksById(state);
	for (const id of agreed.ids) {
		if (current.has(id)) continue;
		const held = authority.items[id] as SyncItem | undefined;
		if (held !== undefined) ops.push({ op: "item.remove", id, count: held.count });
	}
	for (const [id, stack] of current) {
		const held = authority.items[id] as SyncItem | undefined;
		if (held === undefined) {
			if (agreed.ids.has(id)) return undefined;
			ops.push(grantOf(stack, undefined));
		} else if (!agreed.ids.has(id)) {
			return undefined;
		} else if (stack.count < held.count) {
			ops.push({ op: "item.remove", id, count: held.count - stack.count });
		} else if (stack.count > held.count) {
			ops.push({ op: "item.remove", id, count: held.count });
			ops.push(grantOf(stack, held.attrs));
		}
	}
	for (const currency of catalog.currencies) {
		const delta = (state.currencies[currency] ?? 0) - (agreed.currencies.get(currency) ?? 0);
		if (delta !== 0) ops.push({ op: "currency.add", currency, amount: delta });
	}
	return ops;
}

/** The attribute values a slot stack can hold (plain, finite); undefined when none are left. */
export function plainAttrs(attrs: Record<string, unknown>): ItemAttrs | undefined {
	let plain: Record<string, ItemAttrValue> | undefined;
	for (const [key, value] of pairs(attrs)) {
		if (typeIs(key, "string") && isAttrValue(value)) {
			plain ??= {};
			plain[key] = value;
		}
	}
	return plain;
}

/** Whether the catalog allows the authority's item in a slot (a known def, a count that fits). */
function fits(catalog: Catalog, item: SyncItem): boolean {
	const def = catalog.items.get(item.def);
	return def !== undefined && isSafeInteger(item.count) && item.count >= 1 && item.count <= def.maxStack;
}

/** What a resync did: the change to replicate, and the authority's items that have no slot. */
export interface Resync {
	readonly change: InventoryChange | undefined;
	/** Items the inventory cannot show: an unknown def, a count over the stack limit, or no free slot. */
	readonly unplaced: ReadonlyArray<SyncItem>;
}

/**
 * Makes the inventory hold what the authority holds, keeping the layout: a stack the authority
 * no longer has leaves its slot (and its equip slot), a changed count or attributes replaces the
 * stack in place, and an item the inventory does not show yet goes to the first free slot (in
 * id order). Balances of the catalog's currencies are set to the authority's. Returns the
 * change to replicate (undefined when nothing changed).
 */
export function resyncInventory(catalog: Catalog, state: InventoryState, authority: SyncState): Resync {
	const slotChanges = new Array<SlotChange>();
	const equipChanges = new Array<EquipChange>();
	const currencyChanges = new Array<CurrencyChange>();
	const destroyed = new Array<string>();
	const shown = new Set<string>();

	for (let slot = 0; slot < state.capacity; slot++) {
		const stack = state.slots[slot];
		if (stack === false) continue;
		const held = authority.items[stack.id] as SyncItem | undefined;
		if (held === undefined || held.def !== stack.def || !fits(catalog, held)) {
			state.slots[slot] = false;
			slotChanges.push([slot, false]);
			destroyed.push(stack.id);
			continue;
		}
		shown.add(stack.id);
		const attrs = plainAttrs(held.attrs);
		if (held.count !== stack.count || !attrsEqual(attrs, stack.attrs)) {
			const replaced: ItemStack = { id: stack.id, def: stack.def, count: held.count, attrs };
			state.slots[slot] = replaced;
			slotChanges.push([slot, replaced]);
		}
	}
	for (const [equipSlot, id] of pairs(state.equipped)) {
		if (!shown.has(id)) equipChanges.push([equipSlot, false]);
	}
	for (const [equipSlot] of equipChanges) delete state.equipped[equipSlot];

	const arriving = new Array<SyncItem>();
	const unplaced = new Array<SyncItem>();
	for (const [id, item] of pairs(authority.items)) {
		if (shown.has(id)) continue;
		if (fits(catalog, item)) arriving.push(item);
		else unplaced.push(item);
	}
	arriving.sort((a, b) => a.id < b.id);
	let free = 0;
	let nextSerial = state.nextSerial;
	for (const item of arriving) {
		while (free < state.capacity && state.slots[free] !== false) free++;
		if (free >= state.capacity) {
			unplaced.push(item);
			continue;
		}
		const stack: ItemStack = { id: item.id, def: item.def, count: item.count, attrs: plainAttrs(item.attrs) };
		state.slots[free] = stack;
		slotChanges.push([free, stack]);
		// An id in this inventory's own series must never be minted again.
		const serial = serialOf(state.owner, item.id);
		if (serial !== undefined && serial >= nextSerial) nextSerial = serial + 1;
	}

	for (const currency of catalog.currencies) {
		const balance = (authority.currencies[currency] as number | undefined) ?? 0;
		if ((state.currencies[currency] ?? 0) !== balance) {
			state.currencies[currency] = balance;
			currencyChanges.push([currency, balance]);
		}
	}

	const serialMoved = nextSerial !== state.nextSerial;
	state.nextSerial = nextSerial;
	if (slotChanges.size() + equipChanges.size() + currencyChanges.size() === 0 && !serialMoved) {
		return { change: undefined, unplaced };
	}
	return {
		change: {
			slots: slotChanges,
			equipped: equipChanges.size() > 0 ? equipChanges : NONE,
			currencies: currencyChanges.size() > 0 ? currencyChanges : NONE,
			minted: NONE,
			destroyed: destroyed.size() > 0 ? destroyed : NONE,
			events: NONE,
			nextSerial: serialMoved ? nextSerial : undefined,
		},
		unplaced,
	};
}
