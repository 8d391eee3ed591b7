import { createInventory } from "../../../../src/inventory/state/createInventory";
import { serviceSetup } from "./support/serviceFixtures";

// The early-save policy with a fake session that counts save() calls; virtual time runs on
// the headless runner (and real time in Studio), so waits are short.

export = () => {
	describe("inventory early-save policy", () => {
		it("saves soon after a rare item arrives, once for a burst", () => {
			const setup = serviceSetup({ minRarity: "rare", delay: 0.2 });
			const session = setup.sessions.load(1, createInventory(1, 8));
			setup.service.grant(1, "sword");
			setup.service.grant(1, "ring");
			expect(session.saves).to.equal(0);
			task.wait(0.3);
			expect(session.saves).to.equal(1);
			setup.service.grant(1, "sword");
			task.wait(0.3);
			expect(session.saves).to.equal(2);
		});

		it("leaves ordinary changes to the auto-save", () => {
			const setup = serviceSetup({ minRarity: "rare", delay: 0.1, transfers: false });
			const session = setup.sessions.load(1, createInventory(1, 8));
			const potions = setup.service.grant(1, "potion", 10);
			const sword = setup.service.grant(1, "shield");
			assert(potions.ok && sword.ok);
			const potion = potions.value.minted[0];
			for (let index = 0; index < 5; index++) setup.service.consume(1, 0, potion);
			setup.service.move(1, 1, sword.value.minted[0], 4);
			setup.service.split(1, 0, potion, 1, 2);
			setup.service.adjustCurrency(1, "coins", 10_000);
			task.wait(0.3);
			expect(session.saves).to.equal(0);
		});

		it("saves soon after drops and pick-ups, using up something rare, and large currency changes", () => {
			const setup = serviceSetup({ minRarity: "epic", delay: 0.1, currencyThreshold: 1000 });
			const session = setup.sessions.load(1, createInventory(1, 8));
			const potions = setup.service.grant(1, "potion", 10);
			assert(potions.ok);
			task.wait(0.2);
			expect(session.saves).to.equal(0);
			setup.service.drop(1, 0, potions.value.minted[0], 1);
			task.wait(0.2);
			expect(session.saves).to.equal(1);
			setup.service.adjustCurrency(1, "coins", 999);
			task.wait(0.2);
			expect(session.saves).to.equal(1);
			setup.service.adjustCurrency(1, "coins", 1000);
			task.wait(0.2);
			expect(session.saves).to.equal(2);
			setup.service.grant(1, "ring");
			task.wait(0.2);
			expect(session.saves).to.equal(3);
		});

		it("never saves early with the policy off, and saves on request", () => {
			const setup = serviceSetup(false);
			const session = setup.sessions.load(1, createInventory(1, 8));
			setup.service.grant(1, "sword");
			task.wait(2);
			expect(session.saves).to.equal(0);
			expect(setup.service.saveSoon(1)).to.equal(true);
			expect(session.saves).to.equal(1);
			expect(setup.service.saveSoon(2)).to.equal(false);
		});

		it("does not save a session that ended before the delay ran out", () => {
			const setup = serviceSetup({ delay: 0.2 });
			const session = setup.sessions.load(1, createInventory(1, 8));
			setup.service.grant(1, "sword");
			setup.sessions.release(1);
			task.wait(0.3);
			expect(session.saves).to.equal(0);
		});
	});
};
