import {
	grantSaved,
	joinReady,
	onceAt,
	same,
	settle,
	storedCensus,
	storedItems,
	storedProfile,
	storedTotals,
	swordAndPotions,
	swordForPotions,
	tradeWorld,
	type TradeServer,
	type TradeWorld,
} from "./support/tradeWorld";

// What a crashed server leaves behind for other players: the sides and refunds a coordinator
// owes its partner, settled while the coordinator's profile still holds the dead server's lock.

const A = 940001;
const B = 940002;
const TRADE = "orphan-1";

/** Two servers: A (the coordinator) on the first with a sword and 50 coins, B on the second with ten potions. */
function orphanWorld(seed: number): { setup: TradeWorld; one: TradeServer; two: TradeServer } {
	return swordAndPotions({ seed, servers: 2, limits: { decisionTimeout: 120, saveTimeout: 10 } }, A, B);
}

const { giverSide: sideA, takerSide: sideB } = swordForPotions(TRADE, A, B);

/** The census of both stored profiles: no dupes, every item and coin somewhere. */
function conserved(setup: TradeWorld): string {
	return storedTotals(setup, [A, B]);
}

const CONSERVED = "0 dupes, 11 items, 50 coins";

/**
 * Both sides escrowed; the coordinator's server crashes once its decision is saved, before it
 * delivers the partner's side. Returns the world with the coordinator's lock held by the dead server.
 */
function crashAfterDecision(seed: number): { setup: TradeWorld; one: TradeServer; two: TradeServer } {
	const parts = orphanWorld(seed);
	const { setup, one, two } = parts;
	same(settle(setup.world, two.trades.escrowSide(sideB())).status, "escrowed", "B's side");
	setup.world.runUntil(() => storedProfile(setup.world, A)!.ledger.waiting[TRADE] !== undefined, 120);
	const crashed = onceAt(one, "sideSaved", () => one.server.crash());
	void one.trades.escrowSide(sideA());
	setup.world.runUntil(() => crashed(), 120);
	same(crashed(), true, "crashed");
	same(storedProfile(setup.world, A)!.ledger.decisions[TRADE]?.outcome, "committed", "A's decision");
	same(storedProfile(setup.world, A)!.holder, one.server.jobId, "A's lock");
	return parts;
}

/** Watches `userId`'s stored profile: the virtual time of each write `source` (a server's name) commits. */
function writesBy(setup: TradeWorld, userId: number, source: string): Array<number> {
	const times = new Array<number>();
	setup.world.dataStore().observe((write) => {
		if (write.ref.key === `player_${userId}` && write.source === source) times.push(setup.world.now());
	});
	return times;
}

/** Player B's stored items once A's side reached them. */
const B_TRADED = `${A}-1x1|50`;
/** Player B's stored items with their side back. */
const B_KEPT = `${B}-1x10|0`;

