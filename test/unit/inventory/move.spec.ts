import { addItem, createInventory, equipItem, moveItem } from "../../../src/inventory";
import { OWNER, catalog, expectOk, expectRejected, stackAt } from "./support/fixtures";

export = () => {
	describe("inventory moveItem", () => {
		it("moves a stack into an empty slot", () => {
			const state = createInventory(OWNER, 3);
			expectOk(addItem(catalog, state, "potion", 4));
			const stack = stackAt(state, 0);
			const change = expectOk(moveItem(state, 0, stack.id, 2));
			expect(state.slots[0]).to.equal(false);
			expect(state.slots[2]).to.equal(stack);
			expect(change.slots.size()).to.equal(2);
			expect(change.slots[0][0]).to.equal(0);
			expect(change.slots[0][1]).to.equal(false);
			expect(change.slots[1][0]).to.equal(2);
			expect(change.slots[1][1]).to.equal(stack);
			expect(change.minted.size() + change.destroyed.size()).to.equal(0);
		});

		it("swaps with an occupied slot and leaves equipped references alone", () => {
			const state = createInventory(OWNER, 3);
			expectOk(addItem(catalog, state, "sword", 1));
			expectOk(addItem(catalog, state, "potion", 2));
			const sword = stackAt(state, 0);
			const potion = stackAt(state, 1);
			expectOk(equipItem(catalog, state, 0, sword.id, "weapon"));
			expectOk(moveItem(state, 0, sword.id, 1));
			expect(state.slots[0]).to.equal(potion);
			expect(state.slots[1]).to.equal(sword);
			expect(state.equipped.weapon).to.equal(sword.id);
		});

		it("rejects the same slot, invalid slots and spoofed claims", () => {
			const state = createInventory(OWNER, 3);
			expectOk(addItem(catalog, state, "sword", 1));
			const id = stackAt(state, 0).id;
			expectRejected(state, "same_slot", () => moveItem(state, 0, id, 0));
			expectRejected(state, "invalid_slot", () => moveItem(state, 0, id, 3));
			expectRejected(state, "invalid_slot", () => moveItem(state, 0, id, -1));
			expectRejected(state, "invalid_slot", () => moveItem(state, 0, id, 1.5));
			expectRejected(state, "invalid_slot", () => moveItem(state, 0 / 0, id, 1));
			expectRejected(state, "slot_empty", () => moveItem(state, 1, id, 2));
			expectRejected(state, "item_mismatch", () => moveItem(state, 0, "someone-else", 2));
		});
	});
};
