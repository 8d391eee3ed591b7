import { companionToken, companionWrite, syncWorld } from "./support/api";
import { crashAndServeElsewhere, outcomeOf, swordSale, tradeTransfers } from "./support/external";
import { type Faults, faultyServer } from "./support/faultyAuthority";

// Player ids of this file (the save API's database is shared by the whole run).
const BASE = 985_100;

export = () => {
	describe("external authority with writeAheadTimeout: a refused transfer whose send threw", () => {
		it("is told failed once, even when the server crashes right after telling", () => {
			const [a, b] = [BASE + 1, BASE + 2];
			const world = syncWorld(9852);
			const faults: Faults = {};
			const one = faultyServer(world, "one", faults, { sweepInterval: 2, writeAheadTimeout: 15 });
			const sale = swordSale(world, one, [a, b], "refused-uncertain-once");
			world.runUntil(() => one.app.sync.pendingCount(a) + one.app.sync.pendingCount(b) === 0, 30);
			// The companion spends b's coins first, so the save API refuses the transfer; the
			// authority then throws instead of giving that answer, and the refusal is found by
			// settling the key.
			const token = companionToken(world, b, ["currency.add"]);
			const spent = companionWrite(world, token, b, [{ op: "currency.add", currency: "coins", amount: -30 }]);
			expect(spent.status).to.equal(201);
			faults.afterTransfer = true;
			const first = outcomeOf(world, one.trades.execute(sale.proposal));
			faults.afterTransfer = false;
			expect(`${first.status} ${first.reason}`).to.equal("failed insufficient_funds");
			expect([...sale.first].sort().join(",")).to.equal(`${a} failed,${b} failed`);
			// A crash right after the telling: the next server must not tell them again.
			const second = crashAndServeElsewhere(world, one, sale);
			expect(second.join(",")).to.equal("");
			expect(tradeTransfers(world, a)).to.equal(0);
		});
	});
};
