import { syncWorld } from "./support/api";
import { crossServerSale, externalServer, outcomeOf } from "./support/external";
import { type Faults, faultyServer } from "./support/faultyAuthority";

// Player ids of this file (the save API's database is shared by the whole run).
const BASE = 980_030;

export = () => {
	describe("a cross-server trade whose partner's queue cannot be flushed (external authority)", () => {
		it("ends the coordinator's waiting side at once, not at the deadline", () => {
			const [a, b] = [BASE + 1, BASE + 2];
			const world = syncWorld(9830);
			const limits = { decisionTimeout: 120, sweepInterval: 2 };
			const faults: Faults = {};
			const one = externalServer(world, { name: "one", trades: true, limits });
			const two = faultyServer(world, "two", faults, limits);
			const sale = crossServerSale(world, [one, a], [two, b], "unflushed-side", two);
			expect(outcomeOf(world, one.trades!.escrowSide(sale.swordSide)).status).to.equal("escrowed");
			faults.pendingCount = true;
			const refused = outcomeOf(world, two.trades.escrowSide(sale.coinSide));
			expect(`${refused.status} ${refused.reason}`).to.equal("failed save_failed");
			const refusedAt = world.now();
			world.runUntil(() => sale.settled.size() >= 1, 300);
			expect(sale.settled.join(",")).to.equal(`${a} failed`);
			// Well before the 120-second decision timeout.
			expect(world.now() - refusedAt < 60).to.equal(true);
		});
	});
};
