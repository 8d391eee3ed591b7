import { addItem, createInventory, equipItem, removeItem } from "../../../src/inventory";
import { OWNER, catalog, expectOk, expectRejected, stackAt } from "./support/fixtures";

export = () => {
	describe("inventory removeItem", () => {
		it("takes part of a stack, keeping its id", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "potion", 10));
			const id = stackAt(state, 0).id;
			const change = expectOk(removeItem(state, id, 4));
			expect(stackAt(state, 0).count).to.equal(6);
			expect(stackAt(state, 0).id).to.equal(id);
			expect(change.slots[0][1]).to.equal(state.slots[0]);
			expect(change.destroyed.size()).to.equal(0);
		});

		it("destroys and unequips a stack taken whole", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "sword", 1));
			const id = stackAt(state, 0).id;
			expectOk(equipItem(catalog, state, 0, id, "weapon"));
			const change = expectOk(removeItem(state, id, 1));
			expect(state.slots[0]).to.equal(false);
			expect(state.equipped.weapon).to.equal(undefined);
			expect(change.destroyed[0]).to.equal(id);
			expect(change.equipped[0][0]).to.equal("weapon");
			expect(change.equipped[0][1]).to.equal(false);
		});

		it("rejects ids the inventory does not hold", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "potion", 3));
			expectRejected(state, "not_owned", () => removeItem(state, "999-1", 1));
			expectRejected(state, "not_owned", () => removeItem(state, 7 as never, 1));
		});

		it("rejects more than the stack holds, and invalid counts", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "potion", 3));
			const id = stackAt(state, 0).id;
			expectRejected(state, "insufficient_count", () => removeItem(state, id, 4));
			for (const count of [0, -2, 0.5, 0 / 0, math.huge]) {
				expectRejected(state, "invalid_count", () => removeItem(state, id, count));
			}
		});
	});
};
