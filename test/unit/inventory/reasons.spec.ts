import {
	InventoryResult,
	REJECT_REASONS,
	RejectReason,
	addItem,
	adjustCurrency,
	applySteps,
	consumeItem,
	createInventory,
	dropItem,
	equipItem,
	isRejectReason,
	mergeStacks,
	moveItem,
	pickUpDrop,
	removeItem,
	splitStack,
	unequipItem,
} from "../../../src/inventory";
import { OWNER, catalog, catalogWithout, expectOk, expectRejected, makeDrops } from "./support/fixtures";

// One fixed inventory, and for every reason code an operation on it that must produce that code.
// The table is typed over RejectReason, so a new code does not compile until something produces it.
function scenario() {
	const state = createInventory(OWNER, 7);
	const drops = makeDrops();
	expectOk(addItem(catalog, state, "sword", 1)); // slot 0, 101-1
	expectOk(addItem(catalog, state, "potion", 20)); // slot 1, 101-2 (full stack)
	expectOk(addItem(catalog, state, "potion", 3, { quality: 1 })); // slot 2, 101-3
	expectOk(addItem(catalog, state, "arrow", 5)); // slot 3, 101-4
	expectOk(addItem(catalog, state, "quest_key", 1)); // slot 4, 101-5
	expectOk(addItem(catalog, state, "potion", 1)); // slot 5, 101-6 (slot 1 is full); slot 6 stays empty
	expectOk(equipItem(catalog, state, 0, `${OWNER}-1`, "weapon"));
	expectOk(adjustCurrency(catalog, state, "coins", 10));
	const stranger = createInventory(202, 1);
	expectOk(addItem(catalog, stranger, "ring", 1));
	expectOk(dropItem(catalog, stranger, drops, 0, "202-1")); // drop-1
	expectOk(addItem(catalog, stranger, "ring", 1));
	expectOk(dropItem(catalog, stranger, drops, 0, "202-2")); // drop-2
	expectOk(pickUpDrop(catalog, stranger, drops, "drop-2"));
	drops.put({ token: "dupe", stack: { id: `${OWNER}-1`, def: "sword", count: 1 }, owner: 202 });
	return { state, drops };
}

const PRODUCERS: Record<RejectReason, (s: ReturnType<typeof scenario>) => InventoryResult> = {
	unknown_def: ({ state }) => addItem(catalog, state, "dragon", 1),
	invalid_count: ({ state }) => addItem(catalog, state, "potion", 0.5),
	invalid_slot: ({ state }) => moveItem(state, 7, `${OWNER}-1`, 0),
	invalid_attrs: ({ state }) => addItem(catalog, state, "sword", 1, { bad: 0 / 0 }),
	slot_empty: ({ state }) => moveItem(state, 6, `${OWNER}-1`, 0),
	slot_occupied: ({ state }) => splitStack(catalog, state, 1, `${OWNER}-2`, 1, 0),
	same_slot: ({ state }) => moveItem(state, 0, `${OWNER}-1`, 0),
	item_mismatch: ({ state }) => consumeItem(catalog, state, 1, `${OWNER}-3`),
	not_owned: ({ state }) => removeItem(state, "202-1", 1),
	duplicate_item: ({ state, drops }) => pickUpDrop(catalog, state, drops, "dupe"),
	not_stackable: ({ state }) => splitStack(catalog, state, 0, `${OWNER}-1`, 1, 6),
	def_mismatch: ({ state }) => mergeStacks(catalog, state, 3, `${OWNER}-4`, 1, `${OWNER}-2`),
	attrs_mismatch: ({ state }) => mergeStacks(catalog, state, 2, `${OWNER}-3`, 1, `${OWNER}-2`),
	stack_full: ({ state }) => mergeStacks(catalog, state, 5, `${OWNER}-6`, 1, `${OWNER}-2`),
	inventory_full: ({ state }) => addItem(catalog, state, "sword", 2),
	insufficient_count: ({ state }) => removeItem(state, `${OWNER}-4`, 6),
	not_consumable: ({ state }) => consumeItem(catalog, state, 0, `${OWNER}-1`),
	not_equippable: ({ state }) => equipItem(catalog, state, 1, `${OWNER}-2`, "weapon"),
	wrong_equip_slot: ({ state }) => equipItem(catalog, state, 3, `${OWNER}-4`, "weapon"),
	already_equipped: ({ state }) => equipItem(catalog, state, 0, `${OWNER}-1`, "weapon"),
	not_equipped: ({ state }) => unequipItem(state, "offhand"),
	not_tradeable: ({ state, drops }) => dropItem(catalog, state, drops, 4, `${OWNER}-5`),
	drop_not_found: ({ state, drops }) => pickUpDrop(catalog, state, drops, "drop-9"),
	drop_taken: ({ state, drops }) => pickUpDrop(catalog, state, drops, "drop-2"),
	drop_settling: ({ state, drops }) => {
		drops.hold("drop-1");
		return pickUpDrop(catalog, state, drops, "drop-1");
	},
	unknown_currency: ({ state }) => adjustCurrency(catalog, state, "tokens", 1),
	invalid_amount: ({ state }) => adjustCurrency(catalog, state, "coins", 0),
	insufficient_funds: ({ state }) => adjustCurrency(catalog, state, "coins", -11),
	invalid_step: ({ state }) => applySteps(catalog, state, [{ op: "explode" } as never]),
};

export = () => {
	describe("inventory reject reasons", () => {
		it("has a description naming the operations for every code", () => {
			let count = 0;
			for (const [reason, text] of pairs(REJECT_REASONS)) {
				count += 1;
				expect(isRejectReason(reason)).to.equal(true);
				expect(text.find("(", 1, true)[0] !== undefined).to.equal(true);
			}
			expect(count).to.equal(29);
			expect(isRejectReason("bogus")).to.equal(false);
			expect(isRejectReason(3)).to.equal(false);
		});

		it("produces every code from some operation, changing nothing", () => {
			for (const [reason, produce] of pairs(PRODUCERS)) {
				const setup = scenario();
				expectRejected(setup.state, reason, () => produce(setup));
			}
		});

		it("rejects a stack whose definition left the catalog for every operation that reads it", () => {
			const { state, drops } = scenario();
			const reduced = catalogWithout("potion");
			expectRejected(state, "unknown_def", () => consumeItem(reduced, state, 1, `${OWNER}-2`));
			expectRejected(state, "unknown_def", () => equipItem(reduced, state, 1, `${OWNER}-2`, "weapon"));
			expectRejected(state, "unknown_def", () => dropItem(reduced, state, drops, 1, `${OWNER}-2`));
			// Removing it is still possible: a game cleans up items it no longer defines.
			expectOk(removeItem(state, `${OWNER}-2`, 20));
		});

		it("returns one shared frozen value per rejection", () => {
			const state = createInventory(OWNER, 1);
			const first = addItem(catalog, state, "dragon", 1);
			const second = addItem(catalog, state, "wyvern", 1);
			expect(first).to.equal(second);
			expect(table.isfrozen(first)).to.equal(true);
		});
	});
};
