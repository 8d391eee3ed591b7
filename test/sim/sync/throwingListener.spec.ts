import type { TradeService } from "../../../src/trade/service/types";
import { syncWorld } from "./support/api";
import { crossServerSale, externalServer, outcomeOf, swordSale } from "./support/external";

// Player ids of this file (the save API's database is shared by the whole run).
const BASE = 980_020;

/**
 * A `settled` listener that throws, once, a value that cannot even be turned into text; what it
 * heard, as `userId outcome`.
 */
function throwOnce(trades: TradeService): Array<string> {
	const heard = new Array<string>();
	let thrown = false;
	trades.settled.Connect((userId, _trade, outcome) => {
		heard.push(`${userId} ${outcome}`);
		if (thrown) return;
		thrown = true;
		throw setmetatable(
			{},
			{
				__tostring: () => {
					throw "this error cannot be described";
				},
			},
		);
	});
	return heard;
}

export = () => {
	describe("trades in external authority whose settled listener throws", () => {
		it("a partner's verdict is still told to the other listeners, and the throw is reported", () => {
			const [a, b] = [BASE + 1, BASE + 2];
			const world = syncWorld(9820, { expectUncaughtErrors: true });
			const one = externalServer(world, { name: "one", trades: true });
			const two = externalServer(world, { name: "two", trades: true });
			throwOnce(two.trades!);
			const sale = crossServerSale(world, [one, a], [two, b], "throwing-listener-verdict", two);
			expect(outcomeOf(world, one.trades!.escrowSide(sale.swordSide)).status).to.equal("escrowed");
			expect(outcomeOf(world, two.trades!.escrowSide(sale.coinSide)).status).to.equal("escrowed");
			world.runUntil(() => sale.settled.size() >= 2, 60);
			world.advance(5);
			expect(world.takeErrors().size()).to.equal(0);
			expect([...sale.settled].sort().join(",")).to.equal(`${a} completed,${b} completed`);
			expect(sale.failures.size()).to.equal(1);
		});

		it("an execute that applied is answered completed and every player told", () => {
			const [a, b] = [BASE + 3, BASE + 4];
			const world = syncWorld(9821, { expectUncaughtErrors: true });
			const one = externalServer(world, { name: "one", trades: true });
			const heard = throwOnce(one.trades!);
			const { first: settled, proposal } = swordSale(world, one, [a, b], "throwing-listener-execute");
			const result = outcomeOf(world, one.trades!.execute(proposal));
			expect(result.status).to.equal("completed");
			world.advance(5);
			expect(world.takeErrors().size()).to.equal(0);
			expect([...settled].sort().join(",")).to.equal(`${a} completed,${b} completed`);
			// Each player once, the throwing listener included.
			expect([...heard].sort().join(",")).to.equal(`${a} completed,${b} completed`);
		});
	});
};
