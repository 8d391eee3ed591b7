import { Catalog } from "./catalog/types";
import { MAX_SAFE_INTEGER, isSafeInteger } from "./integers";
import { MAX_CAPACITY } from "./state/createInventory";
import { isAttrValue } from "./state/attrs";
import { serialOf } from "./state/mintItemId";
import { InventoryState } from "./state/types";

const STATE_FIELDS: ReadonlySet<string> = new Set([
	"owner",
	"capacity",
	"nextSerial",
	"slots",
	"equipped",
	"currencies",
]);
const STACK_FIELDS: ReadonlySet<string> = new Set(["id", "def", "count", "attrs"]);

function checkAttrs(attrs: unknown, at: string, problems: Array<string>) {
	if (!typeIs(attrs, "table")) {
		problems.push(`${at}.attrs: not a table`);
		return;
	}
	let size = 0;
	for (const [key, value] of pairs(attrs)) {
		size += 1;
		if (!typeIs(key, "string")) problems.push(`${at}.attrs: key ${tostring(key)} is not a string`);
		if (!isAttrValue(value)) problems.push(`${at}.attrs.${tostring(key)}: not a string, boolean or finite number`);
	}
	if (size === 0) problems.push(`${at}.attrs: empty (omit it instead)`);
}

/** Checks every slot; returns the def key of each item id, for the equip checks. */
function checkSlots(state: InventoryState, catalog: Catalog, problems: Array<string>): Map<string, string> {
	const defsById = new Map<string, string>();
	const slots = state.slots as unknown;
	if (!typeIs(slots, "table")) {
		problems.push("slots: not a table");
		return defsById;
	}
	const capacity = isSafeInteger(state.capacity) ? state.capacity : 0;
	// Raw Luau keys, 1-based: anything but 1..capacity is a hole's neighbour or a stray key.
	for (const [key] of pairs(slots)) {
		if (!typeIs(key, "number") || key % 1 !== 0 || key < 1 || key > capacity) {
			problems.push(`slots: stray key ${tostring(key)} (the array must hold exactly capacity entries)`);
		}
	}
	for (let slot = 0; slot < capacity; slot++) {
		const stack = state.slots[slot] as unknown;
		const at = `slots[${slot}]`;
		if (stack === false) continue;
		if (stack === undefined) {
			problems.push(`${at}: a hole (empty slots hold false)`);
			continue;
		}
		if (!typeIs(stack, "table")) {
			problems.push(`${at}: not a stack or false`);
			continue;
		}
		for (const [field] of pairs(stack)) {
			if (!typeIs(field, "string") || !STACK_FIELDS.has(field))
				problems.push(`${at}: unknown field ${tostring(field)}`);
		}
		const { id, def: key, count, attrs } = stack as { id: unknown; def: unknown; count: unknown; attrs: unknown };
		if (!typeIs(id, "string") || id === "") problems.push(`${at}.id: not a non-empty string`);
		else {
			if (defsById.has(id)) problems.push(`${at}.id: ${id} appears twice (a dupe)`);
			const serial = serialOf(state.owner, id);
			if (serial !== undefined && isSafeInteger(state.nextSerial) && serial >= state.nextSerial) {
				problems.push(
					`${at}.id: ${id} is at or past nextSerial ${state.nextSerial}, so it would be minted again`,
				);
			}
			defsById.set(id, typeIs(key, "string") ? key : "");
		}
		const def = typeIs(key, "string") ? catalog.items.get(key) : undefined;
		if (def === undefined) problems.push(`${at}.def: ${tostring(key)} is not in the catalog`);
		const max = def?.maxStack ?? MAX_SAFE_INTEGER;
		if (!isSafeInteger(count) || count < 1 || count > max) {
			problems.push(`${at}.count: ${tostring(count)} is not an integer in 1..${max}`);
		}
		if (attrs !== undefined) checkAttrs(attrs, at, problems);
	}
	return defsById;
}

