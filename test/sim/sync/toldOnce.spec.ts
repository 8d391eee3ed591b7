import type { TradeLimits } from "../../../src";
import { syncWorld } from "./support/api";
import { crashAndServeElsewhere, externalServer, leaveUnanswered, swordSale, tradeTransfers } from "./support/external";

// Player ids of this file (the save API's database is shared by the whole run).
const BASE = 950_000;

interface Told {
	readonly first: Array<string>;
	readonly second: Array<string>;
	readonly transfers: number;
}

/**
 * On one server in external authority, `a` sells a sword to `b` for 25 coins; that server crashes
 * in the same step its players are told the trade completed (before any save of the stamp could
 * land). Both join a second server, which runs a while. What each server told them.
 *
 * With `copySaved`, the first send gets no answer (it never reaches the API) and the trade is sent
 * again only once the ledgers' copy of it is saved, so that copy is there for the next server.
 */
function crashedWhenTold(seed: number, [a, b]: [number, number], limits: TradeLimits, copySaved: boolean): Told {
	const world = syncWorld(seed);
	// No sweep: the trade is sent again by the spec, once.
	const one = externalServer(world, { trades: true, limits: { ...limits, sweepInterval: 1e6 } });
	const sale = swordSale(world, one, [a, b], `external-told-once-${seed}`);
	if (copySaved) leaveUnanswered(world, one, sale);
	void one.trades!.execute(sale.proposal);
	const second = crashAndServeElsewhere(world, one, sale);
	return { first: sale.first, second, transfers: tradeTransfers(world, a) };
}

export = () => {
	describe("external trade notifications after a crash", () => {
		it("with writeAheadTimeout, a crash as the players are told does not tell them again on the next server", () => {
			const [a, b] = [BASE + 1, BASE + 2];
			const told = crashedWhenTold(9501, [a, b], { writeAheadTimeout: 15 }, false);
			expect([...told.first].sort().join(",")).to.equal(`${a} completed,${b} completed`);
			expect(told.second.join(",")).to.equal("");
			expect(told.transfers).to.equal(1);
		});

		it("with writeAheadTimeout, a trade sent again is not told again after a crash as its players are told", () => {
			const [a, b] = [BASE + 5, BASE + 6];
			const told = crashedWhenTold(9503, [a, b], { writeAheadTimeout: 15 }, true);
			expect([...told.first].sort().join(",")).to.equal(`${a} completed,${b} completed`);
			expect(told.second.join(",")).to.equal("");
			expect(told.transfers).to.equal(1);
		});

		it("without writeAheadTimeout, a crash before the stamp is saved tells the players again", () => {
			const [a, b] = [BASE + 3, BASE + 4];
			const told = crashedWhenTold(9502, [a, b], {}, true);
			expect([...told.first].sort().join(",")).to.equal(`${a} completed,${b} completed`);
			// The documented window (README, "Trade notifications across a crash").
			expect([...told.second].sort().join(",")).to.equal(`${a} completed,${b} completed`);
			expect(told.transfers).to.equal(1);
		});
	});
};
