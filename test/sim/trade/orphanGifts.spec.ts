import {
	joinReady,
	onceAt,
	same,
	storedItems,
	storedProfile,
	storedTotals,
	swordAndPotions,
	type TradeServer,
	type TradeWorld,
} from "./support/tradeWorld";

// Gifts a sender's server left unsent: it crashed once the gift was saved, or the sender's
// release went ahead first. Another server sends them without waiting for the sender.

const S = 940101;
const R = 940102;
const GIFT = { id: "orphan-gift-1", from: S, to: R, items: [{ id: `${S}-1`, count: 1 }], currency: { coins: 20 } };
/** The stored items of the sender and the recipient once the gift arrived. */
const SENT_S = "|30";
const SENT_R = `${S}-1x1,${R}-1x10|20`;

/** Servers (two unless `servers` says more): S on the first with a sword and 50 coins, R on the second with ten potions. */
function giftWorld(seed: number, servers = 2): { setup: TradeWorld; one: TradeServer; two: TradeServer } {
	return swordAndPotions({ seed, servers, limits: { saveTimeout: 10 } }, S, R);
}

/** S's server crashes once the gift is saved, before it is posted. */
function crashOnceSaved(setup: TradeWorld, one: TradeServer): void {
	const crashed = onceAt(one, "giftSaved", () => one.server.crash());
	void one.trades.gift(GIFT);
	setup.world.runUntil(() => crashed(), 60);
	same(crashed(), true, "crashed at giftSaved");
	same(next(storedProfile(setup.world, S)!.ledger.outbox)[0], GIFT.id, "the gift waits in S's outbox");
}

function conserved(setup: TradeWorld): string {
	return storedTotals(setup, [S, R]);
}

const CONSERVED = "0 dupes, 11 items, 50 coins";

/** Whether the list of senders owing gifts still names S, read from `at` (true when the read fails). */
function listed(at: TradeServer): boolean {
	return at.server.run(() => {
		const map = game.GetService("MemoryStoreService").GetSortedMap("hopsafe-outboxes");
		const [read, value] = pcall(() => map.GetAsync(`TradeData:${S}`)[0]);
		return !read || value !== undefined;
	});
}

/** Serves S again on `at` and checks that nothing moves twice. */
function senderBack(setup: TradeWorld, at: TradeServer): string {
	joinReady(setup, at, S);
	setup.world.advance(300);
	return `${storedItems(setup.world, S)} ${storedItems(setup.world, R)} ${conserved(setup)}`;
}

