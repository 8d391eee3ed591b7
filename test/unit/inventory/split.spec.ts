import { addItem, createInventory, equipItem, splitStack } from "../../../src/inventory";
import { OWNER, catalog, catalogWithout, expectOk, expectRejected, stackAt } from "./support/fixtures";

export = () => {
	describe("inventory splitStack", () => {
		it("moves part of a stack into an empty slot as a new stack with a new id", () => {
			const state = createInventory(OWNER, 3);
			expectOk(addItem(catalog, state, "potion", 10, { quality: 3 }));
			const source = stackAt(state, 0);
			const change = expectOk(splitStack(catalog, state, 0, source.id, 4, 2));
			expect(stackAt(state, 0).count).to.equal(6);
			expect(stackAt(state, 0).id).to.equal(source.id);
			const split = stackAt(state, 2);
			expect(split.count).to.equal(4);
			expect(split.id).to.equal(`${OWNER}-2`);
			expect(split.attrs!.quality).to.equal(3);
			expect(change.minted.size()).to.equal(1);
			expect(change.minted[0]).to.equal(split.id);
			expect(change.nextSerial).to.equal(3);
			expect(change.slots.size()).to.equal(2);
		});

		it("keeps an equipped source equipped, and the new stack unequipped", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "arrow", 50));
			const id = stackAt(state, 0).id;
			expectOk(equipItem(catalog, state, 0, id, "ammo"));
			expectOk(splitStack(catalog, state, 0, id, 10, 1));
			expect(state.equipped.ammo).to.equal(id);
		});

		it("rejects unique items", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "sword", 1));
			expectRejected(state, "not_stackable", () => splitStack(catalog, state, 0, stackAt(state, 0).id, 1, 1));
		});

		it("must leave at least one item behind", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "potion", 5));
			const id = stackAt(state, 0).id;
			expectRejected(state, "insufficient_count", () => splitStack(catalog, state, 0, id, 5, 1));
			expectRejected(state, "insufficient_count", () => splitStack(catalog, state, 0, id, 6, 1));
		});

		it("rejects an occupied or invalid target, the same slot and invalid counts", () => {
			const state = createInventory(OWNER, 3);
			expectOk(addItem(catalog, state, "potion", 5));
			expectOk(addItem(catalog, state, "sword", 1));
			const id = stackAt(state, 0).id;
			expectRejected(state, "slot_occupied", () => splitStack(catalog, state, 0, id, 2, 1));
			expectRejected(state, "same_slot", () => splitStack(catalog, state, 0, id, 2, 0));
			expectRejected(state, "invalid_slot", () => splitStack(catalog, state, 0, id, 2, 3));
			for (const count of [0, -1, 2.5, 0 / 0, math.huge]) {
				expectRejected(state, "invalid_count", () => splitStack(catalog, state, 0, id, count, 2));
			}
			expectRejected(state, "item_mismatch", () => splitStack(catalog, state, 1, id, 1, 2));
			expectRejected(state, "slot_empty", () => splitStack(catalog, state, 2, id, 1, 1));
			expectRejected(state, "unknown_def", () => splitStack(catalogWithout("potion"), state, 0, id, 2, 2));
		});
	});
};
