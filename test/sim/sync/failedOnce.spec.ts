import type { TradeLimits } from "../../../src";
import { companionToken, companionWrite, syncWorld } from "./support/api";
import {
	crashAndServeElsewhere,
	externalServer,
	leaveUnanswered,
	outcomeOf,
	swordSale,
	tradeTransfers,
} from "./support/external";

// Player ids of this file (the save API's database is shared by the whole run).
const BASE = 960_000;

interface Told {
	readonly first: Array<string>;
	readonly second: Array<string>;
	readonly transfers: number;
}

/**
 * On one server in external authority, `a` sells a sword to `b` for 25 coins. The first send
 * never reaches the API, so the trade waits in both ledgers (that copy saved); meanwhile the
 * companion takes the sword, and the trade sent again is refused. The server crashes in the step
 * its players are told it failed. Both join a second server, which runs a while. What each
 * server told them.
 */
function crashedWhenRefused(seed: number, [a, b]: [number, number], limits: TradeLimits): Told {
	const world = syncWorld(seed);
	// No sweep: the trade is sent again by the spec, once.
	const one = externalServer(world, { trades: true, limits: { ...limits, sweepInterval: 1e6 } });
	const sale = swordSale(world, one, [a, b], `external-failed-once-${seed}`);
	leaveUnanswered(world, one, sale);
	const token = companionToken(world, a, ["item.remove"]);
	const taken = companionWrite(world, token, a, [{ op: "item.remove", id: sale.sword, count: 1 }]);
	assert(taken.status === 201, `the companion could not take the sword: ${taken.status}`);
	const refused = outcomeOf(world, one.trades!.execute(sale.proposal));
	assert(refused.status === "failed", `the trade sent again was ${refused.status}`);
	const second = crashAndServeElsewhere(world, one, sale);
	return { first: sale.first, second, transfers: tradeTransfers(world, a) };
}

export = () => {
	describe("external trade refusals after a crash", () => {
		it("with writeAheadTimeout, a crash as the players are told of a refusal does not tell them again", () => {
			const [a, b] = [BASE + 1, BASE + 2];
			const told = crashedWhenRefused(9601, [a, b], { writeAheadTimeout: 15 });
			expect([...told.first].sort().join(",")).to.equal(`${a} failed,${b} failed`);
			expect(told.second.join(",")).to.equal("");
			expect(told.transfers).to.equal(0);
		});

		it("without writeAheadTimeout, a crash before the copy's removal is saved tells the refusal again", () => {
			const [a, b] = [BASE + 3, BASE + 4];
			const told = crashedWhenRefused(9602, [a, b], {});
			expect([...told.first].sort().join(",")).to.equal(`${a} failed,${b} failed`);
			// The documented window (README, "Trade notifications across a crash").
			expect([...told.second].sort().join(",")).to.equal(`${a} failed,${b} failed`);
			expect(told.transfers).to.equal(0);
		});
	});
};
