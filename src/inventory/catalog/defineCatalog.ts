import { makeError } from "../../core/errors";
import { equippedAttribute } from "../protocol/names";
import { ITEM_RARITIES } from "./rarity";
import { Catalog, ItemDef, ItemDefInput } from "./types";

/** Longest key, equip slot or currency name: these are stored in every profile. */
const MAX_NAME_LENGTH = 64;
/** Counts stay exact integers far beyond this; the bound only rejects nonsense. */
const MAX_STACK_LIMIT = 1e9;

const FIELDS: ReadonlySet<string> = new Set([
	"key",
	"stackable",
	"maxStack",
	"equipSlots",
	"tradeable",
	"consumable",
	"rarity",
	"visibleWhenEquipped",
]);
const RARITIES: ReadonlySet<string> = new Set(ITEM_RARITIES);

function isName(value: unknown): value is string {
	return typeIs(value, "string") && value.size() >= 1 && value.size() <= MAX_NAME_LENGTH;
}

function optionalBoolean(value: unknown): boolean {
	return value === undefined || typeIs(value, "boolean");
}

function checkDef(input: ItemDefInput, at: string, problems: Array<string>): ItemDef | undefined {
	if (!typeIs(input, "table")) {
		problems.push(`${at}: not a table`);
		return undefined;
	}
	const before = problems.size();
	for (const [field] of pairs(input as object)) {
		if (!typeIs(field, "string") || !FIELDS.has(field)) problems.push(`${at}: unknown field ${tostring(field)}`);
	}
	if (!isName(input.key)) problems.push(`${at}.key: a string of 1..${MAX_NAME_LENGTH} characters`);
	for (const flag of ["stackable", "tradeable", "consumable", "visibleWhenEquipped"] as const) {
		if (!optionalBoolean(input[flag])) problems.push(`${at}.${flag}: a boolean`);
	}
	const stackable = input.stackable === true;
	const maxStack = input.maxStack;
	if (stackable) {
		if (!typeIs(maxStack, "number") || maxStack % 1 !== 0 || maxStack < 1 || maxStack > MAX_STACK_LIMIT) {
			problems.push(`${at}.maxStack: an integer in 1..${MAX_STACK_LIMIT} for a stackable item`);
		}
	} else if (maxStack !== undefined && maxStack !== 1) {
		problems.push(`${at}.maxStack: a unique item always counts 1`);
	}
	const equipSlots = new Array<string>();
	if (input.equipSlots !== undefined) {
		if (!typeIs(input.equipSlots, "table")) {
			problems.push(`${at}.equipSlots: an array of names`);
		} else {
			const seen = new Set<string>();
			for (const slot of input.equipSlots) {
				if (!isName(slot)) problems.push(`${at}.equipSlots: ${tostring(slot)} is not a name`);
				else if (seen.has(slot)) problems.push(`${at}.equipSlots: ${slot} twice`);
				else {
					seen.add(slot);
					equipSlots.push(slot);
				}
			}
		}
	}
	if (input.rarity !== undefined && !(typeIs(input.rarity, "string") && RARITIES.has(input.rarity))) {
		problems.push(`${at}.rarity: one of ${ITEM_RARITIES.join(", ")}`);
	}
	if (problems.size() > before) return undefined;
	return table.freeze({
		key: input.key,
		stackable,
		maxStack: stackable ? (maxStack as number) : 1,
		equipSlots: table.freeze(equipSlots),
		tradeable: input.tradeable !== false,
		consumable: input.consumable === true,
		rarity: input.rarity ?? "common",
		visibleWhenEquipped: input.visibleWhenEquipped === true,
	});
}

/**
 * Two equip slots whose names differ only in characters an attribute name cannot hold ("ring-1"
 * and "ring_1") would share one `Equipped_` attribute: other players would see the wrong item,
 * and unequipping one slot would erase what the other shows.
 */
function checkSlotAttributes(equipSlots: ReadonlySet<string>, problems: Array<string>): void {
	const owners = new Map<string, string>();
	for (const slot of equipSlots) {
		const attribute = equippedAttribute(slot);
		const owner = owners.get(attribute);
		if (owner === undefined) owners.set(attribute, slot);
		else problems.push(`equipSlots: ${owner} and ${slot} would both show as the attribute ${attribute}`);
	}
}

/**
 * Validates item definitions and the currency names, fills in defaults and returns a frozen
 * catalog with O(1) lookup. A bad catalog is a programming error: this throws an
 * `InvalidArgument` hopsafe error listing every problem (unknown fields, duplicate keys, a
 * stackable item without a `maxStack` of at least 1, two equip slots that would share one
 * `Equipped_` Player attribute, ...), so a game fails at startup.
 *
 * @example
 * ```ts
 * import { defineCatalog } from "@rbxts/hopsafe";
 *
 * const catalog = defineCatalog(
 * 	[
 * 		{ key: "sword", equipSlots: ["weapon"], rarity: "rare", visibleWhenEquipped: true },
 * 		{ key: "potion", stackable: true, maxStack: 20, consumable: true },
 * 		{ key: "quest_key", tradeable: false },
 * 	],
 * 	["coins", "gems"],
 * );
 * print(catalog.items.get("potion")?.maxStack);
 * ```
 */
export function defineCatalog(defs: ReadonlyArray<ItemDefInput>, currencies: ReadonlyArray<string> = []): Catalog {
	const problems = new Array<string>();
	const items = new Map<string, ItemDef>();
	const list = new Array<ItemDef>();
	const equipSlots = new Set<string>();
	const currencySet = new Set<string>();
	if (!typeIs(defs, "table")) problems.push("defs: an array of item definitions");
	else {
		defs.forEach((input, index) => {
			const def = checkDef(input, `defs[${index}]`, problems);
			if (def === undefined) return;
			if (items.has(def.key)) {
				problems.push(`defs[${index}].key: ${def.key} is defined twice`);
				return;
			}
			items.set(def.key, def);
			list.push(def);
			for (const slot of def.equipSlots) equipSlots.add(slot);
		});
	}
	checkSlotAttributes(equipSlots, problems);
	if (!typeIs(currencies, "table")) problems.push("currencies: an array of names");
	else {
		for (const name of currencies) {
			if (!isName(name)) problems.push(`currencies: ${tostring(name)} is not a name`);
			else if (currencySet.has(name)) problems.push(`currencies: ${name} twice`);
			else currencySet.add(name);
		}
	}
	if (problems.size() > 0) {
		const argument = problems[0].sub(1, 10) === "currencies" ? "currencies" : "defs";
		throw makeError("InvalidArgument", `invalid catalog: ${problems.join("; ")}`, { argument });
	}
	return table.freeze({
		items: table.freeze(items),
		list: table.freeze(list),
		equipSlots: table.freeze(equipSlots),
		currencies: table.freeze(currencySet),
	});
}
