import { syncWorld } from "./support/api";
import {
	apiItems,
	crossServerSale,
	externalServer,
	listenTrades,
	outcomeOf,
	serveEach,
	swordSale,
	tradeTransfers,
} from "./support/external";
import { type Faults, faultyServer } from "./support/faultyAuthority";

// Player ids of this file (the save API's database is shared by the whole run).
const BASE = 963_000;

export = () => {
	describe("trades in external authority whose authority throws after sending", () => {
		it("an execute whose transfer applied and then threw is settled and answered completed, told once", () => {
			const [a, b] = [BASE + 1, BASE + 2];
			const world = syncWorld(9630);
			const faults: Faults = {};
			const one = faultyServer(world, "one", faults, { sweepInterval: 2 });
			const { first: settled, received, sword, proposal } = swordSale(world, one, [a, b], "external-throwing-applied");
			const failures = new Array<string>();
			one.trades.callbackFailed.Connect((failure) => failures.push(failure.message));
			faults.afterTransfer = true;
			const result = outcomeOf(world, one.trades.execute(proposal));
			// The API applied it: the game hears so, not a failure.
			expect(result.status).to.equal("completed");
			expect(failures.size()).to.equal(1);
			expect(tradeTransfers(world, a)).to.equal(1);
			expect(apiItems(world, b)).to.equal(`${sword}=swordx1`);
			world.advance(20);
			expect([...settled].sort().join(",")).to.equal(`${a} completed,${b} completed`);
			expect([...received].sort().join(",")).to.equal(`${a} 0 25,${b} 1 0`);
			expect(tradeTransfers(world, a)).to.equal(1);
		});

		it("a side whose queue count throws is reported and failed, and what it gave is free again", () => {
			const [a, b] = [BASE + 3, BASE + 4];
			const world = syncWorld(9631);
			const faults: Faults = {};
			const one = externalServer(world, { name: "one", trades: true });
			const two = faultyServer(world, "two", faults);
			serveEach(world, [one, a], [two, b]);
			const failures = new Array<string>();
			two.trades.callbackFailed.Connect((failure) => failures.push(failure.message));
			const granted = two.service.grant(b, "sword");
			assert(granted.ok, "the grant failed");
			const sword = granted.value.minted[0];
			const side = (trade: string) =>
				outcomeOf(
					world,
					two.trades.escrowSide({
						trade,
						player: b,
						partner: a,
						items: [{ id: sword, count: 1 }],
						receive: { items: [], currency: { coins: 25 } },
					}),
				);
			faults.pendingCount = true;
			const first = side("external-throwing-count");
			expect(first.status).to.equal("failed");
			expect(failures.size() >= 1).to.equal(true);
			faults.pendingCount = false;
			// The failed side holds the sword no more: another trade may offer it.
			expect(side("external-throwing-count-again").status).to.equal("escrowed");
		});

		it("a verdict whose player's state read throws is reported, and the player is still told", () => {
			const [a, b] = [BASE + 5, BASE + 6];
			const world = syncWorld(9632, { expectUncaughtErrors: true });
			const faults: Faults = {};
			const one = externalServer(world, { name: "one", trades: true });
			const two = faultyServer(world, "two", faults);
			const sale = crossServerSale(world, [one, a], [two, b], "external-throwing-verdict", two);
			const { settled, failures, sword } = sale;
			expect(outcomeOf(world, one.trades!.escrowSide(sale.swordSide)).status).to.equal("escrowed");
			expect(outcomeOf(world, two.trades.escrowSide(sale.coinSide)).status).to.equal("escrowed");
			// The partner's server reads b's state next when the verdict comes.
			faults.getStateOnce = b;
			world.runUntil(() => settled.size() >= 2, 60);
			expect(world.takeErrors().size()).to.equal(0);
			expect(faults.getStateOnce).to.equal(undefined);
			expect(failures.size()).to.equal(1);
			expect([...settled].sort().join(",")).to.equal(`${a} completed,${b} completed`);
			expect(apiItems(world, b)).to.equal(`${sword}=swordx1`);
		});

		it("a gift whose transfer applied and then threw, to a player not loaded, is answered completed", () => {
			const [a, b] = [BASE + 7, BASE + 8];
			const world = syncWorld(9633);
			const faults: Faults = {};
			const one = faultyServer(world, "one", faults);
			one.app.server.join(a);
			world.runUntil(() => one.service.isReady(a), 120);
			assert(one.service.isReady(a), "the inventory was not served");
			const failures = new Array<string>();
			one.trades.callbackFailed.Connect((failure) => failures.push(failure.message));
			const granted = one.service.grant(a, "sword");
			assert(granted.ok, "the grant failed");
			const sword = granted.value.minted[0];
			faults.afterTransfer = true;
			const result = outcomeOf(
				world,
				one.trades.gift({ id: "external-throwing-gift", from: a, to: b, items: [{ id: sword, count: 1 }] }),
			);
			expect(result.status).to.equal("completed");
			expect(failures.size()).to.equal(1);
			expect(apiItems(world, b)).to.equal(`${sword}=swordx1`);
		});

		it("a refused trade found applied whose state read throws is reported, and the coordinator is told", () => {
			const [a, b] = [BASE + 9, BASE + 10];
			const world = syncWorld(9634, { expectUncaughtErrors: true });
			const limits = { decisionTimeout: 60, verdictTimeout: 600, sweepInterval: 2, writeAheadTimeout: 15 };
			const one = externalServer(world, { name: "one", trades: true, limits });
			const two = externalServer(world, { name: "two", trades: true, limits });
			one.app.server.join(a);
			two.app.server.join(b);
			world.runUntil(() => one.service.isReady(a) && two.service.isReady(b), 180);
			assert(one.service.isReady(a) && two.service.isReady(b), "the inventories were not served");
			const potions = one.service.grant(a, "potion", 10);
			assert(potions.ok && two.service.adjustCurrency(b, "coins", 25).ok, "the grants failed");
			const id = "external-throwing-found-applied";
			const coins = { items: [], currency: { coins: 25 } };
			const fourPotions = { items: [{ id: potions.value.minted[0], count: 4 }] };
			const sent = outcomeOf(
				world,
				two.trades!.escrowSide({ trade: id, player: b, partner: a, ...coins, receive: { items: [{ def: "potion", count: 4 }] } }),
			);
			assert(sent.status === "escrowed", `the partner's side was ${sent.status}`);
			world.advance(10);
			// The transfer applies, but none of the coordinator's server's writes land before its crash.
			one.app.server.services.DataStoreService.faults.failNext(100_000, { operation: "UpdateAsync" });
			const first = outcomeOf(
				world,
				one.trades!.escrowSide({ trade: id, player: a, partner: b, ...fourPotions, receive: coins }),
			);
			assert(first.status === "completed", `the coordinator's side was ${first.status}`);
			world.advance(5);
			one.app.server.crash();
			const faults: Faults = {};
			const three = faultyServer(world, "three", faults, limits);
			const settled = new Array<string>();
			listenTrades(three.trades, settled, new Array<string>());
			const failures = new Array<string>();
			three.trades.callbackFailed.Connect((failure) => failures.push(failure.message));
			three.app.server.join(a);
			world.runUntil(() => three.service.isReady(a), 180);
			assert(three.service.isReady(a), "the third server never served the coordinator");
			// Escrowed again with no partner's side to come: at its deadline the refusal finds it applied.
			const held = outcomeOf(
				world,
				three.trades.escrowSide({ trade: id, player: a, partner: b, ...fourPotions, receive: coins }),
			);
			assert(held.status === "escrowed", `the side escrowed again was ${held.status}`);
			faults.getStateOnce = a;
			world.runUntil(() => settled.size() >= 1, limits.decisionTimeout * 3);
			expect(world.takeErrors().size()).to.equal(0);
			expect(faults.getStateOnce).to.equal(undefined);
			expect(failures.size()).to.equal(1);
			expect(settled.join(",")).to.equal(`${a} completed`);
			expect(tradeTransfers(world, a)).to.equal(1);
		});
	});
};
