import { onceAt, storedProfile, swordAndPotions } from "./support/tradeWorld";

// A sender released with a gift unsent at shutdown: the list entry naming their server must be
// rewritten before that server closes, or a recovery waits until the server counts as dead.

const S = 971001;
const R = 971002;
const GIFT = { id: "shutdown-gift-1", from: S, to: R, items: [{ id: `${S}-1`, count: 1 }], currency: { coins: 20 } };

export = () => {
	describe("a gift's sender released as their server shuts down", () => {
		it("leaves the list entry naming no server once the server has closed", () => {
			const { setup, one, two } = swordAndPotions({ seed: 9711, servers: 2, limits: { saveTimeout: 10 } }, S, R);
			const closingJob = one.server.jobId;
			const closed = onceAt(one, "giftSaved", () => {
				// The release's rewrite of the entry needs a second try (its first request fails).
				setup.world.memoryStore().failNext(1, "InternalError", "SortedMap.SetAsync");
				one.server.shutdown();
			});
			void one.trades.gift(GIFT);
			setup.world.runUntil(() => closed() && one.server.state === "closed", 120);
			expect(one.server.state).to.equal("closed");
			expect(next(storedProfile(setup.world, S)!.ledger.outbox)[0]).to.equal(GIFT.id);
			// Read at once: no recovery has looked at the list yet.
			const holder = two.server.run(() => {
				const map = game.GetService("MemoryStoreService").GetSortedMap("hopsafe-outboxes");
				const [value] = map.GetAsync(`TradeData:${S}`);
				return (value as { j?: string } | undefined)?.j;
			});
			expect(holder === closingJob).to.equal(false);
			expect(holder).to.equal("");
		});
	});
};
