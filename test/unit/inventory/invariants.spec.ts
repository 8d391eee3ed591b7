import {
	InventoryState,
	addItem,
	adjustCurrency,
	checkInventory,
	createInventory,
	equipItem,
} from "../../../src/inventory";
import { OWNER, catalog, expectOk } from "./support/fixtures";

function valid(): InventoryState {
	const state = createInventory(OWNER, 5);
	expectOk(addItem(catalog, state, "sword", 1)); // slot 0, 101-1
	expectOk(addItem(catalog, state, "potion", 12, { quality: 2 })); // slot 1, 101-2
	expectOk(addItem(catalog, state, "ring", 1)); // slot 2, 101-3
	expectOk(equipItem(catalog, state, 0, `${OWNER}-1`, "weapon"));
	expectOk(equipItem(catalog, state, 2, `${OWNER}-3`, "ring1"));
	expectOk(adjustCurrency(catalog, state, "coins", 30));
	return state;
}

type Writable = { [key: string]: unknown };

function stackOf(state: InventoryState, slot: number): Writable {
	return state.slots[slot] as unknown as Writable;
}

// Each case corrupts a valid inventory one way; checkInventory must name the problem.
const CASES: ReadonlyArray<[string, string, (state: InventoryState) => void]> = [
	["a count of zero", "slots[1].count", (s) => (stackOf(s, 1).count = 0)],
	["a count above maxStack", "slots[1].count: 21", (s) => (stackOf(s, 1).count = 21)],
	["a unique item counting 2", "slots[0].count: 2", (s) => (stackOf(s, 0).count = 2)],
	["a fractional count", "slots[1].count", (s) => (stackOf(s, 1).count = 1.5)],
	["a negative balance", "currencies.coins", (s) => (s.currencies.coins = -1)],
	["a fractional balance", "currencies.coins", (s) => (s.currencies.coins = 2.5)],
	["a NaN balance", "currencies.coins", (s) => (s.currencies.coins = 0 / 0)],
	["an unknown currency", "not a currency of the catalog", (s) => (s.currencies.tokens = 5)],
	["a dangling equipped reference", "dangling", (s) => (s.equipped.offhand = "101-77")],
	["an item in a slot it may not use", "cannot go into head", (s) => (s.equipped.head = `${OWNER}-1`)],
	["one item in two equip slots", "also equipped", (s) => (s.equipped.ring2 = `${OWNER}-3`)],
	["a duplicate id", "appears twice", (s) => (s.slots[3] = { id: `${OWNER}-1`, def: "sword", count: 1 })],
	["an id the serial will mint again", "would be minted again", (s) => (s.nextSerial = 3)],
	["a hole in slots", "a hole", (s) => ((s.slots as unknown as Writable)[2] = undefined)],
	["too many slots", "stray key 6", (s) => s.slots.push(false)],
	["a string key in slots", "stray key", (s) => ((s.slots as unknown as Writable)["1"] = false)],
	["an unknown definition", "dragon is not in the catalog", (s) => (stackOf(s, 0).def = "dragon")],
	["an empty id", "slots[0].id", (s) => (stackOf(s, 0).id = "")],
	["a slot that is neither a stack nor false", "not a stack or false", (s) => (s.slots[4] = true as never)],
	["an unknown stack field", "unknown field extra", (s) => (stackOf(s, 0).extra = 1)],
	["an unknown inventory field", "unknown field version", (s) => ((s as unknown as Writable).version = 2)],
	["a NaN attribute", "attrs.quality", (s) => (stackOf(s, 1).attrs = { quality: 0 / 0 })],
	["a table attribute", "attrs.nested", (s) => (stackOf(s, 1).attrs = { nested: {} })],
	["an empty attribute table", "empty", (s) => (stackOf(s, 1).attrs = {})],
	["a capacity out of range", "capacity", (s) => (s.capacity = 0)],
	["a fractional owner", "owner", (s) => (s.owner = 0.5)],
	["a bad serial", "nextSerial", (s) => (s.nextSerial = 0)],
	["equipped not a table", "equipped: not a table", (s) => ((s as unknown as Writable).equipped = "x")],
	["slots not a table", "slots: not a table", (s) => ((s as unknown as Writable).slots = 5)],
];

export = () => {
	describe("inventory checkInventory", () => {
		it("finds nothing wrong with a valid inventory", () => {
			const problems = checkInventory(valid(), catalog);
			expect(problems.size() === 0 ? "" : problems.join("; ")).to.equal("");
		});

		for (const [name, fragment, corrupt] of CASES) {
			it(`finds ${name}`, () => {
				const state = valid();
				corrupt(state);
				const problems = checkInventory(state, catalog).join("; ");
				if (problems.find(fragment, 1, true)[0] === undefined) {
					throw `expected a problem mentioning "${fragment}", got: ${problems === "" ? "none" : problems}`;
				}
			});
		}

		it("reports something that is not a table at all", () => {
			expect(checkInventory("inventory" as never, catalog)[0]).to.equal("inventory: not a table");
		});
	});
};
