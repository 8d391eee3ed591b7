import type { InventoryChange } from "../../../../src/inventory/operations/change";
import { createInventory } from "../../../../src/inventory/state/createInventory";
import { deepDiff } from "../support/deepDiff";
import { serviceSetup } from "./support/serviceFixtures";

// The service's transactions: one change for the player, or none. (The steps' own semantics are
// in ../steps.spec.ts; the external authority's side in authority.spec.ts.)

export = () => {
	describe("inventory service transactions", () => {
		it("applies a purchase as one change and one `changed`, and keeps the coins when it cannot", () => {
			const setup = serviceSetup(false);
			setup.sessions.load(1, createInventory(1, 2));
			const service = setup.service;
			expect(service.adjustCurrency(1, "coins", 100).ok).to.equal(true);
			const seen = new Array<InventoryChange>();
			service.changed.Connect((_player, change) => seen.push(change));

			const bought = service.transact(1, [
				{ op: "adjustCurrency", currency: "coins", delta: -60 },
				{ op: "grant", def: "ring" },
			]);
			expect(bought.ok).to.equal(true);
			expect(seen.size()).to.equal(1);
			expect(service.getInventory(1)!.currencies.coins).to.equal(40);
			expect(deepDiff(seen[0].currencies, [["coins", 40]])).never.to.be.ok();

			expect(service.grant(1, "sword").ok).to.equal(true); // the last free slot
			seen.clear();
			const before = table.clone(service.getInventory(1)!.slots);
			const refused = service.transact(1, [
				{ op: "adjustCurrency", currency: "coins", delta: -30 },
				{ op: "grant", def: "ring" },
			]);
			expect(refused.ok).to.equal(false);
			expect(!refused.ok && refused.error).to.equal("inventory_full");
			expect(!refused.ok && "step" in refused && refused.step).to.equal(1);
			expect(service.getInventory(1)!.currencies.coins).to.equal(40);
			expect(deepDiff(service.getInventory(1)!.slots, before)).never.to.be.ok();
			expect(seen.size()).to.equal(0);
		});

		it("answers no_session for a player it does not serve, and fires nothing for no steps", () => {
			const setup = serviceSetup(false);
			setup.sessions.load(1, createInventory(1, 2));
			let fired = 0;
			setup.service.changed.Connect(() => (fired += 1));
			const missing = setup.service.transact(2, [{ op: "grant", def: "ring" }]);
			expect(!missing.ok && missing.error).to.equal("no_session");
			expect(setup.service.transact(1, []).ok).to.equal(true);
			expect(fired).to.equal(0);
		});

		it("saves soon when any step would, judging balances by the whole transaction", () => {
			const setup = serviceSetup({ minRarity: "rare", delay: 0.1, currencyThreshold: 1000, transfers: false });
			const session = setup.sessions.load(1, createInventory(1, 8));
			const service = setup.service;
			const potions = service.grant(1, "potion", 10);
			assert(potions.ok);
			const potion = potions.value.minted[0];
			const ordinary = service.transact(1, [
				{ op: "consume", slot: 0, id: potion },
				{ op: "adjustCurrency", currency: "coins", delta: 600 },
				{ op: "grant", def: "shield" },
			]);
			expect(ordinary.ok).to.equal(true);
			task.wait(0.2);
			expect(session.saves).to.equal(0);

			// 600 then 600: each step is under the threshold, the transaction is not.
			const large = service.transact(1, [
				{ op: "adjustCurrency", currency: "coins", delta: 600 },
				{ op: "adjustCurrency", currency: "coins", delta: 600 },
			]);
			expect(large.ok).to.equal(true);
			task.wait(0.2);
			expect(session.saves).to.equal(1);

			// Taking a rare item in a transaction saves soon, as `take` alone would.
			const sword = service.grant(1, "sword");
			assert(sword.ok);
			task.wait(0.2);
			expect(session.saves).to.equal(2);
			const traded = service.transact(1, [
				{ op: "take", id: sword.value.minted[0] },
				{ op: "adjustCurrency", currency: "coins", delta: 5 },
			]);
			expect(traded.ok).to.equal(true);
			task.wait(0.2);
			expect(session.saves).to.equal(3);
		});
	});
};
