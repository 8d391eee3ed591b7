import { addItem, consumeItem, createInventory, equipItem } from "../../../src/inventory";
import { OWNER, catalog, catalogWithout, expectOk, expectRejected, stackAt } from "./support/fixtures";

export = () => {
	describe("inventory consumeItem", () => {
		it("uses up one item by default and reports it for the combat system", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "potion", 5));
			const id = stackAt(state, 0).id;
			const change = expectOk(consumeItem(catalog, state, 0, id));
			expect(stackAt(state, 0).count).to.equal(4);
			expect(change.events.size()).to.equal(1);
			const event = change.events[0];
			expect(event.kind).to.equal("consumed");
			if (event.kind === "consumed") {
				expect(event.itemId).to.equal(id);
				expect(event.def).to.equal("potion");
				expect(event.count).to.equal(1);
			}
		});

		it("destroys and unequips a stack used up entirely", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "bomb", 3));
			const id = stackAt(state, 0).id;
			expectOk(equipItem(catalog, state, 0, id, "throwable"));
			const change = expectOk(consumeItem(catalog, state, 0, id, 3));
			expect(state.slots[0]).to.equal(false);
			expect(state.equipped.throwable).to.equal(undefined);
			expect(change.destroyed[0]).to.equal(id);
			expect(change.equipped[0][1]).to.equal(false);
			const event = change.events[0];
			expect(event.kind === "consumed" && event.count).to.equal(3);
		});

		it("rejects items that are not consumable", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "sword", 1));
			expectRejected(state, "not_consumable", () => consumeItem(catalog, state, 0, stackAt(state, 0).id));
		});

		it("rejects a slot that does not hold the claimed item", () => {
			const state = createInventory(OWNER, 3);
			expectOk(addItem(catalog, state, "potion", 5));
			expectOk(addItem(catalog, state, "scroll", 1));
			const potion = stackAt(state, 0).id;
			const scroll = stackAt(state, 1).id;
			expectRejected(state, "item_mismatch", () => consumeItem(catalog, state, 0, scroll));
			expectRejected(state, "item_mismatch", () => consumeItem(catalog, state, 1, 42 as never));
			expectRejected(state, "slot_empty", () => consumeItem(catalog, state, 2, potion));
			for (const slot of [-1, 3, 0.5, 0 / 0, "0" as never, undefined as never]) {
				expectRejected(state, "invalid_slot", () => consumeItem(catalog, state, slot, potion));
			}
		});

		it("rejects more than the stack holds, and invalid counts", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "potion", 2));
			const id = stackAt(state, 0).id;
			expectRejected(state, "insufficient_count", () => consumeItem(catalog, state, 0, id, 3));
			for (const count of [0, -1, 1.5, math.huge, 0 / 0]) {
				expectRejected(state, "invalid_count", () => consumeItem(catalog, state, 0, id, count));
			}
		});

		it("rejects a stack whose definition left the catalog", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "potion", 2));
			const reduced = catalogWithout("potion");
			expectRejected(state, "unknown_def", () => consumeItem(reduced, state, 0, stackAt(state, 0).id));
		});
	});
};