export = () => {
	describe("gifts a crashed sender left unsent", () => {
		it("delivers a gift saved before its sender's server crashed, without the sender", () => {
			const { setup, one, two } = giftWorld(9410);
			crashOnceSaved(setup, one);
			setup.world.runUntil(() => storedItems(setup.world, R) === SENT_R, 300);
			expect(storedItems(setup.world, R)).to.equal(SENT_R);
			expect(two.inventory.getInventory(R)!.currencies.coins).to.equal(20);
			const stored = storedProfile(setup.world, S)!;
			expect(next(stored.ledger.outbox)[0]).to.equal(undefined);
			expect(stored.holder).to.equal(undefined);
			setup.world.runUntil(() => !listed(two), 300);
			expect(listed(two)).to.equal(false);
			expect(conserved(setup)).to.equal(CONSERVED);
			expect(senderBack(setup, two)).to.equal(`${SENT_S} ${SENT_R} ${CONSERVED}`);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});

		it("posts it to a recipient who is offline, applied once at their next load", () => {
			const { setup, one, two } = giftWorld(9411);
			two.server.leave(two.server.findPlayer(R)!);
			setup.world.advance(10);
			crashOnceSaved(setup, one);
			setup.world.runUntil(() => next(storedProfile(setup.world, S)!.ledger.outbox)[0] === undefined, 300);
			expect(next(storedProfile(setup.world, S)!.ledger.outbox)[0]).to.equal(undefined);
			// Waiting in R's profile as a message, not applied yet.
			expect(storedProfile(setup.world, R)!.pending.size()).to.equal(1);
			expect(storedItems(setup.world, R)).to.equal(`${R}-1x10|0`);
			joinReady(setup, two, R);
			setup.world.runUntil(() => storedItems(setup.world, R) === SENT_R, 120);
			expect(senderBack(setup, two)).to.equal(`${SENT_S} ${SENT_R} ${CONSERVED}`);
		});

		it("delivers once whatever the moment the sender comes back on another server", () => {
			// When the gift is recovered in this world (the same seed gives the same run).
			const probe = giftWorld(9412);
			crashOnceSaved(probe.setup, probe.one);
			let at = -1;
			probe.setup.world.dataStore().observe((write) => {
				if (at < 0 && write.ref.key === `player_${S}` && write.source === probe.two.server.name)
					at = probe.setup.world.now();
			});
			probe.setup.world.runUntil(() => at >= 0, 300);
			expect(at >= 0).to.equal(true);
			probe.setup.world.destroy();
			for (const offset of [-15, -2, -1, -0.5, -0.2, 0, 0.2, 0.5, 1, 3]) {
				const { setup, one } = giftWorld(9412);
				crashOnceSaved(setup, one);
				setup.world.advance(at + offset - setup.world.now());
				const fresh = setup.startServer();
				expect(`${offset}: ${senderBack(setup, fresh)}`).to.equal(`${offset}: ${SENT_S} ${SENT_R} ${CONSERVED}`);
				expect(`${offset}: ${storedProfile(setup.world, S)!.holder}`).to.equal(`${offset}: ${fresh.server.jobId}`);
				expect(setup.world.takeErrors().size()).to.equal(0);
				setup.world.destroy();
			}
		});

		it("delivers a gift its sender's server had no time to send before it shut down", () => {
			const { setup, one, two } = giftWorld(9418);
			// The server shuts down as soon as the gift is saved: the sender's release is written
			// with the gift still in the outbox.
			const closed = onceAt(one, "giftSaved", () => one.server.shutdown());
			void one.trades.gift(GIFT);
			setup.world.runUntil(() => closed() && one.server.state === "closed", 120);
			expect(one.server.state).to.equal("closed");
			expect(storedProfile(setup.world, S)!.holder).to.equal(undefined);
			expect(next(storedProfile(setup.world, S)!.ledger.outbox)[0]).to.equal(GIFT.id);
			setup.world.runUntil(() => storedItems(setup.world, R) === SENT_R, 300);
			expect(storedItems(setup.world, R)).to.equal(SENT_R);
			expect(next(storedProfile(setup.world, S)!.ledger.outbox)[0]).to.equal(undefined);
			// Off the list once nothing is owed (a later look removes an entry whose removal failed).
			setup.world.runUntil(() => !listed(two), 300);
			expect(listed(two)).to.equal(false);
			expect(senderBack(setup, two)).to.equal(`${SENT_S} ${SENT_R} ${CONSERVED}`);
		});

		it("is recovered by one server when several look at once", () => {
			const { setup, one, two } = giftWorld(9413, 4);
			const writers = new Set<string>();
			crashOnceSaved(setup, one);
			setup.world.dataStore().observe((write) => {
				if (write.ref.key === `player_${S}`) writers.add(write.source);
			});
			setup.world.runUntil(() => storedItems(setup.world, R) === SENT_R, 300);
			setup.world.advance(120);
			expect(storedItems(setup.world, R)).to.equal(SENT_R);
			expect(writers.size()).to.equal(1);
			expect(senderBack(setup, two)).to.equal(`${SENT_S} ${SENT_R} ${CONSERVED}`);
		});

		it("delivers once when the recovering server's DataStore requests fail or commit and error", () => {
			for (const seed of [9414, 9415, 9416, 9417]) {
				const { setup, one, two } = giftWorld(seed);
				const faults = two.server.services.DataStoreService.faults;
				faults.setErrorRate(0.4);
				faults.setCommittedButErroredRate(0.2);
				crashOnceSaved(setup, one);
				setup.world.advance(600);
				faults.clear();
				setup.world.runUntil(() => storedItems(setup.world, R) === SENT_R, 600);
				expect(`${seed}: ${senderBack(setup, two)}`).to.equal(`${seed}: ${SENT_S} ${SENT_R} ${CONSERVED}`);
				setup.world.destroy();
			}
		});
	});
};
