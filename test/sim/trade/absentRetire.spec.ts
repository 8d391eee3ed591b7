import {
	joinReady,
	onceAt,
	same,
	settle,
	storedItems,
	storedProfile,
	storedTotals,
	swordAndPotions,
	swordForPotions,
	type TradeServer,
	type TradeWorld,
} from "./support/tradeWorld";

// A partner settling with a crashed coordinator retires what it received from the coordinator's
// stored outbox; a retirement that fails is tried again instead of waiting for the coordinator.

const A = 970001;
const B = 970002;
const TRADE = "absent-retire-1";

const { giverSide: sideA, takerSide: sideB } = swordForPotions(TRADE, A, B);

/** Both sides escrowed; the coordinator A's server crashes once its decision is saved. */
function crashAfterDecision(seed: number): { setup: TradeWorld; one: TradeServer; two: TradeServer } {
	const parts = swordAndPotions({ seed, servers: 2, limits: { decisionTimeout: 120, saveTimeout: 10 } }, A, B);
	const { setup, one, two } = parts;
	same(settle(setup.world, two.trades.escrowSide(sideB())).status, "escrowed", "B's side");
	setup.world.runUntil(() => storedProfile(setup.world, A)!.ledger.waiting[TRADE] !== undefined, 120);
	const crashed = onceAt(one, "sideSaved", () => one.server.crash());
	void one.trades.escrowSide(sideA());
	setup.world.runUntil(() => crashed(), 120);
	same(crashed(), true, "crashed");
	return parts;
}

/** Whether A's stored outbox still holds what it owes B. */
const owes = (setup: TradeWorld) => next(storedProfile(setup.world, A)!.ledger.outbox)[0] !== undefined;

export = () => {
	describe("a trade partner retiring what a crashed coordinator delivered", () => {
		it("retires the delivered side again after the first retirement failed", () => {
			const { setup, two } = crashAfterDecision(9701);
			// B's save of the received side commits; the next write of B's server (the retirement
			// in A's profile) and two more fail.
			let armed = false;
			setup.world.dataStore().observe((write) => {
				if (armed || write.ref.key !== `player_${B}` || write.source !== two.server.name) return;
				if (two.steps.find((step) => step.sub(1, 14) === "parcelReceived") === undefined) return;
				armed = true;
				two.server.services.DataStoreService.faults.failNext(3, { operation: "UpdateAsync" });
			});
			setup.world.runUntil(() => storedItems(setup.world, B) === `${A}-1x1|50`, 900);
			expect(armed).to.equal(true);
			expect(storedItems(setup.world, B)).to.equal(`${A}-1x1|50`);
			// Retired without A coming back.
			setup.world.runUntil(() => !owes(setup), 600);
			expect(owes(setup)).to.equal(false);
			expect(storedTotals(setup, [A, B])).to.equal("0 dupes, 11 items, 50 coins");
			joinReady(setup, two, A);
			setup.world.advance(300);
			expect(`${storedItems(setup.world, A)} ${storedItems(setup.world, B)}`).to.equal(
				`${B}-1x10|0 ${A}-1x1|50`,
			);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});
	});
};
