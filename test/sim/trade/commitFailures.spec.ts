import type { TradeStep } from "../../../src/trade/service/types";
import {
	coinsSaved,
	grantSaved,
	joinReady,
	same,
	settle,
	storedCensus,
	storedItems,
	storedPair,
	storedProfile,
	storedQuiet,
	type TradeServer,
	type TradeWorld,
	tradeWorld,
} from "./support/tradeWorld";

// Player 1 (the coordinator: the lower user id) gives a sword for player 2's ten potions and 30
// of their 100 coins. Whole stacks move, so both ids are known: "traded" and "untouched" are
// exact states of the two stored profiles.
const UNTOUCHED = "1-1x1|0 2-1x10|100";
const TRADED = "2-1x10|30 1-1x1|70";
const TRADE = "trade-x";



interface Stage {
	readonly setup: TradeWorld;
	readonly at: TradeServer;
}

function stage(seed: number): Stage {
	const setup = tradeWorld({ seed, limits: { saveTimeout: 10, decisionTimeout: 60 } });
	const [at] = setup.servers;
	joinReady(setup, at, 1);
	joinReady(setup, at, 2);
	grantSaved(at, 1, "sword");
	grantSaved(at, 2, "potion", 10);
	coinsSaved(at, 2, 100);
	setup.world.advance(10);
	same(storedPair(setup), UNTOUCHED, "storedPair(setup)");
	return { setup, at };
}

const proposal = {
	id: TRADE,
	a: { player: 1, items: [{ id: "1-1", count: 1 }] },
	b: { player: 2, items: [{ id: "2-1", count: 10 }], currency: { coins: 30 } },
};

/** Both players are served on `on` (rejoining if they were not) and nothing is in flight. */
function recover(setup: TradeWorld, on: TradeServer): void {
	for (const userId of [1, 2]) {
		if (!on.inventory.isReady(userId)) {
			const elsewhere = setup.servers.find((other) => other !== on && other.server.findPlayer(userId) !== undefined);
			if (elsewhere !== undefined && elsewhere.server.state === "running") {
				elsewhere.server.leave(elsewhere.server.findPlayer(userId)!);
			}
			setup.world.advance(1);
			joinReady(setup, on, userId);
		}
	}
	setup.world.runUntil(
		() => storedQuiet(setup.world, [1, 2]) && on.trades.isSettled(1) && on.trades.isSettled(2),
		400,
	);
	same(storedQuiet(setup.world, [1, 2]), true, "storedQuiet(setup.world, [1, 2])");
}

/** The end state is one of the two legal ones; a retry with the same id then applies nothing twice. */
function checkAtomic(setup: TradeWorld, on: TradeServer): string {
	const after = storedPair(setup);
	if (after !== TRADED && after !== UNTOUCHED) throw `neither traded nor untouched: ${after}`;
	const census = storedCensus(setup, [1, 2]);
	same(census.dupes.size(), 0, "census.dupes.size()");
	same(census.itemCount, 11, "census.itemCount");
	same(census.currencies.get("coins"), 100, "census.currencies.get('coins')");
	const retry = settle(setup.world, on.trades.execute(proposal), 400);
	recover(setup, on);
	if (after === TRADED) {
		same(retry.status, "duplicate", "retry.status");
		same(storedPair(setup), TRADED, "storedPair(setup)");
	} else {
		// An untouched trade may run once on retry (if nobody saved its id), never twice.
		const retried = storedPair(setup);
		if (retried !== TRADED && retried !== UNTOUCHED) throw `after a retry, neither traded nor untouched: ${retried}`;
		if (retry.status === "completed") same(storedPair(setup), TRADED, "storedPair(setup)");
	}
	return after;
}

/**
 * Runs the trade with `inject` called at `step` (once); returns what the trade call answered
 * (nothing when the server crashed under it).
 */
function runWith(stageSetup: Stage, step: TradeStep, inject: (id: string) => void, crashes = false): string {
	let fired = false;
	stageSetup.at.onStep = (reached, id) => {
		if (reached !== step || fired) return;
		fired = true;
		inject(id);
	};
	const promise = stageSetup.at.trades.execute(proposal);
	// A crashed server never answers: then it is enough that the step was reached.
	stageSetup.setup.world.runUntil(() => fired && (crashes || promise.getStatus() !== "Started"), 400);
	same(fired, true, `${step} reached`);
	if (crashes || promise.getStatus() !== "Resolved") return "-";
	const answer = promise.expect();
	return answer.reason === undefined ? answer.status : `${answer.status} ${answer.reason}`;
}

/**
 * The coordinator (player 1) leaves once the trade is decided, while every DataStore write takes
 * `seconds`; what the trade call answers. Writes are fast again afterwards.
 */
