import { syncWorld } from "./support/api";
import { apiItems, crossServerSale, externalServer, outcomeOf, serveEach } from "./support/external";

// Player ids of this file (the save API's database is shared by the whole run).
const BASE = 985_000;

export = () => {
	describe("a cross-server trade whose partner's side post is not confirmed (external authority)", () => {
		it("does not tell the partner failed when the side landed and the coordinator sent the trade", () => {
			const [a, b] = [BASE + 1, BASE + 2];
			const world = syncWorld(9851);
			const limits = { decisionTimeout: 120, sweepInterval: 2, verdictTimeout: 30 };
			const one = externalServer(world, { name: "one", trades: true, limits });
			const two = externalServer(world, { name: "two", trades: true, limits });
			const sale = crossServerSale(world, [one, a], [two, b], "uncertain-side-post", two);
			expect(outcomeOf(world, one.trades!.escrowSide(sale.swordSide)).status).to.equal("escrowed");
			// Every write from two lands but its call errors: the side reaches the coordinator's
			// profile, and the post keeps retrying until two shuts down, then rejects.
			two.app.server.services.DataStoreService.faults.setCommittedButErroredRate(1);
			let partner: string | undefined;
			void two.trades!.escrowSide(sale.coinSide).then((told) => (partner = told.status));
			world.advance(5);
			two.app.server.shutdown();
			world.runUntil(() => partner !== undefined, 60);
			expect(partner === undefined).to.equal(false);
			// The partner plays on elsewhere; the coordinator's server sends the trade.
			const three = externalServer(world, { name: "three", trades: true, limits });
			three.trades!.settled.Connect((userId, _trade, outcome) => sale.settled.push(`${userId} ${outcome}`));
			serveEach(world, [three, b]);
			world.runUntil(() => sale.settled.size() >= 2, 600);
			const sold = apiItems(world, b) === `${sale.sword}=swordx1`;
			expect(sold).to.equal(true);
			// Whatever the partner heard matches what the save API did: never failed for a sale.
			expect(partner).never.to.equal("failed");
			expect([...sale.settled].sort().join(",")).to.equal(`${a} completed,${b} completed`);
		});
	});
};
