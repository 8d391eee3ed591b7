import { adjustCurrency, createInventory } from "../../../src/inventory";
import { OWNER, catalog, expectOk, expectRejected } from "./support/fixtures";
import { Prng } from "./support/prng";

export = () => {
	describe("inventory adjustCurrency", () => {
		it("adds and spends, reporting the new balance", () => {
			const state = createInventory(OWNER, 1);
			const change = expectOk(adjustCurrency(catalog, state, "coins", 100));
			expect(change.currencies.size()).to.equal(1);
			expect(change.currencies[0][0]).to.equal("coins");
			expect(change.currencies[0][1]).to.equal(100);
			expectOk(adjustCurrency(catalog, state, "coins", -40));
			expect(state.currencies.coins).to.equal(60);
			expect(state.currencies.gems).to.equal(undefined);
		});

		it("may spend a balance down to exactly zero, never below", () => {
			const state = createInventory(OWNER, 1);
			expectOk(adjustCurrency(catalog, state, "gems", 5));
			expectRejected(state, "insufficient_funds", () => adjustCurrency(catalog, state, "gems", -6));
			expectRejected(state, "insufficient_funds", () => adjustCurrency(catalog, state, "coins", -1));
			expectOk(adjustCurrency(catalog, state, "gems", -5));
			expect(state.currencies.gems).to.equal(0);
		});

		it("rejects deltas that are zero, fractional, not numbers or out of range", () => {
			const state = createInventory(OWNER, 1);
			expectOk(adjustCurrency(catalog, state, "coins", 10));
			for (const delta of [0, -0, 0.5, -1.5, 0 / 0, math.huge, -math.huge, 2 ** 53, "5" as never]) {
				expectRejected(state, "invalid_amount", () => adjustCurrency(catalog, state, "coins", delta));
			}
			// A balance that would pass 2^53 - 1 would stop being exact.
			expectRejected(state, "invalid_amount", () => adjustCurrency(catalog, state, "coins", 2 ** 53 - 5));
		});

		it("rejects currencies the catalog does not define", () => {
			const state = createInventory(OWNER, 1);
			expectRejected(state, "unknown_currency", () => adjustCurrency(catalog, state, "tokens", 5));
			expectRejected(state, "unknown_currency", () => adjustCurrency(catalog, state, 1 as never, 5));
		});

		it("keeps every balance equal to the sum of its applied deltas (I3)", () => {
			const state = createInventory(OWNER, 1);
			const random = new Prng(77);
			let applied = 0;
			let rejected = 0;
			for (let step = 0; step < 2000; step++) {
				const delta = random.int(-60, 50);
				const result = adjustCurrency(catalog, state, "coins", delta);
				if (result.ok) applied += delta;
				else rejected += 1;
				expect(state.currencies.coins ?? 0).to.equal(applied);
				expect(applied >= 0).to.equal(true);
			}
			expect(rejected > 0).to.equal(true);
		});
	});
};
