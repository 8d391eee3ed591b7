import { syncWorld } from "./support/api";
import {
	apiItems,
	crossServerSale,
	externalServer,
	listenTrades,
	outcomeOf,
	swordSale,
	tradeTransfers,
} from "./support/external";
import { type Faults, faultyServer } from "./support/faultyAuthority";

// Player ids of this file (the save API's database is shared by the whole run).
const BASE = 962_100;

export = () => {
	describe("trades in external authority with a throwing authority", () => {
		it("a transfer that throws once the partner's side arrives is reported and fails both sides", () => {
			const [a, b] = [BASE + 1, BASE + 2];
			const world = syncWorld(9623);
			const faults: Faults = {};
			const one = faultyServer(world, "one", faults);
			const two = externalServer(world, { name: "two", trades: true });
			const sale = crossServerSale(world, [one, a], [two, b], "external-throwing-authority", one);
			const { settled, failures, sword } = sale;
			// The coordinator's side first: the partner's side, arriving later, starts the transfer.
			expect(outcomeOf(world, one.trades.escrowSide(sale.swordSide)).status).to.equal("escrowed");
			faults.transfer = true;
			expect(outcomeOf(world, two.trades!.escrowSide(sale.coinSide)).status).to.equal("escrowed");
			world.runUntil(() => settled.size() >= 2, 60);
			expect([...settled].sort().join(",")).to.equal(`${a} failed,${b} failed`);
			expect(failures.size()).to.equal(1);
			expect(failures[0].find("the game's authority is broken", 1, true)[0] !== undefined).to.equal(true);
			expect(tradeTransfers(world, a)).to.equal(0);
			expect(apiItems(world, a)).to.equal(`${sword}=swordx1`);
		});

		it("a trade answered internal_error because the transfer threw is not sent again by the next server", () => {
			const [a, b] = [BASE + 3, BASE + 4];
			const world = syncWorld(9624);
			const faults: Faults = {};
			const one = faultyServer(world, "one", faults);
			const { sword, proposal } = swordSale(world, one, [a, b], "external-throwing-execute");
			faults.transfer = true;
			const result = outcomeOf(world, one.trades.execute(proposal));
			expect(result.status).to.equal("failed");
			expect(result.reason).to.equal("internal_error");
			world.advance(10);
			faults.transfer = false;
			one.app.server.shutdown();
			const two = externalServer(world, { name: "two", trades: true, limits: { sweepInterval: 2 } });
			const settled = new Array<string>();
			listenTrades(two.trades!, settled, new Array<string>());
			for (const userId of [a, b]) two.app.server.join(userId);
			world.runUntil(() => two.service.isReady(a) && two.service.isReady(b), 180);
			assert(two.service.isReady(a) && two.service.isReady(b), "the second server never served them");
			world.advance(30);
			// Told failed, so it never happens.
			expect(tradeTransfers(world, a)).to.equal(0);
			expect(settled.join(",")).to.equal("");
			expect(apiItems(world, a)).to.equal(`${sword}=swordx1`);
		});

		it("a throw while the sweep sends a transfer again is reported, and a later sweep ends the trade", () => {
			const [a, b] = [BASE + 5, BASE + 6];
			const world = syncWorld(9625);
			const faults: Faults = {};
			const one = faultyServer(world, "one", faults, { sweepInterval: 2 });
			const { first: settled, proposal } = swordSale(world, one, [a, b], "external-throwing-sweep");
			const failures = new Array<string>();
			one.trades.callbackFailed.Connect((failure) => failures.push(failure.message));
			// The first send and its retries never reach the API: the trade is left to the sweep.
			const match = "/v1/transfers";
			world.failHttp({ kind: "connectFail", count: 4, server: one.app.server, match });
			const result = outcomeOf(world, one.trades.execute(proposal));
			expect(result.status).to.equal("pending");
			faults.transfer = true;
			world.advance(6);
			expect(failures.size() >= 1).to.equal(true);
			faults.transfer = false;
			world.runUntil(() => settled.size() >= 2, 30);
			expect([...settled].sort().join(",")).to.equal(`${a} completed,${b} completed`);
			expect(tradeTransfers(world, a)).to.equal(1);
		});

		it("a throw while a side past its deadline is settled is reported, and a later sweep ends it", () => {
			const [a, b] = [BASE + 7, BASE + 8];
			const world = syncWorld(9626);
			const faults: Faults = { voids: true };
			const one = faultyServer(world, "one", faults, { decisionTimeout: 20, sweepInterval: 2 });
			one.app.server.join(a);
			world.runUntil(() => one.service.isReady(a), 120);
			assert(one.service.isReady(a), "the inventory was not served");
			const settled = new Array<string>();
			listenTrades(one.trades, settled, new Array<string>());
			const failures = new Array<string>();
			one.trades.callbackFailed.Connect((failure) => failures.push(failure.message));
			const granted = one.service.grant(a, "sword");
			assert(granted.ok, "the grant failed");
			const sword = granted.value.minted[0];
			// The partner (offline) never sends its side: the coordinator's ends at the deadline.
			const held = outcomeOf(
				world,
				one.trades.escrowSide({
					trade: "external-throwing-void",
					player: a,
					partner: b,
					items: [{ id: sword, count: 1 }],
					receive: { items: [], currency: { coins: 25 } },
				}),
			);
			expect(held.status).to.equal("escrowed");
			world.advance(30);
			expect(failures.size() >= 1).to.equal(true);
			expect(settled.join(",")).to.equal("");
			faults.voids = false;
			world.runUntil(() => settled.size() >= 1, 30);
			expect(settled.join(",")).to.equal(`${a} failed`);
			expect(one.trades.isSettled(a)).to.equal(true);
		});
	});
};
