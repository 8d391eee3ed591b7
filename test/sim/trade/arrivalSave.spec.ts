import { coinsSaved, grantSaved, joinReady, settle, storedQuiet, tradeWorld } from "./support/tradeWorld";

// A partner's delivered side can arrive (a vault message brought by a save) while a pass of the
// trade service's background work is waiting on a save of its own, started before the arrival.

const COORDINATOR = 920001;
const PARTNER = 920002;
const GIFTER = 920003;
const TRADE = "cross-920001";

export = () => {
	describe("a partner's side arriving during a save", () => {
		it("tells the partner once its arrival is saved, not when an earlier save confirms", () => {
			const setup = tradeWorld({ seed: 920101, servers: 2, limits: { decisionTimeout: 600, saveTimeout: 120 } });
			const { world } = setup;
			const [one, two] = setup.servers;
			joinReady(setup, one, COORDINATOR);
			joinReady(setup, one, GIFTER);
			joinReady(setup, two, PARTNER);
			const [sword] = grantSaved(one, COORDINATOR, "sword");
			coinsSaved(one, COORDINATOR, 50);
			const [shield] = grantSaved(one, GIFTER, "shield");
			const [potions] = grantSaved(two, PARTNER, "potion", 10);
			world.advance(10);

			const told = new Array<string>();
			const listen = (at: (typeof setup.servers)[number]) =>
				at.trades.settled.Connect((userId, trade, outcome) => {
					if (userId !== PARTNER) return;
					told.push(`${at.server.name} ${trade} ${outcome}`);
					// Told: the arrival is taken as saved. The partner's server crashes at once.
					if (at === two) two.server.crash();
				});
			listen(two);

			// The partner's side waits at the coordinator, who has not escrowed yet.
			const partnerSide = {
				trade: TRADE,
				player: PARTNER,
				partner: COORDINATOR,
				items: [{ id: potions, count: 10 }],
				receive: { items: [{ def: "sword", count: 1 }], currency: { coins: 50 } },
			};
			expect(settle(world, two.trades.escrowSide(partnerSide)).status).to.equal("escrowed");
			world.advance(30);

			// From now on every write of the partner's server takes a while, so a save started
			// for one arrival is still in flight when the next one is posted.
			two.server.services.DataStoreService.faults.setLatency(15, "UpdateAsync");
			let gifted = false;
			two.onStep = (step, id) => {
				if (step === "parcelReceived" && id === "gift-920003") gifted = true;
			};
			const gift = { id: "gift-920003", from: GIFTER, to: PARTNER, items: [{ id: shield, count: 1 }] };
			expect(settle(world, one.trades.gift(gift)).status).to.equal("completed");
			world.runUntil(() => gifted, 300);
			expect(gifted).to.equal(true);

			// The gift's arrival started a save; the coordinator now decides and posts the side.
			const coordinatorSide = {
				trade: TRADE,
				player: COORDINATOR,
				partner: PARTNER,
				items: [{ id: sword, count: 1 }],
				currency: { coins: 50 },
				receive: { items: [{ def: "potion", count: 10 }] },
			};
			expect(settle(world, one.trades.escrowSide(coordinatorSide)).status).to.equal("completed");
			world.runUntil(() => told.size() > 0, 600);

			// Whether told there or not, the partner moves to a fresh server.
			if (two.server.state === "running") two.server.crash();
			const fresh = setup.startServer();
			listen(fresh);
			joinReady(setup, fresh, PARTNER);
			world.runUntil(() => storedQuiet(world, [COORDINATOR, PARTNER]) && fresh.trades.isSettled(PARTNER), 600);
			expect(storedQuiet(world, [COORDINATOR, PARTNER])).to.equal(true);
			// Told once, on the server that saved the arrival.
			expect(told.join(", ")).to.equal(`${two.server.name} ${TRADE} completed`);
		});
	});
};