function leavesWhileWritesTake(staged: Stage, seconds: number): string {
	const faults = staged.at.server.services.DataStoreService.faults;
	const answer = runWith(staged, "decided", () => {
		faults.setLatency(seconds, "UpdateAsync");
		staged.at.server.leave(staged.at.server.findPlayer(1)!);
	});
	faults.clear();
	return answer;
}

export = () => {
	describe("trade commit failures", () => {
		it("a save that fails at each step leaves both traded or both untouched", () => {
			// Step at which every write starts failing, what the trade call answers, the end state.
			const expected: Array<[TradeStep, string, string]> = [
				["partnerEscrowed", "failed save_failed", UNTOUCHED],
				["decided", "failed save_failed", UNTOUCHED],
				["decisionSaved", "completed", TRADED],
				["parcelDelivered", "completed", TRADED],
			];
			let seed = 710;
			for (const [step, answer, outcome] of expected) {
				seed += 1;
				const staged = stage(seed);
				const faults = staged.at.server.services.DataStoreService.faults;
				expect(`${step}: ${runWith(staged, step, () => faults.failNext(1000, { operation: "UpdateAsync" }))}`).to.equal(
					`${step}: ${answer}`,
				);
				faults.clear();
				recover(staged.setup, staged.at);
				expect(`${step}: ${checkAtomic(staged.setup, staged.at)}`).to.equal(`${step}: ${outcome}`);
				expect(staged.setup.world.takeErrors().size()).to.equal(0);
			}
		});

		it("aborts and returns the partner's side when the coordinator's items went away mid-commit", () => {
			const staged = stage(715);
			// While the partner's escrow is being saved, game code takes the coordinator's sword.
			const answer = runWith(staged, "partnerSaved", () => {
				expect(staged.at.inventory.take(1, "1-1").ok).to.equal(true);
			});
			expect(answer).to.equal("failed not_owned");
			recover(staged.setup, staged.at);
			expect(storedPair(staged.setup)).to.equal("|0 2-1x10|100");
			const census = storedCensus(staged.setup, [1, 2]);
			expect(census.dupes.size()).to.equal(0);
			expect(census.itemCount).to.equal(10);
		});

		it("writes that commit but error are recognised and the trade completes once", () => {
			const steps: Array<TradeStep> = ["partnerEscrowed", "decided"];
			steps.forEach((step, index) => {
				const staged = stage(720 + index);
				const faults = staged.at.server.services.DataStoreService.faults;
				// Every write lands, and every call reports an error: the saves are never
				// confirmed, and a fresh read shows what landed.
				const answer = runWith(staged, step, () =>
					faults.failNext(1000, { operation: "UpdateAsync", committed: true }),
				);
				expect(`${step}: ${answer}`).to.equal(`${step}: completed`);
				faults.clear();
				recover(staged.setup, staged.at);
				expect(`${step}: ${checkAtomic(staged.setup, staged.at)}`).to.equal(`${step}: ${TRADED}`);
			});
			const single = stage(725);
			const answer = runWith(single, "decided", () =>
				single.at.server.services.DataStoreService.faults.commitButErrorNext(1, "UpdateAsync"),
			);
			expect(answer).to.equal("completed");
			recover(single.setup, single.at);
			expect(checkAtomic(single.setup, single.at)).to.equal(TRADED);
		});

		it("a lock lost mid-commit leaves both traded or both untouched", () => {
			// Step, whose lock is taken (1 coordinates), what the trade call answers, the end state.
			const cases: Array<[TradeStep, number, string, string]> = [
				["decided", 1, "pending", UNTOUCHED],
				["partnerEscrowed", 2, "failed save_failed", UNTOUCHED],
				["decisionSaved", 2, "completed", TRADED],
			];
			let seed = 730;
			for (const [step, victim, answer, outcome] of cases) {
				seed += 1;
				const staged = stage(seed);
				const { setup } = staged;
				const ref = { store: "TradeData", key: `player_${victim}` };
				// Another server takes the victim's lock (as an operator's steal would).
				const answered = runWith(staged, step, () => {
					const stored = setup.world.dataStore().read(ref)!.value as {
						MetaData: { ActiveSession?: [number, string]; SessionLoadCount: number };
					};
					stored.MetaData.ActiveSession = [1, "another-server"];
					stored.MetaData.SessionLoadCount += 1;
					setup.world.dataStore().write(ref, { value: stored, userIds: [victim] });
				});
				expect(`${step}/${victim}: ${answered}`).to.equal(`${step}/${victim}: ${answer}`);
				setup.world.runUntil(() => staged.at.server.findPlayer(victim) === undefined, 120);
				// That server goes away, releasing the lock.
				const stolen = setup.world.dataStore().read(ref)!.value as { MetaData: { ActiveSession?: unknown } };
				stolen.MetaData.ActiveSession = undefined;
				setup.world.dataStore().write(ref, { value: stolen, userIds: [victim] });
				recover(setup, staged.at);
				expect(`${step}/${victim}: ${checkAtomic(setup, staged.at)}`).to.equal(`${step}/${victim}: ${outcome}`);
			}
		});

		it("a coordinator who leaves during its commit save completes the trade, and the partner is served at once", () => {
			const staged = stage(750);
			const { setup, at } = staged;
			const told = new Array<string>();
			at.trades.settled.Connect((userId, trade, outcome) => told.push(`${userId} ${trade} ${outcome}`));
			const answer = runWith(staged, "decided", () => at.server.leave(at.server.findPlayer(1)!));
			expect(answer).to.equal("completed");
			setup.world.advance(60);
			// Player 1 stays away: the partner has the sword, player 1's ledger holds what it received.
			expect(storedItems(setup.world, 2)).to.equal("1-1x1|70");
			expect(told.join(",")).to.equal(`1 ${TRADE} completed,2 ${TRADE} completed`);
			const stored = storedProfile(setup.world, 1)!;
			expect(stored.holder).to.equal(undefined);
			expect(next(stored.ledger.outbox)[0]).to.equal(undefined);
			const census = storedCensus(setup, [1, 2]);
			expect(census.dupes.size()).to.equal(0);
			expect(census.itemCount).to.equal(11);
			expect(census.currencies.get("coins")).to.equal(100);
			recover(setup, at);
			expect(checkAtomic(setup, at)).to.equal(TRADED);
		});

		it("fails at once, returning the partner's side, when the coordinator leaves before taking it", () => {
			const staged = stage(752);
			const { setup, at } = staged;
			const answer = runWith(staged, "partnerEscrowed", () => at.server.leave(at.server.findPlayer(1)!));
			expect(answer).to.equal("failed no_session");
			setup.world.runUntil(() => at.trades.isSettled(2) && storedItems(setup.world, 2) === "2-1x10|100", 60);
			expect(storedPair(setup)).to.equal(UNTOUCHED);
			recover(setup, at);
			expect(checkAtomic(setup, at)).to.equal(UNTOUCHED);
		});

		it("answers completed when the coordinator's commit save outlasts its release", () => {
			const staged = stage(751);
			const { setup, at } = staged;
			// Every write takes longer than the release waits for: the commit lands with the release.
			expect(leavesWhileWritesTake(staged, 12)).to.equal("completed");
			expect(storedProfile(setup.world, 1)!.ledger.decisions[TRADE].outcome).to.equal("committed");
			recover(setup, at);
			expect(checkAtomic(setup, at)).to.equal(TRADED);
		});

		it("the partner takes its side from a coordinator that left before its commit was confirmed", () => {
			const staged = stage(753);
			const { setup, at } = staged;
			// Writes take longer than the save timeout and the release together: the commit lands
			// with the release, after the trade call gave up and player 1's ledger was dropped.
			expect(leavesWhileWritesTake(staged, 25)).to.equal("pending");
			setup.world.runUntil(() => storedProfile(setup.world, 1)!.holder === undefined, 60);
			expect(storedProfile(setup.world, 1)!.ledger.outbox[`${TRADE}:to:2`]).never.to.equal(undefined);
			// Past the deadline and verdictTimeout, player 2's server takes it from player 1's profile.
			const retired = () => next(storedProfile(setup.world, 1)!.ledger.outbox)[0] === undefined;
			setup.world.runUntil(() => storedItems(setup.world, 2) === "1-1x1|70" && retired(), 600);
			expect(storedItems(setup.world, 2)).to.equal("1-1x1|70");
			expect(retired()).to.equal(true);
			recover(setup, at);
			expect(checkAtomic(setup, at)).to.equal(TRADED);
		});

		it("a crash at each step leaves both traded or both untouched after recovery", () => {
			const expected: Array<[TradeStep, string]> = [
				["validated", UNTOUCHED],
				["partnerEscrowed", UNTOUCHED],
				["partnerSaved", UNTOUCHED],
				["legHanded", UNTOUCHED],
				["decided", UNTOUCHED],
				["decisionSaved", TRADED],
				["parcelDelivered", TRADED],
				["parcelRetired", TRADED],
			];
			let seed = 740;
			for (const [step, outcome] of expected) {
				seed += 1;
				const staged = stage(seed);
				runWith(staged, step, () => staged.at.server.crash(), true);
				expect(staged.at.server.state).to.equal("crashed");
				const fresh = staged.setup.startServer();
				recover(staged.setup, fresh);
				expect(storedProfile(staged.setup.world, 1)!.holder).to.equal(fresh.server.jobId);
				expect(`${step}: ${checkAtomic(staged.setup, fresh)}`).to.equal(`${step}: ${outcome}`);
			}
		});
	});
};
