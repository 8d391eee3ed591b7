import { HttpService } from "@rbxts/services";
import { isHopsafeError } from "../../../src/core/errors";
import {
	InventoryState,
	addItem,
	adjustCurrency,
	checkInventory,
	cloneInventory,
	createInventory,
	equipItem,
	mintItemId,
} from "../../../src/inventory";
import { OWNER, catalog, expectOk } from "./support/fixtures";
import { deepDiff } from "./support/deepDiff";

function populated(): InventoryState {
	const state = createInventory(OWNER, 6);
	expectOk(addItem(catalog, state, "sword", 1, { engraving: "Ada", sharpness: 3.5, cursed: false }));
	expectOk(addItem(catalog, state, "potion", 7));
	expectOk(equipItem(catalog, state, 0, `${OWNER}-1`, "weapon"));
	expectOk(adjustCurrency(catalog, state, "coins", 250));
	return state;
}

export = () => {
	describe("inventory state", () => {
		it("starts with capacity empty slots (false, never nil) and nothing else", () => {
			const state = createInventory(OWNER, 4);
			expect(state.owner).to.equal(OWNER);
			expect(state.capacity).to.equal(4);
			expect(state.nextSerial).to.equal(1);
			expect(state.slots.size()).to.equal(4);
			for (const slot of state.slots) expect(slot).to.equal(false);
			expect(next(state.equipped)[0]).to.equal(undefined);
			expect(next(state.currencies)[0]).to.equal(undefined);
			expect(checkInventory(state, catalog).size()).to.equal(0);
		});

		it("refuses a capacity outside 1..1000 and an owner that is not an integer", () => {
			for (const capacity of [0, -3, 1.5, 1001, 0 / 0, math.huge]) {
				const [success, thrown] = pcall(() => createInventory(OWNER, capacity));
				expect(success).to.equal(false);
				expect(isHopsafeError(thrown) && thrown.kind).to.equal("InvalidArgument");
			}
			const [success] = pcall(() => createInventory(1.25, 4));
			expect(success).to.equal(false);
			expect(pcall(() => createInventory(-7, 1000))[0]).to.equal(true); // Studio test players are negative
		});

		it("mints ids as owner-serial from the serial kept in the state", () => {
			const state = createInventory(OWNER, 2);
			expect(mintItemId(state)).to.equal(`${OWNER}-1`);
			expect(mintItemId(state)).to.equal(`${OWNER}-2`);
			expect(state.nextSerial).to.equal(3);
			// A later session continues from the stored serial: no id is ever minted twice.
			const reloaded = cloneInventory(state);
			expect(mintItemId(reloaded)).to.equal(`${OWNER}-3`);
		});

		it("clones deeply: the copy shares no table with the original", () => {
			const state = populated();
			const copy = cloneInventory(state);
			expect(deepDiff(copy, state)).to.equal(undefined);
			expect(copy.slots).never.to.equal(state.slots);
			expect(copy.slots[0]).never.to.equal(state.slots[0]);
			const stack = copy.slots[0];
			expect(stack !== false && stack.attrs !== (state.slots[0] as { attrs?: object }).attrs).to.equal(true);
			copy.equipped.weapon = "x";
			copy.currencies.coins = 1;
			expect(state.equipped.weapon).to.equal(`${OWNER}-1`);
			expect(state.currencies.coins).to.equal(250);
		});

		it("survives a JSON round trip (what a DataStore stores) unchanged", () => {
			const state = populated();
			const decoded = HttpService.JSONDecode(HttpService.JSONEncode(state)) as InventoryState;
			expect(deepDiff(decoded, state)).to.equal(undefined);
			expect(checkInventory(decoded, catalog).size()).to.equal(0);
			// An empty inventory too: empty dictionaries come back as empty tables.
			const empty = createInventory(OWNER, 3);
			expect(deepDiff(HttpService.JSONDecode(HttpService.JSONEncode(empty)), empty)).to.equal(undefined);
		});
	});
};
