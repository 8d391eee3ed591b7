import { syncWorld } from "./support/api";
import {
	apiItems,
	crossServerSale,
	externalServer,
	outcomeOf,
	swordSale,
	tradeTransfers,
} from "./support/external";
import { type Faults, faultyServer } from "./support/faultyAuthority";

// Player ids of this file (the save API's database is shared by the whole run).
const BASE = 980_000;

export = () => {
	describe("trades in external authority whose authority throws after sending and cannot void", () => {
		it("an execute whose transfer applied and then threw is pending, then told completed once", () => {
			const [a, b] = [BASE + 1, BASE + 2];
			const world = syncWorld(9800);
			const faults: Faults = { withoutVoid: true };
			const one = faultyServer(world, "one", faults, { sweepInterval: 2 });
			const { first: settled, received, sword, proposal } = swordSale(world, one, [a, b], "uncertain-execute");
			faults.afterTransfer = true;
			const result = outcomeOf(world, one.trades.execute(proposal));
			// The API applied it: the game must not hear that it failed.
			expect(result.status).to.equal("pending");
			expect(apiItems(world, b)).to.equal(`${sword}=swordx1`);
			faults.afterTransfer = false;
			world.advance(20);
			expect([...settled].sort().join(",")).to.equal(`${a} completed,${b} completed`);
			expect([...received].sort().join(",")).to.equal(`${a} 0 25,${b} 1 0`);
			expect(tradeTransfers(world, a)).to.equal(1);
			// Asked again with the same id, the game hears how it ended.
			expect(outcomeOf(world, one.trades.execute(proposal)).status).to.equal("completed");
			world.advance(10);
			expect(settled.size()).to.equal(2);
		});

		it("a gift whose transfer applied and then threw is pending, then its recipient receives it once", () => {
			const [a, b] = [BASE + 3, BASE + 4];
			const world = syncWorld(9801);
			const faults: Faults = { withoutVoid: true };
			const one = faultyServer(world, "one", faults, { sweepInterval: 2 });
			const { received, sword } = swordSale(world, one, [a, b], "uncertain-gift");
			faults.afterTransfer = true;
			const gift = { id: "uncertain-gift", from: a, to: b, items: [{ id: sword, count: 1 }] };
			expect(outcomeOf(world, one.trades.gift(gift)).status).to.equal("pending");
			faults.afterTransfer = false;
			world.advance(20);
			expect(received.join(",")).to.equal(`${b} 1 0`);
			expect(apiItems(world, b)).to.equal(`${sword}=swordx1`);
		});

		it("a cross-server transfer that applied and then threw is told completed to both players once", () => {
			const [a, b] = [BASE + 5, BASE + 6];
			const world = syncWorld(9802);
			const faults: Faults = { withoutVoid: true };
			const one = faultyServer(world, "one", faults, { sweepInterval: 2 });
			const two = externalServer(world, { name: "two", trades: true });
			const sale = crossServerSale(world, [one, a], [two, b], "uncertain-cross", one);
			const { settled, failures, sword } = sale;
			expect(outcomeOf(world, one.trades.escrowSide(sale.swordSide)).status).to.equal("escrowed");
			faults.afterTransfer = true;
			expect(outcomeOf(world, two.trades!.escrowSide(sale.coinSide)).status).to.equal("escrowed");
			world.runUntil(() => failures.size() >= 1, 30);
			faults.afterTransfer = false;
			world.runUntil(() => settled.size() >= 2, 120);
			world.advance(20);
			expect([...settled].sort().join(",")).to.equal(`${a} completed,${b} completed`);
			expect(apiItems(world, b)).to.equal(`${sword}=swordx1`);
			expect(tradeTransfers(world, a)).to.equal(1);
		});
	});
};
