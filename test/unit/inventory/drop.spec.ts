import { isHopsafeError } from "../../../src/core/errors";
import { DropRegistry, addItem, createInventory, dropItem, equipItem, pickUpDrop } from "../../../src/inventory";
import { OWNER, catalog, catalogWithout, expectOk, expectRejected, makeDrops, stackAt } from "./support/fixtures";

export = () => {
	describe("inventory dropItem", () => {
		it("drops a whole stack into the registry, keeping its id, and unequips it", () => {
			const state = createInventory(OWNER, 2);
			const drops = makeDrops();
			expectOk(addItem(catalog, state, "sword", 1));
			const stack = stackAt(state, 0);
			expectOk(equipItem(catalog, state, 0, stack.id, "weapon"));
			const change = expectOk(dropItem(catalog, state, drops, 0, stack.id));
			expect(state.slots[0]).to.equal(false);
			expect(state.equipped.weapon).to.equal(undefined);
			expect(change.equipped[0][1]).to.equal(false);
			expect(change.destroyed.size() + change.minted.size()).to.equal(0);
			const event = change.events[0];
			expect(event.kind).to.equal("dropped");
			if (event.kind !== "dropped") return;
			expect(event.drop.token).to.equal("drop-1");
			expect(event.drop.owner).to.equal(OWNER);
			expect(event.drop.stack).to.equal(stack);
			expect(drops.get("drop-1")).to.equal(event.drop);
			expect(drops.size()).to.equal(1);
		});

		it("drops part of a stack as a new stack with a newly minted id", () => {
			const state = createInventory(OWNER, 2);
			const drops = makeDrops();
			expectOk(addItem(catalog, state, "potion", 10));
			const id = stackAt(state, 0).id;
			const change = expectOk(dropItem(catalog, state, drops, 0, id, 3));
			expect(stackAt(state, 0).count).to.equal(7);
			expect(stackAt(state, 0).id).to.equal(id);
			const dropped = drops.get("drop-1")!.stack;
			expect(dropped.count).to.equal(3);
			expect(dropped.id).to.equal(`${OWNER}-2`);
			expect(change.minted[0]).to.equal(dropped.id);
			expect(change.nextSerial).to.equal(3);
		});

		it("refuses items that may not leave their owner", () => {
			const state = createInventory(OWNER, 2);
			const drops = makeDrops();
			expectOk(addItem(catalog, state, "quest_key", 1));
			expectRejected(state, "not_tradeable", () => dropItem(catalog, state, drops, 0, stackAt(state, 0).id));
			expect(drops.size()).to.equal(0);
		});

		it("rejects bad counts, spoofed claims and removed definitions, registering nothing", () => {
			const state = createInventory(OWNER, 3);
			const drops = makeDrops();
			expectOk(addItem(catalog, state, "potion", 4));
			const id = stackAt(state, 0).id;
			expectRejected(state, "insufficient_count", () => dropItem(catalog, state, drops, 0, id, 5));
			for (const count of [0, -1, 1.5, 0 / 0, math.huge]) {
				expectRejected(state, "invalid_count", () => dropItem(catalog, state, drops, 0, id, count));
			}
			expectRejected(state, "item_mismatch", () => dropItem(catalog, state, drops, 0, "nope", 1));
			expectRejected(state, "slot_empty", () => dropItem(catalog, state, drops, 1, id, 1));
			expectRejected(state, "invalid_slot", () => dropItem(catalog, state, drops, 5, id, 1));
			expectRejected(state, "unknown_def", () => dropItem(catalogWithout("potion"), state, drops, 0, id));
			expect(drops.size()).to.equal(0);
		});
	});

	describe("inventory pickUpDrop", () => {
		it("puts the dropped stack whole into the first empty slot, keeping its id", () => {
			const dropper = createInventory(OWNER, 2);
			const taker = createInventory(202, 3);
			const drops = makeDrops();
			expectOk(addItem(catalog, dropper, "sword", 1, { engraving: "Ada" }));
			expectOk(addItem(catalog, taker, "shield", 1));
			const sword = stackAt(dropper, 0);
			expectOk(dropItem(catalog, dropper, drops, 0, sword.id));
			const change = expectOk(pickUpDrop(catalog, taker, drops, "drop-1"));
			expect(stackAt(taker, 1)).to.equal(sword);
			expect(change.slots[0][0]).to.equal(1);
			const event = change.events[0];
			expect(event.kind === "pickedUp" && event.token).to.equal("drop-1");
			expect(event.kind === "pickedUp" && event.itemId).to.equal(sword.id);
			expect(drops.get("drop-1")).to.equal(undefined);
			expect(drops.size()).to.equal(0);
			expect(change.minted.size() + change.destroyed.size()).to.equal(0);
		});

		it("has exactly one winner in a pickup race", () => {
			const drops = makeDrops();
			const dropper = createInventory(OWNER, 2);
			expectOk(addItem(catalog, dropper, "ring", 1));
			expectOk(dropItem(catalog, dropper, drops, 0, stackAt(dropper, 0).id));
			const racers = [1, 2, 3, 4, 5].map((index) => createInventory(300 + index, 2));
			let winners = 0;
			for (const racer of racers) {
				const result = pickUpDrop(catalog, racer, drops, "drop-1");
				if (result.ok) winners += 1;
				else expect(result.error).to.equal("drop_taken");
			}
			expect(winners).to.equal(1);
			expect(racers[0].slots[0] !== false).to.equal(true);
			// The dropper cannot take it back either.
			expectRejected(dropper, "drop_taken", () => pickUpDrop(catalog, dropper, drops, "drop-1"));
		});

		it("leaves the drop in the world when the inventory is full, for someone else", () => {
			const drops = makeDrops();
			const dropper = createInventory(OWNER, 2);
			expectOk(addItem(catalog, dropper, "sword", 1));
			expectOk(dropItem(catalog, dropper, drops, 0, stackAt(dropper, 0).id));
			const full = createInventory(202, 1);
			expectOk(addItem(catalog, full, "shield", 1));
			expectRejected(full, "inventory_full", () => pickUpDrop(catalog, full, drops, "drop-1"));
			expect(drops.size()).to.equal(1);
			expectOk(pickUpDrop(catalog, dropper, drops, "drop-1"));
		});

		it("tops up stacks of the same item when no slot is free (the drop's id is then destroyed)", () => {
			const drops = makeDrops();
			const dropper = createInventory(OWNER, 2);
			expectOk(addItem(catalog, dropper, "potion", 6));
			expectOk(dropItem(catalog, dropper, drops, 0, stackAt(dropper, 0).id));
			const taker = createInventory(202, 2);
			expectOk(addItem(catalog, taker, "potion", 17)); // room for 3
			expectOk(addItem(catalog, taker, "potion", 3, { quality: 1 })); // room for 17, other attrs
			expectRejected(taker, "inventory_full", () => pickUpDrop(catalog, taker, drops, "drop-1"));
			const roomy = createInventory(203, 2);
			expectOk(addItem(catalog, roomy, "potion", 34)); // 20 and 14: room for 6
			const change = expectOk(pickUpDrop(catalog, roomy, drops, "drop-1"));
			expect(stackAt(roomy, 1).count).to.equal(20);
			expect(change.destroyed[0]).to.equal(`${OWNER}-1`);
			expect(drops.size()).to.equal(0);
		});

		it("rejects unknown tokens", () => {
			const state = createInventory(OWNER, 2);
			const drops = makeDrops();
			expectRejected(state, "drop_not_found", () => pickUpDrop(catalog, state, drops, "drop-404"));
			expectRejected(state, "drop_not_found", () => pickUpDrop(catalog, state, drops, 1 as never));
		});

		it("refuses an item whose id is already in the inventory (a dupe)", () => {
			const state = createInventory(OWNER, 3);
			const drops = makeDrops();
			expectOk(addItem(catalog, state, "sword", 1));
			drops.put({ token: "forged", stack: stackAt(state, 0), owner: 999 });
			expectRejected(state, "duplicate_item", () => pickUpDrop(catalog, state, drops, "forged"));
			expect(drops.size()).to.equal(1);
		});

		it("refuses drops of items the catalog does not know or stacks above maxStack", () => {
			const state = createInventory(OWNER, 3);
			const drops = makeDrops();
			drops.put({ token: "a", stack: { id: "9-1", def: "dragon", count: 1 }, owner: 9 });
			drops.put({ token: "b", stack: { id: "9-2", def: "gem", count: 6 }, owner: 9 });
			expectRejected(state, "unknown_def", () => pickUpDrop(catalog, state, drops, "a"));
			expectRejected(state, "invalid_count", () => pickUpDrop(catalog, state, drops, "b"));
		});
	});

	describe("inventory DropRegistry", () => {
		it("lets exactly the first take of a token succeed", () => {
			const drops = makeDrops();
			expect(drops.put({ token: "t", stack: { id: "1-1", def: "sword", count: 1 }, owner: 1 })).to.equal(true);
			const first = drops.take("t");
			expect(first.ok && first.value.stack.id).to.equal("1-1");
			const second = drops.take("t");
			expect(!second.ok && second.error).to.equal("drop_taken");
			const unknown = drops.take("u");
			expect(!unknown.ok && unknown.error).to.equal("drop_not_found");
			expect(drops.wasTaken("t")).to.equal(true);
			expect(drops.wasTaken("u")).to.equal(false);
		});

		it("never reuses a token, even after its drop was taken", () => {
			const drops = makeDrops();
			const drop = { token: "t", stack: { id: "1-1", def: "sword", count: 1 }, owner: 1 };
			expect(drops.put(drop)).to.equal(true);
			expect(drops.put(drop)).to.equal(false);
			drops.take("t");
			expect(drops.put(drop)).to.equal(false);
			expect(drops.size()).to.equal(0);
		});

		it("mints fresh tokens and fails loudly when the generator repeats itself", () => {
			let calls = 0;
			const stuck = new DropRegistry(() => {
				calls += 1;
				return "same";
			});
			expect(stuck.mintToken()).to.equal("same");
			stuck.put({ token: "same", stack: { id: "1-1", def: "sword", count: 1 }, owner: 1 });
			const [success, thrown] = pcall(() => stuck.mintToken());
			expect(success).to.equal(false);
			expect(isHopsafeError(thrown) && thrown.kind).to.equal("CallbackFailed");
			expect(calls > 2).to.equal(true);
		});

		it("lists the drops lying in the world", () => {
			const drops = makeDrops();
			drops.put({ token: "a", stack: { id: "1-1", def: "sword", count: 1 }, owner: 1 });
			drops.put({ token: "b", stack: { id: "1-2", def: "ring", count: 1 }, owner: 1 });
			drops.take("a");
			const listed = drops.list();
			expect(listed.size()).to.equal(1);
			expect(listed[0].token).to.equal("b");
		});
	});
};
