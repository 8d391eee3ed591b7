import type { TradeLimits, TransferOutcome } from "../../../src";
import type { BundleTerms } from "../../../src/trade/ledger/summary";
import type { GiveSpec } from "../../../src/trade/service/types";
import { syncWorld } from "./support/api";
import { externalServer, listenTrades, outcomeOf, type ExternalServer, tradeTransfers } from "./support/external";

// Player ids of this file (the save API's database is shared by the whole run). The lower id
// of each pair is the trade's coordinator.
const BASE = 960_100;

function serve(world: Sim.World, at: ExternalServer, userId: number): void {
	at.app.server.join(userId);
	world.runUntil(() => at.service.isReady(userId), 180);
	assert(at.service.isReady(userId), `${userId} was not served`);
}

interface Told {
	/** `settled` for the coordinator on its third server, which found the transfer applied. */
	readonly third: Array<string>;
	/** `settled` for the coordinator on its fourth server. */
	readonly fourth: Array<string>;
	/** The coordinator's side escrowed again on its fourth server. */
	readonly again: TransferOutcome;
	readonly transfers: number;
}

/**
 * The coordinator `a` sells 4 potions to the partner `b` (on server two) for 25 coins. `a`'s
 * first server sends the transfer, which applies, but none of that server's writes land, and it
 * crashes. On `a`'s next server the game escrows `a`'s side again; at its deadline, with no side
 * of the partner's, the refusal finds the transfer applied and `a` is told it completed; that
 * server crashes in the same step. On `a`'s fourth server the game escrows `a`'s side again.
 */
function foundAppliedThenCrashed(seed: number, [a, b]: [number, number], limits: TradeLimits): Told {
	const world = syncWorld(seed);
	const all = { decisionTimeout: 60, verdictTimeout: 600, sweepInterval: 2, ...limits };
	const one = externalServer(world, { name: "one", trades: true, limits: all });
	const two = externalServer(world, { name: "two", trades: true, limits: all });
	serve(world, one, a);
	serve(world, two, b);
	const potions = one.service.grant(a, "potion", 10);
	assert(potions.ok && two.service.adjustCurrency(b, "coins", 25).ok, "the grants failed");
	const id = `external-found-applied-once-${seed}`;
	const coins = { items: [], currency: { coins: 25 } };
	const fourPotions = { items: [{ id: potions.value.minted[0], count: 4 }] };
	const escrow = (at: ExternalServer, player: number, partner: number, give: GiveSpec, receive: BundleTerms) =>
		outcomeOf(world, at.trades!.escrowSide({ trade: id, player, partner, ...give, receive }));
	const sent = escrow(two, b, a, coins, { items: [{ def: "potion", count: 4 }] });
	assert(sent.status === "escrowed", `the partner's side was ${sent.status}`);
	world.advance(10);
	one.app.server.services.DataStoreService.faults.failNext(100_000, { operation: "UpdateAsync" });
	const first = escrow(one, a, b, fourPotions, coins);
	assert(first.status === "completed", `the coordinator's side was ${first.status}`);
	world.advance(5);
	one.app.server.crash();

	const three = externalServer(world, { name: "three", trades: true, limits: all });
	const third = new Array<string>();
	listenTrades(three.trades!, third, new Array<string>());
	serve(world, three, a);
	// The game escrows the coordinator's side again; no partner's side comes to it.
	const held = escrow(three, a, b, fourPotions, coins);
	assert(held.status === "escrowed", `the side escrowed again was ${held.status}`);
	world.runUntil(() => third.includes(`${a} completed`), all.decisionTimeout * 3);
	assert(third.includes(`${a} completed`), `the third server did not tell the coordinator: ${third.join(",")}`);
	three.app.server.crash();

	const four = externalServer(world, { name: "four", trades: true, limits: all });
	const fourth = new Array<string>();
	listenTrades(four.trades!, fourth, new Array<string>());
	serve(world, four, a);
	world.advance(5);
	const again = escrow(four, a, b, fourPotions, coins);
	world.advance(all.decisionTimeout * 2);
	return { third, fourth, again, transfers: tradeTransfers(world, a) };
}

export = () => {
	describe("external cross-server trade found applied after a crash", () => {
		it("with writeAheadTimeout, a coordinator told a refused trade applied is not told again after a crash", () => {
			const [a, b] = [BASE + 1, BASE + 2];
			const told = foundAppliedThenCrashed(9611, [a, b], { writeAheadTimeout: 15 });
			expect(told.third.join(",")).to.equal(`${a} completed`);
			expect(told.fourth.join(",")).to.equal("");
			expect(told.again.status).to.equal("duplicate");
			expect(told.transfers).to.equal(1);
		});
	});
};
