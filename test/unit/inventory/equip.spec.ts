import { addItem, checkInventory, createInventory, equipItem, unequipItem } from "../../../src/inventory";
import { OWNER, catalog, catalogWithout, expectOk, expectRejected, stackAt } from "./support/fixtures";

export = () => {
	describe("inventory equipItem", () => {
		it("stores a reference to the item, which stays in its slot", () => {
			const state = createInventory(OWNER, 3);
			expectOk(addItem(catalog, state, "sword", 1));
			const id = stackAt(state, 0).id;
			const change = expectOk(equipItem(catalog, state, 0, id, "weapon"));
			expect(state.equipped.weapon).to.equal(id);
			expect(stackAt(state, 0).id).to.equal(id);
			expect(change.equipped.size()).to.equal(1);
			expect(change.equipped[0][0]).to.equal("weapon");
			expect(change.equipped[0][1]).to.equal(id);
			expect(change.slots.size()).to.equal(0);
		});

		it("moves an item already equipped elsewhere", () => {
			const state = createInventory(OWNER, 3);
			expectOk(addItem(catalog, state, "ring", 1));
			const id = stackAt(state, 0).id;
			expectOk(equipItem(catalog, state, 0, id, "ring1"));
			const change = expectOk(equipItem(catalog, state, 0, id, "ring2"));
			expect(state.equipped.ring1).to.equal(undefined);
			expect(state.equipped.ring2).to.equal(id);
			expect(change.equipped.size()).to.equal(2);
			expect(change.equipped[0][0]).to.equal("ring1");
			expect(change.equipped[0][1]).to.equal(false);
			expect(checkInventory(state, catalog).size()).to.equal(0);
		});

		it("unequips the previous occupant of the equip slot", () => {
			const state = createInventory(OWNER, 3);
			expectOk(addItem(catalog, state, "sword", 2));
			const first = stackAt(state, 0).id;
			const second = stackAt(state, 1).id;
			expectOk(equipItem(catalog, state, 0, first, "weapon"));
			expectOk(equipItem(catalog, state, 1, second, "weapon"));
			expect(state.equipped.weapon).to.equal(second);
			expect(stackAt(state, 0).id).to.equal(first);
		});

		it("equips a stack of a stackable item", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "arrow", 40));
			expectOk(equipItem(catalog, state, 0, stackAt(state, 0).id, "ammo"));
			expect(state.equipped.ammo).to.equal(stackAt(state, 0).id);
		});

		it("rejects items with no equip slots and equip slots the item may not use", () => {
			const state = createInventory(OWNER, 3);
			expectOk(addItem(catalog, state, "potion", 1));
			expectOk(addItem(catalog, state, "sword", 1));
			const potion = stackAt(state, 0).id;
			const sword = stackAt(state, 1).id;
			expectRejected(state, "not_equippable", () => equipItem(catalog, state, 0, potion, "weapon"));
			expectRejected(state, "wrong_equip_slot", () => equipItem(catalog, state, 1, sword, "offhand"));
			expectRejected(state, "wrong_equip_slot", () => equipItem(catalog, state, 1, sword, "hat"));
			expectRejected(state, "wrong_equip_slot", () => equipItem(catalog, state, 1, sword, 1 as never));
		});

		it("rejects equipping an item into the slot it already occupies", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "sword", 1));
			const id = stackAt(state, 0).id;
			expectOk(equipItem(catalog, state, 0, id, "weapon"));
			expectRejected(state, "already_equipped", () => equipItem(catalog, state, 0, id, "weapon"));
		});

		it("rejects spoofed, empty and invalid slots, and removed definitions", () => {
			const state = createInventory(OWNER, 3);
			expectOk(addItem(catalog, state, "sword", 1));
			expectOk(addItem(catalog, state, "shield", 1));
			const sword = stackAt(state, 0).id;
			expectRejected(state, "item_mismatch", () => equipItem(catalog, state, 1, sword, "weapon"));
			expectRejected(state, "slot_empty", () => equipItem(catalog, state, 2, sword, "weapon"));
			expectRejected(state, "invalid_slot", () => equipItem(catalog, state, 3, sword, "weapon"));
			const reduced = catalogWithout("sword");
			expectRejected(state, "unknown_def", () => equipItem(reduced, state, 0, sword, "weapon"));
		});
	});

	describe("inventory unequipItem", () => {
		it("empties the equip slot and keeps the item", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "sword", 1));
			const id = stackAt(state, 0).id;
			expectOk(equipItem(catalog, state, 0, id, "weapon"));
			const change = expectOk(unequipItem(state, "weapon", id));
			expect(state.equipped.weapon).to.equal(undefined);
			expect(stackAt(state, 0).id).to.equal(id);
			expect(change.equipped[0][0]).to.equal("weapon");
			expect(change.equipped[0][1]).to.equal(false);
		});

		it("accepts a call without a claimed id (a server-side decision)", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "sword", 1));
			expectOk(equipItem(catalog, state, 0, stackAt(state, 0).id, "weapon"));
			expectOk(unequipItem(state, "weapon"));
			expect(state.equipped.weapon).to.equal(undefined);
		});

		it("rejects an empty equip slot and a claim of another item", () => {
			const state = createInventory(OWNER, 2);
			expectOk(addItem(catalog, state, "sword", 1));
			const id = stackAt(state, 0).id;
			expectRejected(state, "not_equipped", () => unequipItem(state, "weapon", id));
			expectRejected(state, "not_equipped", () => unequipItem(state, 3 as never));
			expectOk(equipItem(catalog, state, 0, id, "weapon"));
			expectRejected(state, "item_mismatch", () => unequipItem(state, "weapon", `${OWNER}-99`));
		});
	});
};
