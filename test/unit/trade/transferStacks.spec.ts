import { addItem, cloneInventory, createInventory, equipItem } from "../../../src/inventory";
import { checkPut, putStacks, takeStacks } from "../../../src/inventory/service/transferStacks";
import { deepDiff } from "../inventory/support/deepDiff";
import { OWNER, catalog, expectOk, stackAt } from "../inventory/support/fixtures";

export = () => {
	describe("trade stack transfers", () => {
		it("takes whole stacks with their ids and unequips them", () => {
			const state = createInventory(OWNER, 4);
			expectOk(addItem(catalog, state, "sword", 1));
			const sword = stackAt(state, 0).id;
			expectOk(equipItem(catalog, state, 0, sword, "weapon"));
			state.currencies.coins = 50;
			const taken = takeStacks(catalog, state, [{ id: sword, count: 1 }], { coins: 20 });
			assert(taken.ok);
			expect(taken.value.bundle.stacks[0].id).to.equal(sword);
			expect(taken.value.bundle.currency.coins).to.equal(20);
			expect(state.slots[0]).to.equal(false);
			expect(state.equipped.weapon).to.equal(undefined);
			expect(state.currencies.coins).to.equal(30);
			expect(taken.value.change.destroyed.size()).to.equal(0);
		});

		it("splits part of a stack off under a new id minted by the giver", () => {
			const state = createInventory(OWNER, 4);
			expectOk(addItem(catalog, state, "potion", 10));
			const potion = stackAt(state, 0).id;
			const taken = takeStacks(catalog, state, [{ id: potion, count: 4 }], {});
			assert(taken.ok);
			const part = taken.value.bundle.stacks[0];
			expect(part.id).never.to.equal(potion);
			expect(part.id).to.equal(`${OWNER}-2`);
			expect(part.count).to.equal(4);
			expect(stackAt(state, 0).count).to.equal(6);
			expect(taken.value.change.minted[0]).to.equal(part.id);
		});

		it("refuses the whole take and changes nothing when one claim fails", () => {
			const state = createInventory(OWNER, 4);
			expectOk(addItem(catalog, state, "sword", 1));
			expectOk(addItem(catalog, state, "gem", 2));
			const sword = stackAt(state, 0).id;
			const gem = stackAt(state, 1).id;
			const cases: Array<[Array<{ id: string; count: number }>, Record<string, number>, string]> = [
				[
					[
						{ id: sword, count: 1 },
						{ id: gem, count: 1 },
					],
					{},
					"not_tradeable",
				],
				[
					[
						{ id: sword, count: 1 },
						{ id: sword, count: 1 },
					],
					{},
					"duplicate_item",
				],
				[[{ id: sword, count: 2 }], {}, "insufficient_count"],
				[[{ id: "nobody-1", count: 1 }], {}, "not_owned"],
				[[{ id: sword, count: 0 }], {}, "invalid_count"],
				[[], { coins: 1 }, "insufficient_funds"],
				[[], { gold: 1 }, "unknown_currency"],
				[[], { coins: 0.5 }, "invalid_amount"],
			];
			for (const [claims, currency, reason] of cases) {
				const before = cloneInventory(state);
				const taken = takeStacks(catalog, state, claims, currency);
				expect(taken.ok).to.equal(false);
				if (!taken.ok) expect(taken.error).to.equal(reason);
				expect(deepDiff(state, before)).to.equal(undefined);
			}
		});

		it("puts stacks into empty slots keeping their ids, all or nothing", () => {
			const state = createInventory(OWNER, 3);
			expectOk(addItem(catalog, state, "potion", 5));
			const incoming = [
				{ id: "7-1", def: "potion", count: 3 },
				{ id: "7-2", def: "sword", count: 1 },
			];
			const change = putStacks(catalog, state, { stacks: incoming, currency: { coins: 9 } });
			assert(change.ok);
			expect(stackAt(state, 1).id).to.equal("7-1");
			expect(stackAt(state, 2).id).to.equal("7-2");
			// Not merged into the existing potions: no id disappears.
			expect(stackAt(state, 0).count).to.equal(5);
			expect(state.currencies.coins).to.equal(9);
			expect(checkPut(catalog, state, { stacks: [{ id: "7-3", def: "ring", count: 1 }], currency: {} })).to.equal(
				"inventory_full",
			);
		});

		it("refuses to put an id the inventory already holds (a dupe)", () => {
			const state = createInventory(OWNER, 3);
			expectOk(addItem(catalog, state, "sword", 1));
			const sword = stackAt(state, 0).id;
			const before = cloneInventory(state);
			const put = putStacks(catalog, state, { stacks: [{ id: sword, def: "sword", count: 1 }], currency: {} });
			expect(put.ok).to.equal(false);
			if (!put.ok) expect(put.error).to.equal("duplicate_item");
			expect(deepDiff(state, before)).to.equal(undefined);
		});
	});
};
