import { HttpService } from "@rbxts/services";
import {
	InventoryChange,
	InventoryResult,
	addItem,
	adjustCurrency,
	applyChange,
	cloneInventory,
	consumeItem,
	createInventory,
	dropItem,
	equipItem,
	mergeStacks,
	moveItem,
	pickUpDrop,
	removeItem,
	splitStack,
	unequipItem,
} from "../../../src/inventory";
import { OWNER, catalog, expectOk, makeDrops } from "./support/fixtures";
import { deepDiff } from "./support/deepDiff";

export = () => {
	describe("inventory applyChange", () => {
		it("rebuilds the server's state on a client from JSON-encoded deltas of every operation", () => {
			const state = createInventory(OWNER, 6);
			const replica = cloneInventory(state);
			const drops = makeDrops();
			const wire = new Array<string>();
			const send = (result: InventoryResult) => wire.push(HttpService.JSONEncode(expectOk(result)));
			const id = (slot: number) => (state.slots[slot] as { id: string }).id;

			send(addItem(catalog, state, "sword", 1)); // slot 0
			send(addItem(catalog, state, "arrow", 150)); // slots 1, 2
			send(addItem(catalog, state, "potion", 5)); // slot 3
			send(equipItem(catalog, state, 0, id(0), "weapon"));
			send(equipItem(catalog, state, 2, id(2), "ammo"));
			send(splitStack(catalog, state, 1, id(1), 30, 4)); // 69 | 51 | 30
			send(mergeStacks(catalog, state, 2, id(2), 1, id(1))); // partly: 99 | 21 | 30
			send(moveItem(state, 3, id(3), 5));
			send(consumeItem(catalog, state, 5, id(5), 2));
			send(dropItem(catalog, state, drops, 4, id(4), 10));
			send(mergeStacks(catalog, state, 4, id(4), 2, id(2))); // wholly: slot 4's id is destroyed
			send(pickUpDrop(catalog, state, drops, "drop-1"));
			send(removeItem(state, id(0), 1));
			send(unequipItem(state, "ammo"));
			send(adjustCurrency(catalog, state, "coins", 75));
			send(adjustCurrency(catalog, state, "coins", -25));

			for (const json of wire) applyChange(replica, HttpService.JSONDecode(json) as InventoryChange);
			expect(deepDiff(replica, state)).to.equal(undefined);
			expect(replica.nextSerial).to.equal(state.nextSerial);
		});

		it("clears an equip slot for false and sets the rest", () => {
			const replica = createInventory(OWNER, 2);
			replica.equipped.weapon = "1-1";
			applyChange(replica, {
				slots: [[1, { id: "1-2", def: "potion", count: 3 }]],
				equipped: [
					["weapon", false],
					["offhand", "1-2"],
				],
				currencies: [["coins", 9]],
				minted: ["1-2"],
				destroyed: [],
				events: [],
				nextSerial: 3,
			});
			expect(replica.equipped.weapon).to.equal(undefined);
			expect(replica.equipped.offhand).to.equal("1-2");
			expect((replica.slots[1] as { count: number }).count).to.equal(3);
			expect(replica.currencies.coins).to.equal(9);
			expect(replica.nextSerial).to.equal(3);
		});

		it("shares one frozen empty list for the parts that did not change", () => {
			const state = createInventory(OWNER, 2);
			const change = expectOk(adjustCurrency(catalog, state, "coins", 1));
			expect(change.slots).to.equal(change.minted);
			expect(table.isfrozen(change.slots)).to.equal(true);
			expect(change.nextSerial).to.equal(undefined);
		});
	});
};