export = () => {
	describe("what a crashed coordinator owes", () => {
		it("delivers a committed side to the partner while the coordinator's profile holds a dead server's lock", () => {
			const { setup, two } = crashAfterDecision(940);
			// Past the deadline and verdictTimeout the partner's server settles without player A.
			setup.world.runUntil(() => storedItems(setup.world, B) === B_TRADED, 900);
			expect(storedItems(setup.world, B)).to.equal(B_TRADED);
			expect(two.inventory.getInventory(B)!.currencies.coins).to.equal(50);
			// The delivered side is retired from A's outbox, and the dead server's lock is gone.
			const stored = storedProfile(setup.world, A)!;
			expect(next(stored.ledger.outbox)[0]).to.equal(undefined);
			expect(stored.holder).to.equal(undefined);
			expect(conserved(setup)).to.equal(CONSERVED);
			// A's next session takes B's side from its inbox; nothing moves twice.
			joinReady(setup, two, A);
			setup.world.runUntil(() => storedItems(setup.world, A) === `${B}-1x10|0`, 120);
			expect(storedItems(setup.world, A)).to.equal(`${B}-1x10|0`);
			setup.world.advance(600);
			expect(storedItems(setup.world, B)).to.equal(B_TRADED);
			expect(conserved(setup)).to.equal(CONSERVED);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});

		it("returns the partner's side when the coordinator's server crashed holding it undecided", () => {
			const { setup, one, two } = orphanWorld(941);
			expect(settle(setup.world, two.trades.escrowSide(sideB())).status).to.equal("escrowed");
			setup.world.runUntil(() => storedProfile(setup.world, A)!.ledger.waiting[TRADE] !== undefined, 120);
			one.server.crash();
			setup.world.runUntil(() => storedItems(setup.world, B) === B_KEPT, 900);
			expect(storedItems(setup.world, B)).to.equal(B_KEPT);
			expect(two.trades.isSettled(B)).to.equal(true);
			const stored = storedProfile(setup.world, A)!;
			expect(stored.ledger.decisions[TRADE].outcome).to.equal("aborted");
			expect(stored.holder).to.equal(undefined);
			joinReady(setup, two, A);
			setup.world.advance(300);
			expect(storedItems(setup.world, A)).to.equal(`${A}-1x1|50`);
			expect(storedItems(setup.world, B)).to.equal(B_KEPT);
			expect(conserved(setup)).to.equal(CONSERVED);
		});

		it("settles once whatever the moment the coordinator comes back on another server", () => {
			// When B's server settles in this world (the same seed gives the same run).
			const probe = crashAfterDecision(942);
			const settledAt = writesBy(probe.setup, A, probe.two.server.name);
			probe.setup.world.runUntil(() => settledAt.size() > 0, 900);
			expect(settledAt.size() > 0).to.equal(true);
			const at = settledAt[0];
			probe.setup.world.destroy();
			for (const offset of [-20, -3, -1.5, -0.8, -0.4, -0.2, 0, 0.3, 1, 4]) {
				const { setup, two } = crashAfterDecision(942);
				setup.world.advance(at + offset - setup.world.now());
				const fresh = setup.startServer();
				joinReady(setup, fresh, A);
				setup.world.runUntil(
					() => storedItems(setup.world, B) === B_TRADED && storedItems(setup.world, A) === `${B}-1x10|0`,
					900,
				);
				setup.world.advance(300);
				const state = `${storedItems(setup.world, A)} ${storedItems(setup.world, B)} ${conserved(setup)}`;
				expect(`${offset}: ${state}`).to.equal(`${offset}: ${B}-1x10|0 ${B_TRADED} ${CONSERVED}`);
				expect(`${offset}: ${storedProfile(setup.world, A)!.holder}`).to.equal(`${offset}: ${fresh.server.jobId}`);
				expect(two.trades.isSettled(B)).to.equal(true);
				expect(setup.world.takeErrors().size()).to.equal(0);
				setup.world.destroy();
			}
		});

		it("settles once when the partner's writes fail or commit and error meanwhile", () => {
			for (const seed of [943, 944, 945, 946]) {
				const { setup, two } = crashAfterDecision(seed);
				const faults = two.server.services.DataStoreService.faults;
				// From just before the settlement on, half of B's server's writes fail, a third of
				// those after committing.
				setup.world.advance(230);
				faults.setErrorRate(0.5, "UpdateAsync");
				faults.setCommittedButErroredRate(0.2);
				setup.world.advance(400);
				faults.clear();
				setup.world.runUntil(() => storedItems(setup.world, B) === B_TRADED, 1800);
				setup.world.advance(300);
				expect(`${seed}: ${storedItems(setup.world, B)} ${conserved(setup)}`).to.equal(
					`${seed}: ${B_TRADED} ${CONSERVED}`,
				);
				// A's next session finds nothing to send twice (a retirement that failed is sent
				// again, and recognised by its id).
				joinReady(setup, two, A);
				setup.world.runUntil(() => next(storedProfile(setup.world, A)!.ledger.outbox)[0] === undefined, 300);
				setup.world.advance(300);
				expect(`${seed}: ${storedItems(setup.world, A)} ${storedItems(setup.world, B)} ${conserved(setup)}`).to.equal(
					`${seed}: ${B}-1x10|0 ${B_TRADED} ${CONSERVED}`,
				);
				setup.world.destroy();
			}
		});

		it("lets two partners settle with the same crashed coordinator at once", () => {
			const setup = tradeWorld({ seed: 947, servers: 3, limits: { decisionTimeout: 120, saveTimeout: 10 } });
			const [one, two, three] = setup.servers;
			const C = 940003;
			joinReady(setup, one, A);
			joinReady(setup, two, B);
			joinReady(setup, three, C);
			grantSaved(two, B, "potion", 10);
			grantSaved(three, C, "shield");
			const sideC = {
				trade: "orphan-2",
				player: C,
				partner: A,
				items: [{ id: `${C}-1`, count: 1 }],
				receive: { items: [], currency: { coins: 5 } },
			};
			const first = two.trades.escrowSide(sideB());
			const second = three.trades.escrowSide(sideC);
			expect(settle(setup.world, first).status).to.equal("escrowed");
			expect(settle(setup.world, second).status).to.equal("escrowed");
			setup.world.runUntil(() => {
				const waiting = storedProfile(setup.world, A)!.ledger.waiting;
				return waiting[TRADE] !== undefined && waiting["orphan-2"] !== undefined;
			}, 120);
			one.server.crash();
			setup.world.runUntil(() => storedItems(setup.world, B) === B_KEPT && storedItems(setup.world, C) === `${C}-1x1|0`, 900);
			expect(storedItems(setup.world, B)).to.equal(B_KEPT);
			expect(storedItems(setup.world, C)).to.equal(`${C}-1x1|0`);
			const decisions = storedProfile(setup.world, A)!.ledger.decisions;
			expect(`${decisions[TRADE].outcome} ${decisions["orphan-2"].outcome}`).to.equal("aborted aborted");
			const census = storedCensus(setup, [A, B, C]);
			expect(census.dupes.size()).to.equal(0);
			expect(census.itemCount).to.equal(11);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});

		it("never settles against a coordinator's server that only looked dead and saves later", () => {
			const { setup, one, two } = orphanWorld(948);
			expect(settle(setup.world, two.trades.escrowSide(sideB())).status).to.equal("escrowed");
			setup.world.runUntil(() => storedProfile(setup.world, A)!.ledger.waiting[TRADE] !== undefined, 120);
			// A's server stays up, but its heartbeats fail and its writes hang: it decides the trade
			// in memory, and that save lands only after B's server settled in A's profile.
			const lost = new Array<number>();
			one.vault.lockLost.Connect((userId) => lost.push(userId));
			setup.world.memoryStore().failNext(100000, "InternalError", "HashMap.SetAsync");
			one.server.services.DataStoreService.pause();
			const decided = one.trades.escrowSide(sideA());
			setup.world.runUntil(() => storedItems(setup.world, B) === B_KEPT, 900);
			expect(storedItems(setup.world, B)).to.equal(B_KEPT);
			one.server.services.DataStoreService.resume();
			setup.world.runUntil(() => decided.getStatus() !== "Started", 120);
			expect(decided.expect().status).never.to.equal("completed");
			setup.world.runUntil(() => lost.size() > 0, 120);
			expect(lost.join(",")).to.equal(`${A}`);
			// A's side never left A's stored profile; B's came back once.
			setup.world.advance(300);
			expect(storedItems(setup.world, A)).to.equal(`${A}-1x1|50`);
			expect(storedItems(setup.world, B)).to.equal(B_KEPT);
			expect(conserved(setup)).to.equal(CONSERVED);
		});
	});
};
