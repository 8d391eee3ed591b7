import { addItem, createInventory, equipItem, mergeStacks, splitStack } from "../../../src/inventory";
import { OWNER, catalog, catalogWithout, expectOk, expectRejected, stackAt } from "./support/fixtures";

export = () => {
	describe("inventory mergeStacks", () => {
		it("merges a whole stack: the emptied stack's id ceases to exist", () => {
			const state = createInventory(OWNER, 3);
			expectOk(addItem(catalog, state, "potion", 10));
			const target = stackAt(state, 0).id;
			expectOk(splitStack(catalog, state, 0, target, 4, 2));
			const source = stackAt(state, 2).id;
			const change = expectOk(mergeStacks(catalog, state, 2, source, 0, target));
			expect(state.slots[2]).to.equal(false);
			expect(stackAt(state, 0).count).to.equal(10);
			expect(stackAt(state, 0).id).to.equal(target);
			expect(change.destroyed.size()).to.equal(1);
			expect(change.destroyed[0]).to.equal(source);
			expect(change.slots.size()).to.equal(2);
		});

		it("moves only what fits under maxStack and keeps the rest", () => {
			const state = createInventory(OWNER, 3);
			expectOk(addItem(catalog, state, "potion", 20));
			const source = stackAt(state, 0).id;
			expectOk(splitStack(catalog, state, 0, source, 12, 1)); // 8 and 12
			expectOk(addItem(catalog, state, "potion", 5)); // tops up slot 0 first: 13 and 12
			const target = stackAt(state, 1).id;
			const change = expectOk(mergeStacks(catalog, state, 0, source, 1, target));
			expect(stackAt(state, 1).count).to.equal(20);
			expect(stackAt(state, 0).count).to.equal(5);
			expect(stackAt(state, 0).id).to.equal(source);
			expect(change.destroyed.size()).to.equal(0);
			expect(change.slots.size()).to.equal(2);
		});

		it("unequips a source stack that merges away", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "arrow", 30));
			const target = stackAt(state, 0).id;
			expectOk(splitStack(catalog, state, 0, target, 10, 1));
			const source = stackAt(state, 1).id;
			expectOk(equipItem(catalog, state, 1, source, "ammo"));
			const change = expectOk(mergeStacks(catalog, state, 1, source, 0, target));
			expect(state.equipped.ammo).to.equal(undefined);
			expect(change.equipped[0][0]).to.equal("ammo");
			expect(change.equipped[0][1]).to.equal(false);
		});

		it("rejects a full target stack", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "gem", 6)); // 5 and 1
			expectRejected(state, "stack_full", () =>
				mergeStacks(catalog, state, 1, stackAt(state, 1).id, 0, stackAt(state, 0).id),
			);
		});

		it("rejects different items, different attributes and unique items", () => {
			const state = createInventory(OWNER, 5);
			expectOk(addItem(catalog, state, "potion", 1));
			expectOk(addItem(catalog, state, "arrow", 1));
			expectOk(addItem(catalog, state, "potion", 1, { quality: 5 }));
			expectOk(addItem(catalog, state, "sword", 2));
			const [potion, arrow, fine, sword, sword2] = [0, 1, 2, 3, 4].map((slot) => stackAt(state, slot).id);
			expectRejected(state, "def_mismatch", () => mergeStacks(catalog, state, 0, potion, 1, arrow));
			expectRejected(state, "attrs_mismatch", () => mergeStacks(catalog, state, 0, potion, 2, fine));
			expectRejected(state, "not_stackable", () => mergeStacks(catalog, state, 3, sword, 4, sword2));
			expectRejected(state, "unknown_def", () =>
				mergeStacks(catalogWithout("potion"), state, 0, potion, 2, fine),
			);
		});

		it("checks both claims and rejects merging a stack into itself", () => {
			const state = createInventory(OWNER, 3);
			expectOk(addItem(catalog, state, "potion", 1));
			expectOk(addItem(catalog, state, "potion", 1, { quality: 1 }));
			const a = stackAt(state, 0).id;
			const b = stackAt(state, 1).id;
			expectRejected(state, "same_slot", () => mergeStacks(catalog, state, 0, a, 0, a));
			expectRejected(state, "item_mismatch", () => mergeStacks(catalog, state, 0, a, 1, a));
			expectRejected(state, "item_mismatch", () => mergeStacks(catalog, state, 0, b, 1, b));
			expectRejected(state, "slot_empty", () => mergeStacks(catalog, state, 0, a, 2, b));
			expectRejected(state, "invalid_slot", () => mergeStacks(catalog, state, 0, a, 9, b));
		});
	});
};
