import { RequestBudget } from "../../../src/sync/budget";

export = () => {
	describe("sync token bucket", () => {
		it("allows a burst, then one request per 60/perMinute seconds", () => {
			let now = 0;
			const budget = new RequestBudget(120, 3, () => now);
			expect(budget.tryTake()).to.equal(true);
			expect(budget.tryTake()).to.equal(true);
			expect(budget.tryTake()).to.equal(true);
			expect(budget.tryTake()).to.equal(false);
			expect(budget.waitTime()).to.be.near(0.5, 1e-9);
			now += 0.5;
			expect(budget.tryTake()).to.equal(true);
			expect(budget.tryTake()).to.equal(false);
		});

		it("never allows more than perMinute plus the burst in any minute", () => {
			let now = 0;
			const budget = new RequestBudget(400, 10, () => now);
			let taken = 0;
			for (let step = 0; step < 6000; step++) {
				if (budget.tryTake()) taken += 1;
				now += 0.01;
			}
			expect(taken <= 410).to.equal(true);
			expect(taken >= 400).to.equal(true);
		});

		it("waits through the given sleep until a token is there", () => {
			let now = 0;
			const budget = new RequestBudget(60, 1, () => now);
			expect(budget.take((seconds) => (now += seconds))).to.equal(false);
			expect(budget.take((seconds) => (now += seconds))).to.equal(true);
			expect(now).to.be.near(1, 0.02);
		});
	});
};
