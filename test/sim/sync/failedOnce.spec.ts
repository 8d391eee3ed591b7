import type { TradeLimits } from "../../../src";
import { companionToken, companionWrite, storedData, syncWorld } from "./support/api";
import { type ExternalData, externalServer, listenTrades, outcomeOf, tradeTransfers } from "./support/external";

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
	for (const userId of [a, b]) one.app.server.join(userId);
	world.runUntil(() => one.service.isReady(a) && one.service.isReady(b), 120);
	assert(one.service.isReady(a) && one.service.isReady(b), "the inventories were not served");
	const first = new Array<string>();
	listenTrades(one.trades!, first, new Array<string>());
	const granted = one.service.grant(a, "sword");
	assert(granted.ok && one.service.adjustCurrency(b, "coins", 40).ok, "the grants failed");
	const sword = granted.value.minted[0];
	const id = `external-failed-once-${seed}`;
	const proposal = {
		id,
		a: { player: a, items: [{ id: sword, count: 1 }] },
		b: { player: b, items: [], currency: { coins: 25 } },
	};
	world.failHttp({ kind: "connectFail", count: 4, server: one.app.server, match: "/v1/transfers" });
	const pending = outcomeOf(world, one.trades!.execute(proposal));
	assert(pending.status === "pending", `the trade was ${pending.status}`);
	const kept = () =>
		[a, b].every((userId) => storedData<ExternalData>(world, userId)?.trades.unanswered?.[id] !== undefined);
	world.runUntil(kept, 30);
	assert(kept(), "the ledgers' copy was not saved");
	const token = companionToken(world, a, ["item.remove"]);
	const taken = companionWrite(world, token, a, [{ op: "item.remove", id: sword, count: 1 }]);
	assert(taken.status === 201, `the companion could not take the sword: ${taken.status}`);
	const refused = outcomeOf(world, one.trades!.execute(proposal));
	assert(refused.status === "failed", `the trade sent again was ${refused.status}`);
	world.runUntil(() => first.size() >= 2, 90);
	assert(first.size() >= 2, "the refusal was never told");
	one.app.server.crash();
	const two = externalServer(world, { name: "two", trades: true, limits: { sweepInterval: 2 } });
	const second = new Array<string>();
	listenTrades(two.trades!, second, new Array<string>());
	for (const userId of [a, b]) two.app.server.join(userId);
	// The crashed server's sessions are taken over once its liveness lapses; then the sweep runs.
	world.runUntil(() => two.service.isReady(a) && two.service.isReady(b), 180);
	assert(two.service.isReady(a) && two.service.isReady(b), "the second server never served them");
	world.advance(30);
	return { first, second, transfers: tradeTransfers(world, a) };
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
