import { onceAt, storedItems, storedProfile, storedTotals, swordAndPotions } from "./support/tradeWorld";

// A recovery of gifts a released sender left unsent writes the sender's profile once: to
// retire what it sent. Nobody holds the profile, so there is no lock to take over first.

const S = 970201;
const R = 970202;
const GIFT = { id: "released-gift-1", from: S, to: R, items: [{ id: `${S}-1`, count: 1 }], currency: { coins: 20 } };

export = () => {
	describe("recovering the gifts of a released sender", () => {
		it("writes the sender's profile only to retire the gifts it sent", () => {
			const { setup, one, two } = swordAndPotions({ seed: 9721, servers: 2, limits: { saveTimeout: 10 } }, S, R);
			// S's server shuts down as soon as the gift is saved: the release is written with the
			// gift still in the outbox, and S is listed with no holder.
			const closed = onceAt(one, "giftSaved", () => one.server.shutdown());
			void one.trades.gift(GIFT);
			setup.world.runUntil(() => closed() && one.server.state === "closed", 120);
			expect(storedProfile(setup.world, S)!.holder).to.equal(undefined);
			const writes = new Array<string>();
			setup.world.dataStore().observe((write) => {
				if (write.ref.key === `player_${S}`) writes.push(write.source);
			});
			setup.world.runUntil(() => storedItems(setup.world, R) === `${S}-1x1,${R}-1x10|20`, 300);
			setup.world.advance(120);
			expect(next(storedProfile(setup.world, S)!.ledger.outbox)[0]).to.equal(undefined);
			expect(writes.join(",")).to.equal(two.server.name);
			expect(storedTotals(setup, [S, R])).to.equal("0 dupes, 11 items, 50 coins");
		});
	});
};
