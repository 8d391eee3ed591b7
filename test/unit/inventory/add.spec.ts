import { addItem, checkInventory, createInventory } from "../../../src/inventory";
import { OWNER, catalog, expectOk, expectRejected, stackAt } from "./support/fixtures";

export = () => {
	describe("inventory addItem", () => {
		it("puts a unique item into the first empty slot with a newly minted id", () => {
			const state = createInventory(OWNER, 3);
			const change = expectOk(addItem(catalog, state, "sword", 1));
			expect(stackAt(state, 0).id).to.equal(`${OWNER}-1`);
			expect(stackAt(state, 0).def).to.equal("sword");
			expect(stackAt(state, 0).count).to.equal(1);
			expect(change.slots.size()).to.equal(1);
			expect(change.slots[0][0]).to.equal(0);
			expect(change.slots[0][1]).to.equal(state.slots[0]);
			expect(change.minted.size()).to.equal(1);
			expect(change.minted[0]).to.equal(`${OWNER}-1`);
			expect(change.nextSerial).to.equal(2);
			expect(change.destroyed.size() + change.equipped.size() + change.events.size()).to.equal(0);
		});

		it("gives each unique item its own slot and id", () => {
			const state = createInventory(OWNER, 4);
			expectOk(addItem(catalog, state, "sword", 1));
			const change = expectOk(addItem(catalog, state, "ring", 3));
			expect(change.minted.size()).to.equal(3);
			for (let slot = 1; slot <= 3; slot++) {
				expect(stackAt(state, slot).def).to.equal("ring");
				expect(stackAt(state, slot).count).to.equal(1);
				expect(stackAt(state, slot).id).to.equal(`${OWNER}-${slot + 1}`);
			}
			expect(state.nextSerial).to.equal(5);
		});

		it("tops up existing stacks first, then fills empty slots with stacks of at most maxStack", () => {
			const state = createInventory(OWNER, 5);
			expectOk(addItem(catalog, state, "potion", 15));
			expectOk(addItem(catalog, state, "sword", 1));
			const original = stackAt(state, 0);
			const change = expectOk(addItem(catalog, state, "potion", 30));
			// 5 more into slot 0 (now 20), then 20 into slot 2 and 5 into slot 3.
			expect(stackAt(state, 0).count).to.equal(20);
			expect(stackAt(state, 0).id).to.equal(original.id);
			expect(stackAt(state, 2).count).to.equal(20);
			expect(stackAt(state, 3).count).to.equal(5);
			expect(state.slots[4]).to.equal(false);
			expect(change.slots.size()).to.equal(3);
			expect(change.minted.size()).to.equal(2);
			// Stacks are values: the stack handed out earlier still says 15.
			expect(original.count).to.equal(15);
		});

		it("only tops up stacks with the same attributes", () => {
			const state = createInventory(OWNER, 3);
			expectOk(addItem(catalog, state, "potion", 1, { quality: 2 }));
			expectOk(addItem(catalog, state, "potion", 1));
			expectOk(addItem(catalog, state, "potion", 1, { quality: 2 }));
			expect(stackAt(state, 0).count).to.equal(2);
			expect(stackAt(state, 1).count).to.equal(1);
			expect(stackAt(state, 1).attrs).to.equal(undefined);
			expect(state.slots[2]).to.equal(false);
		});

		it("keeps its own frozen copy of the attributes", () => {
			const state = createInventory(OWNER, 2);
			const attrs: Record<string, string | number> = { engraving: "Ada" };
			expectOk(addItem(catalog, state, "sword", 1, attrs));
			attrs.engraving = "Bob";
			const stored = stackAt(state, 0).attrs!;
			expect(stored.engraving).to.equal("Ada");
			expect(table.isfrozen(stored)).to.equal(true);
		});

		it("stores no attributes for an empty attribute table", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "sword", 1, {}));
			expect(stackAt(state, 0).attrs).to.equal(undefined);
			expect(checkInventory(state, catalog).size()).to.equal(0);
		});

		it("is all or nothing: inventory_full when not every item fits", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "potion", 18));
			// Room for 2 + 20 = 22 potions.
			expectRejected(state, "inventory_full", () => addItem(catalog, state, "potion", 23));
			expectRejected(state, "inventory_full", () => addItem(catalog, state, "sword", 2));
			expectOk(addItem(catalog, state, "potion", 22));
			expectRejected(state, "inventory_full", () => addItem(catalog, state, "potion", 1));
		});

		it("rejects unknown definitions", () => {
			const state = createInventory(OWNER, 2);
			expectRejected(state, "unknown_def", () => addItem(catalog, state, "dragon", 1));
			expectRejected(state, "unknown_def", () => addItem(catalog, state, 5 as never, 1));
		});

		it("rejects counts that are not positive safe integers", () => {
			const state = createInventory(OWNER, 2);
			for (const count of [0, -1, 1.5, 0 / 0, math.huge, -math.huge, 2 ** 53, "3" as never, undefined as never]) {
				expectRejected(state, "invalid_count", () => addItem(catalog, state, "potion", count));
			}
		});

		it("rejects attributes that are not plain and JSON-safe", () => {
			const state = createInventory(OWNER, 2);
			const bad: Array<unknown> = [
				"shiny",
				{ [1]: "x" },
				{ nested: {} },
				{ level: 0 / 0 },
				{ level: math.huge },
				{ run: () => 1 },
				{ text: "x".rep(257) },
				setmetatable({}, {}),
			];
			for (const attrs of bad) {
				expectRejected(state, "invalid_attrs", () => addItem(catalog, state, "sword", 1, attrs as never));
			}
		});
	});
};