function checkEquipped(
	state: InventoryState,
	catalog: Catalog,
	defsById: Map<string, string>,
	problems: Array<string>,
) {
	const equipped = state.equipped as unknown;
	if (!typeIs(equipped, "table")) {
		problems.push("equipped: not a table");
		return;
	}
	const seen = new Map<string, string>();
	for (const [equipSlot, id] of pairs(equipped)) {
		const at = `equipped.${tostring(equipSlot)}`;
		if (!typeIs(equipSlot, "string")) problems.push(`${at}: the key is not a string`);
		if (!typeIs(id, "string")) {
			problems.push(`${at}: not an item id`);
			continue;
		}
		const key = defsById.get(id);
		if (key === undefined) {
			problems.push(`${at}: ${id} is not in the inventory (a dangling reference)`);
			continue;
		}
		const other = seen.get(id);
		if (other !== undefined) problems.push(`${at}: ${id} is also equipped in ${other}`);
		seen.set(id, tostring(equipSlot));
		const def = catalog.items.get(key);
		if (def !== undefined && !def.equipSlots.includes(equipSlot as string)) {
			problems.push(`${at}: ${id} (${key}) cannot go into ${tostring(equipSlot)}`);
		}
	}
}

function checkCurrencies(state: InventoryState, catalog: Catalog, problems: Array<string>) {
	const currencies = state.currencies as unknown;
	if (!typeIs(currencies, "table")) {
		problems.push("currencies: not a table");
		return;
	}
	for (const [name, balance] of pairs(currencies)) {
		const at = `currencies.${tostring(name)}`;
		if (!typeIs(name, "string")) problems.push(`${at}: the key is not a string`);
		else if (!catalog.currencies.has(name)) problems.push(`${at}: not a currency of the catalog`);
		if (!isSafeInteger(balance) || balance < 0) problems.push(`${at}: ${tostring(balance)} is not an integer >= 0`);
	}
}

/**
 * Lists every way `state` breaks the inventory invariants; an empty list means it holds them
 * all: `slots` has exactly `capacity` entries, each `false` or a stack of a catalog item whose
 * count is within 1..maxStack (1 for a unique item) with plain attributes; ids are unique and
 * none is at or past the serial the inventory will mint next; every equipped reference points
 * at an item in the inventory that may go into that equip slot, no item in two; balances are
 * integers >= 0 of catalog currencies; and nothing else is stored. Used by specs, on load, and
 * by the dupe census.
 *
 * @example
 * ```ts
 * import { Catalog, InventoryState, checkInventory } from "@rbxts/hopsafe";
 *
 * function audit(catalog: Catalog, inventory: InventoryState) {
 * 	for (const problem of checkInventory(inventory, catalog)) warn(problem);
 * }
 * ```
 */
export function checkInventory(state: InventoryState, catalog: Catalog): Array<string> {
	const problems = new Array<string>();
	if (!typeIs(state, "table")) {
		problems.push("inventory: not a table");
		return problems;
	}
	for (const [field] of pairs(state as object)) {
		if (!typeIs(field, "string") || !STATE_FIELDS.has(field))
			problems.push(`inventory: unknown field ${tostring(field)}`);
	}
	if (!isSafeInteger(state.owner)) problems.push(`owner: ${tostring(state.owner)} is not a user id`);
	if (!isSafeInteger(state.capacity) || state.capacity < 1 || state.capacity > MAX_CAPACITY) {
		problems.push(`capacity: ${tostring(state.capacity)} is not an integer in 1..${MAX_CAPACITY}`);
	}
	if (!isSafeInteger(state.nextSerial) || state.nextSerial < 1) {
		problems.push(`nextSerial: ${tostring(state.nextSerial)} is not an integer >= 1`);
	}
	const defsById = checkSlots(state, catalog, problems);
	checkEquipped(state, catalog, defsById, problems);
	checkCurrencies(state, catalog, problems);
	return problems;
}
