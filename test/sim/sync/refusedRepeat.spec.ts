import type { TransferOutcome } from "../../../src";
import { apiCoins, companionToken, companionWrite, syncWorld } from "./support/api";
import { type ExternalServer, externalServer, listenTrades, outcomeOf, tradeTransfers } from "./support/external";

// Player ids of this file (the save API's database is shared by the whole run).
const BASE = 962_000;

interface Repeated {
	readonly first: TransferOutcome;
	readonly again: TransferOutcome;
	readonly settled: Array<string>;
	/** The giver's coins at the API after the repeat. */
	readonly coins: number;
	readonly transfers: number;
}

/**
 * On one server in external authority, `giver` (40 coins) gives 25 coins (in a trade for `a`'s
 * sword, or as a gift) through `send`. The companion spends 30 of them first, so the save API
 * refuses the transfer; the giver then earns 30 again here, so the same request would pass every
 * check here, and it is made again with the same id.
 */
function refusedThenRepeated(
	seed: number,
	[a, giver]: [number, number],
	send: (server: ExternalServer, sword: string) => Promise<TransferOutcome>,
): Repeated {
	const world = syncWorld(seed);
	const one = externalServer(world, { trades: true });
	for (const userId of [a, giver]) one.app.server.join(userId);
	world.runUntil(() => one.service.isReady(a) && one.service.isReady(giver), 120);
	assert(one.service.isReady(a) && one.service.isReady(giver), "the inventories were not served");
	const settled = new Array<string>();
	listenTrades(one.trades!, settled, new Array<string>());
	const granted = one.service.grant(a, "sword");
	assert(granted.ok && one.service.adjustCurrency(giver, "coins", 40).ok, "the grants failed");
	const flushed = () => one.app.sync.pendingCount(a) + one.app.sync.pendingCount(giver) === 0;
	world.runUntil(flushed, 30);
	const token = companionToken(world, giver, ["currency.add"]);
	const spent = companionWrite(world, token, giver, [{ op: "currency.add", currency: "coins", amount: -30 }]);
	assert(spent.status === 201, `the companion could not spend the coins: ${spent.status}`);
	const first = outcomeOf(world, send(one, granted.value.minted[0]));
	const shows = (coins: number) => one.service.getInventory(giver)?.currencies.coins === coins;
	world.runUntil(() => shows(10), 30);
	assert(shows(10), "the companion's spending was never pulled");
	assert(one.service.adjustCurrency(giver, "coins", 30).ok, "the coins were not earned again");
	world.runUntil(flushed, 30);
	assert(apiCoins(world, giver) === 40, "the coins earned again did not reach the API");
	const again = outcomeOf(world, send(one, granted.value.minted[0]));
	world.advance(5);
	return { first, again, settled, coins: apiCoins(world, giver), transfers: tradeTransfers(world, giver) };
}

export = () => {
	describe("external authority: a refused transfer asked again", () => {
		it("a trade the save API refused, executed again with its id, is a duplicate told nothing", () => {
			const [a, b] = [BASE + 1, BASE + 2];
			const id = "external-refused-repeat-trade";
			const repeated = refusedThenRepeated(9621, [a, b], (server, sword) =>
				server.trades!.execute({
					id,
					a: { player: a, items: [{ id: sword, count: 1 }] },
					b: { player: b, items: [], currency: { coins: 25 } },
				}),
			);
			expect(repeated.first.status).to.equal("failed");
			expect(repeated.first.reason).to.equal("insufficient_funds");
			// Told once, at the refusal.
			expect([...repeated.settled].sort().join(",")).to.equal(`${a} failed,${b} failed`);
			expect(repeated.again.status).to.equal("duplicate");
			expect(repeated.coins).to.equal(40);
			expect(repeated.transfers).to.equal(0);
		});

		it("a gift the save API refused, sent again with its id, is a duplicate", () => {
			const [a, b] = [BASE + 3, BASE + 4];
			const id = "external-refused-repeat-gift";
			const repeated = refusedThenRepeated(9622, [a, b], (server) =>
				server.trades!.gift({ id, from: b, to: a, items: [], currency: { coins: 25 } }),
			);
			expect(repeated.first.status).to.equal("failed");
			expect(repeated.first.reason).to.equal("insufficient_funds");
			expect(repeated.again.status).to.equal("duplicate");
			expect(repeated.settled.join(",")).to.equal("");
			expect(repeated.coins).to.equal(40);
			expect(repeated.transfers).to.equal(0);
		});
	});
};
