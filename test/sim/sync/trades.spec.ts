import type { InventoryService, InventoryState, TradeLimits, TradeProposal, TradeService } from "../../../src";
import { checkInventory } from "../../../src/inventory/invariants";
import { apiCoins, companionToken, companionWrite, storedData, syncWorld, type SyncGame } from "./support/api";
import {
	apiItems,
	externalServer,
	type ExternalData,
	listenTrades,
	outcomeOf,
	slotItems,
	slotOf,
	tradeTransfers,
	type ExternalServer,
} from "./support/external";

// Player ids of this file (the save API's database is shared by the whole run).
const BASE = 770_000;

interface TradeSetup {
	readonly world: Sim.World;
	readonly app: SyncGame;
	readonly service: InventoryService;
	readonly trades: TradeService;
	readonly players: Array<Player>;
	/** `settled` and `received` as `userId outcome` and `userId stacks currency`, in order. */
	readonly settled: Array<string>;
	readonly received: Array<string>;
}

/** One server in external authority with the trade service, and `userIds` joined and served. */
function tradeSetup(
	seed: number,
	userIds: ReadonlyArray<number>,
	limits?: TradeLimits,
	settings?: Record<string, unknown>,
): TradeSetup {
	const world = syncWorld(seed, settings);
	const { app, service, trades } = externalServer(world, { trades: true, limits });
	const players = userIds.map((userId) => app.server.join(userId));
	world.runUntil(() => userIds.every((userId) => service.isReady(userId)), 120);
	assert(userIds.every((userId) => service.isReady(userId)), "the inventories were not served");
	const settled = new Array<string>();
	const received = new Array<string>();
	listenTrades(trades!, settled, received);
	return { world, app, service, trades: trades!, players, settled, received };
}

function idOf(result: { ok: boolean; value?: { minted: ReadonlyArray<string> } }): string {
	assert(result.ok && result.value !== undefined, "a grant failed");
	return result.value.minted[0];
}

/** Every item id of the inventories, each once: an id in two of them is a dupe. */
function noDupes(...states: Array<InventoryState>): boolean {
	const seen = new Set<string>();
	for (const state of states) {
		for (const stack of state.slots) {
			if (stack === false) continue;
			if (seen.has(stack.id)) return false;
			seen.add(stack.id);
		}
	}
	return true;
}

/**
 * On `setup`'s server, `a` sells a sword to `b` for 25 coins in trade `id`, and no answer to the
 * transfer comes: the API applied it and the answer was lost (`applied`), or it never reached
 * the API; every retry fails too. The trade is left pending. The sword, and the proposal.
 */
function sellUnanswered(
	setup: TradeSetup,
	[a, b]: [number, number],
	id: string,
	applied: boolean,
): { sword: string; proposal: TradeProposal } {
	const { world, service, trades, app } = setup;
	const sword = idOf(service.grant(a, "sword"));
	assert(service.adjustCurrency(b, "coins", 40).ok, "the coins were not granted");
	const match = "/v1/transfers";
	if (applied) world.failHttp({ kind: "dropResponse", count: 1, server: app.server, match });
	world.failHttp({ kind: "connectFail", count: applied ? 3 : 4, server: app.server, match });
	const proposal = {
		id,
		a: { player: a, items: [{ id: sword, count: 1 }] },
		b: { player: b, items: [], currency: { coins: 25 } },
	};
	const pending = outcomeOf(world, trades.execute(proposal));
	assert(pending.status === "pending", `the trade was ${pending.status}`);
	return { sword, proposal };
}

/**
 * {@link sellUnanswered}, then that server shuts down and both players join a second server.
 * That server, with its `settled` and `received`.
 */
function pendingAtShutdown(
	seed: number,
	[a, b]: [number, number],
	applied: boolean,
): { setup: TradeSetup; two: ExternalServer; sword: string; settled: Array<string>; received: Array<string> } {
	const setup = tradeSetup(seed, [a, b]);
	const id = `external-stopped-${seed}`;
	const { sword } = sellUnanswered(setup, [a, b], id, applied);
	assert(setup.trades.getLedger(a)?.unanswered?.[id] !== undefined, "the transfer was not kept in the ledger");
	setup.app.server.shutdown();
	return { setup, sword, ...rejoined(setup.world, [a, b]) };
}

/**
 * After the players' server stopped: a second server both join, run until both were told how
 * their trade ended. That server, with its `settled` and `received`.
 */
function rejoined(
	world: Sim.World,
	users: [number, number],
): { two: ExternalServer; settled: Array<string>; received: Array<string> } {
	const two = externalServer(world, { name: "two", trades: true, limits: { sweepInterval: 2 } });
	const settled = new Array<string>();
	const received = new Array<string>();
	listenTrades(two.trades!, settled, received);
	for (const userId of users) two.app.server.join(userId);
	// A crashed server's sessions are taken over once its liveness lapses.
	world.runUntil(() => settled.size() >= 2, 180);
	return { two, settled, received };
}

/** A second server of the players, whose API transfers fail to connect while `down` lasts. */
interface NextServer {
	readonly world: Sim.World;
	readonly two: ExternalServer;
	readonly down: Sim.HttpFault;
}

/**
 * {@link sellUnanswered} (`a` sells a sword to `b` for 25 of b's 40 coins), then that server
 * shuts down and both players join a second server that cannot reach the API's transfers until
 * {@link answeredOnNextServer}. That server, once both are served.
 */
function unansweredOnNextServer(seed: number, [a, b]: [number, number], applied: boolean): NextServer {
	const setup = tradeSetup(seed, [a, b]);
	const id = `external-held-${seed}`;
	sellUnanswered(setup, [a, b], id, applied);
	setup.app.server.shutdown();
	const { world } = setup;
	const two = externalServer(world, { name: "two", trades: true, limits: { sweepInterval: 2 } });
	const down = world.failHttp({ kind: "connectFail", count: 100_000, server: two.app.server, match: "/v1/transfers" });
	for (const userId of [a, b]) two.app.server.join(userId);
	world.runUntil(() => two.service.isReady(a) && two.service.isReady(b), 180);
	assert(two.trades!.getLedger(b)?.unanswered?.[id] !== undefined, "the transfer was not kept in the ledger");
	return { world, two, down };
}

/** The API's transfers are reachable again: `settled` on that server, sorted, and the trade transfers. */
function answeredOnNextServer({ world, two, down }: NextServer, [a]: [number, number]): string {
	const settled = new Array<string>();
	listenTrades(two.trades!, settled, []);
	down.remaining = 0;
	world.runUntil(() => settled.size() >= 2, 60);
	return `${[...settled].sort().join(",")} ${tradeTransfers(world, a)} transfer`;
}

export = () => {
	describe("trades in external authority", () => {
		/**
		 * `a` sells a sword to `b` for 25 coins; the API applies the transfer and its answer is lost, the
		 * server crashes, and the players' next server sends it again: both are told once, there.
		 */
		// Inside the describe: TestEZ's expect is only there.
		function crashedInFlight(seed: number, [a, b]: [number, number], settings?: Record<string, unknown>): void {
			const { world, service, trades, app } = tradeSetup(seed, [a, b], undefined, settings);
			const sword = idOf(service.grant(a, "sword"));
			expect(service.adjustCurrency(b, "coins", 40).ok).to.equal(true);
			// The API applies the transfer, and the server crashes while its answer is on the way.
			world.failHttp({ kind: "dropResponse", count: 1, server: app.server, match: "/v1/transfers" });
			const id = `external-crashed-${seed}`;
			void trades.execute({
				id,
				a: { player: a, items: [{ id: sword, count: 1 }] },
				b: { player: b, items: [], currency: { coins: 25 } },
			});
			// (The ledger's save waits out the key's 6 s write cooldown after the sword's early save.)
			world.advance(9);
			expect(tradeTransfers(world, a)).to.equal(1);
			app.server.crash();
			const { two, settled, received } = rejoined(world, [a, b]);
			expect([...settled].sort().join(",")).to.equal(`${a} completed,${b} completed`);
			expect([...received].sort().join(",")).to.equal(`${a} 0 25,${b} 1 0`);
			expect(tradeTransfers(world, a)).to.equal(1);
			expect(apiCoins(world, a)).to.equal(25);
			world.runUntil(() => slotOf(two.service.getInventory(b)!, sword) >= 0, 30);
			expect(slotOf(two.service.getInventory(a)!, sword)).to.equal(-1);
		}

		it("completes a negotiated trade as one save API transfer, every id kept and shown on both sides", () => {
			const [a, b] = [BASE + 1, BASE + 2];
			const setup = tradeSetup(7701, [a, b]);
			const { world, service, trades } = setup;
			const [playerA, playerB] = setup.players;
			// Granted just now: the trade must wait for these to reach the API itself.
			const sword = idOf(service.grant(a, "sword"));
			const potions = idOf(service.grant(a, "potion", 10));
			expect(service.adjustCurrency(a, "coins", 100).ok).to.equal(true);
			const shield = idOf(service.grant(b, "shield"));
			expect(service.adjustCurrency(b, "coins", 50).ok).to.equal(true);

			const invited = trades.invite(playerA, playerB);
			assert(invited.ok);
			const id = invited.value.id;
			expect(trades.accept(playerB, id).ok).to.equal(true);
			const mine = service.getInventory(a)!;
			const offerA = trades.offer(
				playerA,
				id,
				[
					{ slot: slotOf(mine, sword), id: sword, count: 1 },
					{ slot: slotOf(mine, potions), id: potions, count: 4 },
				],
				{ coins: 30 },
			);
			expect(offerA.ok).to.equal(true);
			const offerB = trades.offer(
				playerB,
				id,
				[{ slot: slotOf(service.getInventory(b)!, shield), id: shield, count: 1 }],
				{ coins: 20 },
			);
			expect(offerB.ok).to.equal(true);
			const revision = trades.getTrade(id)!.revision;
			expect(trades.confirm(playerA, id, revision).ok).to.equal(true);
			expect(trades.confirm(playerB, id, revision).ok).to.equal(true);
			world.runUntil(() => trades.getTrade(id)?.phase !== "committing", 60);
			expect(trades.getTrade(id)!.phase).to.equal("completed");

			// Resolved only once both inventories show the transfer.
			const afterA = service.getInventory(a)!;
			const afterB = service.getInventory(b)!;
			expect(slotOf(afterA, sword)).to.equal(-1);
			expect(slotOf(afterB, sword) >= 0).to.equal(true);
			expect(slotOf(afterA, shield) >= 0).to.equal(true);
			expect((afterA.slots[slotOf(afterA, potions)] as { count: number }).count).to.equal(6);
			// The 4 potions moved as a new stack with an id of the giver's series.
			let part: string | undefined;
			for (const stack of afterB.slots) if (stack !== false && stack.def === "potion") part = stack.id;
			expect(part !== undefined && part.sub(1, `${a}-`.size()) === `${a}-`).to.equal(true);
			expect((afterB.slots[slotOf(afterB, part!)] as { count: number }).count).to.equal(4);
			expect(afterA.currencies.coins).to.equal(90);
			expect(afterB.currencies.coins).to.equal(60);
			expect(noDupes(afterA, afterB)).to.equal(true);
			expect(checkInventory(afterA, service.catalog).size()).to.equal(0);
			expect(checkInventory(afterB, service.catalog).size()).to.equal(0);
			// The API holds exactly what the slots hold, moved by one transfer with the trade's reason.
			expect(apiItems(world, a)).to.equal(slotItems(afterA));
			expect(apiItems(world, b)).to.equal(slotItems(afterB));
			expect(apiCoins(world, a)).to.equal(90);
			expect(apiCoins(world, b)).to.equal(60);
			expect(tradeTransfers(world, a)).to.equal(1);
			setup.settled.sort();
			expect(setup.settled.join(",")).to.equal(`${a} completed,${b} completed`);
			setup.received.sort();
			expect(setup.received.join(",")).to.equal(`${a} 1 20,${b} 2 30`);

			// The same trade id again applies nothing.
			const again = outcomeOf(
				world,
				trades.execute({
					id,
					a: { player: a, items: [{ id: shield, count: 1 }] },
					b: { player: b, items: [{ id: sword, count: 1 }] },
				}),
			);
			expect(again.status).to.equal("duplicate");
			expect(slotItems(service.getInventory(a)!)).to.equal(slotItems(afterA));
		});

		it("fails a trade the save API refuses, and moves nothing", () => {
			const [a, b] = [BASE + 3, BASE + 4];
			const setup = tradeSetup(7702, [a, b]);
			const { world, service, trades } = setup;
			const sword = idOf(service.grant(a, "sword"));
			const potions = idOf(service.grant(b, "potion", 5));
			world.runUntil(() => setup.app.sync.pendingCount(a) + setup.app.sync.pendingCount(b) === 0, 30);
			const beforeB = apiItems(world, b);

			// The companion app removes the sword at the API; this server still shows it.
			const token = companionToken(world, a);
			expect(companionWrite(world, token, a, [{ op: "item.remove", id: sword }]).status).to.equal(201);
			const result = outcomeOf(
				world,
				trades.execute({
					a: { player: a, items: [{ id: sword, count: 1 }] },
					b: { player: b, items: [{ id: potions, count: 2 }] },
				}),
			);
			expect(result.status).to.equal("failed");
			expect(result.reason).to.equal("not_owned");
			// Only the companion's removal happened; the sword's slot follows the API.
			world.runUntil(() => slotOf(service.getInventory(a)!, sword) === -1, 30);
			expect(apiItems(world, a)).to.equal("");
			expect(apiItems(world, b)).to.equal(beforeB);
			expect(slotItems(service.getInventory(b)!)).to.equal(apiItems(world, b));
			expect(setup.settled.join(",")).to.equal(`${a} failed,${b} failed`);
		});

		it("sends a transfer whose answer was lost again under the same id, and it applies once", () => {
			const [a, b] = [BASE + 5, BASE + 6];
			const setup = tradeSetup(7703, [a, b]);
			const { world, service, trades } = setup;
			// The API commits the first attempt but its answer is lost; every retry then fails.
			const { sword, proposal } = sellUnanswered(setup, [a, b], "external-lost-answer", true);
			// Whatever the inventories show meanwhile, the same id sends the same transfer again.
			world.advance(5);
			const second = outcomeOf(world, trades.execute(proposal));
			expect(second.status).to.equal("completed");
			const afterA = service.getInventory(a)!;
			const afterB = service.getInventory(b)!;
			expect(slotOf(afterB, sword) >= 0).to.equal(true);
			expect(slotOf(afterA, sword)).to.equal(-1);
			expect(afterA.currencies.coins).to.equal(25);
			expect(afterB.currencies.coins).to.equal(15);
			expect(apiCoins(world, a)).to.equal(25);
			expect(apiCoins(world, b)).to.equal(15);
			expect(apiItems(world, b)).to.equal(slotItems(afterB));
			expect(tradeTransfers(world, a)).to.equal(1);
		});

		it("gifts to an offline player through the API, who finds the items at the next join", () => {
			const [a, c] = [BASE + 7, BASE + 8];
			const setup = tradeSetup(7704, [a]);
			const { world, service, trades } = setup;
			const potions = idOf(service.grant(a, "potion", 10));
			expect(service.adjustCurrency(a, "coins", 30).ok).to.equal(true);
			const sending = trades.gift({ from: a, to: c, items: [{ id: potions, count: 3 }], currency: { coins: 10 } });
			// While it is on its way, what it gives cannot be used up: not the stack it takes part
			// of, nor the coins.
			const drink = service.consume(a, slotOf(service.getInventory(a)!, potions), potions, 1);
			expect(drink.ok ? "ok" : drink.error).to.equal("authority_refused");
			expect(service.adjustCurrency(a, "coins", -25).ok).to.equal(false);
			const gift = outcomeOf(world, sending);
			expect(gift.status).to.equal("completed");
			const mine = service.getInventory(a)!;
			expect((mine.slots[slotOf(mine, potions)] as { count: number }).count).to.equal(7);
			expect(mine.currencies.coins).to.equal(20);
			expect(apiItems(world, a)).to.equal(slotItems(mine));
			expect(apiCoins(world, c)).to.equal(10);

			// The recipient joins another server and finds 3 potions under an id of the giver's series.
			const other = externalServer(world, { name: "other", trades: true });
			other.app.server.join(c);
			world.runUntil(() => other.service.isReady(c), 120);
			const theirs = other.service.getInventory(c)!;
			expect(apiItems(world, c)).to.equal(slotItems(theirs));
			expect(slotItems(theirs).find(`=potionx3`)[0] !== undefined).to.equal(true);
			expect(slotItems(theirs).sub(1, `${a}-`.size())).to.equal(`${a}-`);
			expect(theirs.currencies.coins).to.equal(10);
			// A gift of what the giver does not hold is refused before anything is sent.
			const refused = outcomeOf(world, trades.gift({ from: a, to: c, items: [{ id: "nope-1", count: 1 }] }));
			expect(refused.status).to.equal("failed");
			expect(refused.reason).to.equal("not_owned");
		});
		it("a transfer left unanswered when its server stopped is sent again by the players' next server", () => {
			const [a, b] = [BASE + 9, BASE + 10];
			// The API applied it, but the answer was lost and every retry failed.
			const { setup, two, sword, settled, received } = pendingAtShutdown(7705, [a, b], true);
			const world = setup.world;
			// The API answers the same key with the outcome it stored: completed, applied once.
			expect([...settled].sort().join(",")).to.equal(`${a} completed,${b} completed`);
			expect([...received].sort().join(",")).to.equal(`${a} 0 25,${b} 1 0`);
			expect(tradeTransfers(world, a)).to.equal(1);
			world.runUntil(() => slotOf(two.service.getInventory(b)!, sword) >= 0, 30);
			expect(slotItems(two.service.getInventory(b)!)).to.equal(apiItems(world, b));
			expect(apiCoins(world, a)).to.equal(25);
			for (const userId of [a, b]) {
				const ledger = two.trades!.getLedger(userId)!;
				expect(next(ledger.unanswered ?? {})[0]).to.equal(undefined);
				expect(ledger.stamps[`external-stopped-7705`] !== undefined).to.equal(true);
			}
			// Nothing is sent again later.
			world.advance(20);
			expect(settled.size()).to.equal(2);
			expect(tradeTransfers(world, a)).to.equal(1);
		});

		it("keeps a negotiated trade committing while its transfer's answer is lost, and ends it when asked again", () => {
			const [a, b] = [BASE + 21, BASE + 22];
			const setup = tradeSetup(7721, [a, b]);
			const { world, service, trades, app, settled } = setup;
			const [playerA, playerB] = setup.players;
			const sword = idOf(service.grant(a, "sword"));
			expect(service.adjustCurrency(b, "coins", 40).ok).to.equal(true);
			const invited = trades.invite(playerA, playerB);
			assert(invited.ok, "the invite failed");
			const id = invited.value.id;
			expect(trades.accept(playerB, id).ok).to.equal(true);
			const slot = slotOf(service.getInventory(a)!, sword);
			expect(trades.offer(playerA, id, [{ slot, id: sword, count: 1 }]).ok).to.equal(true);
			expect(trades.offer(playerB, id, [], { coins: 25 }).ok).to.equal(true);
			// The API applies the transfer; its answer and every retry of the call are lost.
			const match = "/v1/transfers";
			world.failHttp({ kind: "dropResponse", count: 1, server: app.server, match });
			world.failHttp({ kind: "connectFail", count: 3, server: app.server, match });
			const revision = trades.getTrade(id)!.revision;
			expect(trades.confirm(playerA, id, revision).ok).to.equal(true);
			expect(trades.confirm(playerB, id, revision).ok).to.equal(true);
			world.runUntil(() => trades.getLedger(a)?.unanswered?.[id] !== undefined, 60);
			world.advance(20);
			// Not told failed: the trade waits for its outcome, and the sweep asks the API again.
			world.runUntil(() => trades.getTrade(id)?.phase !== "committing", 120);
			expect(trades.getTrade(id)!.phase).to.equal("completed");
			expect([...settled].sort().join(",")).to.equal(`${a} completed,${b} completed`);
			world.runUntil(() => trades.isSettled(a) && trades.isSettled(b), 60);
			expect(trades.getLedger(a)!.unanswered?.[id]).to.equal(undefined);
			expect(tradeTransfers(world, a)).to.equal(1);
			expect(apiCoins(world, a)).to.equal(25);
			expect(apiItems(world, b)).to.equal(`${sword}=swordx1`);
			// Both may trade again.
			const again = trades.invite(playerA, playerB);
			expect(again.ok ? "ok" : again.error).to.equal("ok");
		});

		it("tells a player who left while their transfer was in flight once, on their next server", () => {
			const [a, b] = [BASE + 23, BASE + 24];
			const setup = tradeSetup(7723, [a, b]);
			const { world, service, trades, app, settled } = setup;
			const sword = idOf(service.grant(a, "sword"));
			expect(service.adjustCurrency(b, "coins", 40).ok).to.equal(true);
			// The API applies the transfer; its answer is lost (the call waits out its timeout).
			world.failHttp({ kind: "dropResponse", count: 1, server: app.server, match: "/v1/transfers" });
			const id = "external-left-in-flight-7723";
			const result = trades.execute({
				id,
				a: { player: a, items: [{ id: sword, count: 1 }] },
				b: { player: b, items: [], currency: { coins: 25 } },
			});
			world.runUntil(() => tradeTransfers(world, a) === 1, 30);
			// a leaves meanwhile; the release, saved before the answer comes, keeps the transfer.
			let released = false;
			app.vault.released.Connect((userId) => (released = released || userId === a));
			app.server.leave(setup.players[0]);
			world.runUntil(() => released, 30);
			expect(outcomeOf(world, result).status).to.equal("completed");
			expect(settled.join(",")).to.equal(`${b} completed`);
			const two = externalServer(world, { name: "two", trades: true, limits: { sweepInterval: 2 } });
			const again = new Array<string>();
			listenTrades(two.trades!, again, new Array<string>());
			two.app.server.join(a);
			world.runUntil(() => again.size() > 0, 60);
			world.advance(10);
			expect(again.join(",")).to.equal(`${a} completed`);
			expect(settled.join(",")).to.equal(`${b} completed`);
			expect(tradeTransfers(world, a)).to.equal(1);
		});

		it("a transfer in flight when its server crashed is sent again by the players' next server", () => {
			crashedInFlight(7707, [BASE + 13, BASE + 14]);
		});

		it("tells a player whose session loads while the crashed server's transfer is sent again", () => {
			// One request at a time with latency: one player loads on the next server while the
			// transfer the other's load found is on its way again.
			const http = { concurrentRequests: 1, latency: { min: 0.2, max: 0.6 } };
			crashedInFlight(7725, [BASE + 33, BASE + 34], { http });
		});

		it("tells a player who loads after the crashed server's transfer was answered again here", () => {
			const [a, b] = [BASE + 35, BASE + 36];
			const { world, service, trades, app } = tradeSetup(7727, [a, b]);
			const sword = idOf(service.grant(a, "sword"));
			expect(service.adjustCurrency(b, "coins", 40).ok).to.equal(true);
			world.failHttp({ kind: "dropResponse", count: 1, server: app.server, match: "/v1/transfers" });
			void trades.execute({
				id: "external-answered-before-load",
				a: { player: a, items: [{ id: sword, count: 1 }] },
				b: { player: b, items: [], currency: { coins: 25 } },
			});
			world.advance(9);
			app.server.crash();
			// b loads first: the next server sends the transfer again and tells b; a comes later,
			// its saved ledger still keeping the transfer the server has an answer for already.
			const two = externalServer(world, { name: "two", trades: true, limits: { sweepInterval: 2 } });
			const settled = new Array<string>();
			listenTrades(two.trades!, settled, new Array<string>());
			two.app.server.join(b);
			world.runUntil(() => settled.size() >= 1, 180);
			expect(settled.join(",")).to.equal(`${b} completed`);
			two.app.server.join(a);
			world.runUntil(() => settled.size() >= 2, 60);
			world.advance(10);
			expect([...settled].sort().join(",")).to.equal(`${a} completed,${b} completed`);
			expect(tradeTransfers(world, a)).to.equal(1);
		});

		it("with writeAheadTimeout, a trade whose server crashed as the API applied it is told on the next server", () => {
			const [a, b] = [BASE + 17, BASE + 18];
			const { world, service, trades, app } = tradeSetup(7709, [a, b], { writeAheadTimeout: 15 });
			const sword = idOf(service.grant(a, "sword"));
			expect(service.adjustCurrency(b, "coins", 40).ok).to.equal(true);
			const id = "external-write-ahead-7709";
			void trades.execute({
				id,
				a: { player: a, items: [{ id: sword, count: 1 }] },
				b: { player: b, items: [], currency: { coins: 25 } },
			});
			// The copy waited out the key's write cooldown after the sword's early save; the
			// server crashes the moment the API has the transfer.
			world.runUntil(() => tradeTransfers(world, a) === 1, 60);
			app.server.crash();
			const { settled, received } = rejoined(world, [a, b]);
			expect([...settled].sort().join(",")).to.equal(`${a} completed,${b} completed`);
			expect([...received].sort().join(",")).to.equal(`${a} 0 25,${b} 1 0`);
			expect(tradeTransfers(world, a)).to.equal(1);
			expect(apiCoins(world, b)).to.equal(15);
		});

		it("with writeAheadTimeout, a trade whose ledger copy cannot be saved is sent anyway after the wait", () => {
			const [a, b] = [BASE + 19, BASE + 20];
			const { world, service, trades, app, settled } = tradeSetup(7710, [a, b], { writeAheadTimeout: 3 });
			const sword = idOf(service.grant(a, "sword"));
			expect(service.adjustCurrency(b, "coins", 40).ok).to.equal(true);
			// Every profile write fails from now on (the sword's early save is refused too).
			app.server.services.DataStoreService.faults.failNext(1000, { operation: "UpdateAsync" });
			const started = world.now();
			const result = outcomeOf(
				world,
				trades.execute({
					id: "external-unsaved-copy-7710",
					a: { player: a, items: [{ id: sword, count: 1 }] },
					b: { player: b, items: [], currency: { coins: 25 } },
				}),
			);
			expect(result.status).to.equal("completed");
			expect(world.now() - started >= 3).to.equal(true);
			expect(settled.join(",")).to.equal(`${a} completed,${b} completed`);
			expect(tradeTransfers(world, a)).to.equal(1);
		});

		it("a transfer answered after its ledger copy was saved is not told again after a crash", () => {
			const [a, b] = [BASE + 15, BASE + 16];
			const setup = tradeSetup(7708, [a, b]);
			const { world, trades, app, settled } = setup;
			// Left pending and kept in the ledgers; that copy is saved while no answer has come.
			const id = "external-late-answer-7708";
			const { proposal } = sellUnanswered(setup, [a, b], id, true);
			world.advance(10);
			// Answered now: both players are told here, and the cleared copy is saved soon.
			expect(outcomeOf(world, trades.execute(proposal)).status).to.equal("completed");
			expect(settled.join(",")).to.equal(`${a} completed,${b} completed`);
			// The crash comes once that copy is saved. (How soon depends on the key's write
			// cooldown, which the save API's pushes, arriving at wall-clock moments, can move.)
			const copySaved = () =>
				[a, b].every((userId) => {
					const ledger = storedData<ExternalData>(world, userId)?.trades;
					return ledger !== undefined && next(ledger.unanswered ?? {})[0] === undefined;
				});
			world.runUntil(copySaved, 30);
			expect(copySaved()).to.equal(true);
			app.server.crash();
			const two = externalServer(world, { name: "two", trades: true, limits: { sweepInterval: 2 } });
			const again = new Array<string>();
			listenTrades(two.trades!, again, new Array<string>());
			for (const userId of [a, b]) two.app.server.join(userId);
			world.runUntil(() => two.service.isReady(a) && two.service.isReady(b), 180);
			world.advance(30);
			expect(again.size()).to.equal(0);
			expect(tradeTransfers(world, a)).to.equal(1);
			for (const userId of [a, b]) {
				const ledger = two.trades!.getLedger(userId)!;
				expect(next(ledger.unanswered ?? {})[0]).to.equal(undefined);
				expect(ledger.stamps[id] !== undefined).to.equal(true);
			}
		});

		it("a transfer that never reached the API before its server stopped applies once on the next server", () => {
			const [a, b] = [BASE + 11, BASE + 12];
			const { setup, two, sword, settled } = pendingAtShutdown(7706, [a, b], false);
			const world = setup.world;
			expect([...settled].sort().join(",")).to.equal(`${a} completed,${b} completed`);
			expect(tradeTransfers(world, a)).to.equal(1);
			expect(apiCoins(world, a)).to.equal(25);
			expect(apiCoins(world, b)).to.equal(15);
			world.runUntil(() => slotOf(two.service.getInventory(b)!, sword) >= 0, 30);
			expect(slotOf(two.service.getInventory(a)!, sword)).to.equal(-1);
		});

		it("trades and gifts under ids the save API cannot hold as a key, each once", () => {
			const [a, b] = [BASE + 25, BASE + 26];
			const setup = tradeSetup(7711, [a, b]);
			const { world, service, trades } = setup;
			const sword = idOf(service.grant(a, "sword"));
			const potions = idOf(service.grant(b, "potion", 10));
			expect(service.adjustCurrency(a, "coins", 30).ok).to.equal(true);
			// A space, `#` and `/`: taken as trade ids in DataStore authority, so here too.
			const swap = {
				id: "swap #1 a/b",
				a: { player: a, items: [{ id: sword, count: 1 }] },
				b: { player: b, items: [{ id: potions, count: 4 }] },
			};
			const swapped = outcomeOf(world, trades.execute(swap));
			expect(`${swapped.status} ${swapped.reason}`).to.equal("completed nil");
			const gift = { id: "gift #1 a/b", from: a, to: b, items: [], currency: { coins: 10 } };
			const gifted = outcomeOf(world, trades.gift(gift));
			expect(`${gifted.status} ${gifted.reason}`).to.equal("completed nil");
			// An id made of what the first one escapes to is another trade.
			const lookalike = { id: "gift_20_231_20a_2fb", from: a, to: b, items: [], currency: { coins: 5 } };
			expect(outcomeOf(world, trades.gift(lookalike)).status).to.equal("completed");
			expect(outcomeOf(world, trades.execute(swap)).status).to.equal("duplicate");
			expect(outcomeOf(world, trades.gift(gift)).status).to.equal("duplicate");
			world.advance(10);
			expect(tradeTransfers(world, a)).to.equal(1);
			expect(apiCoins(world, a)).to.equal(15);
			expect(apiCoins(world, b)).to.equal(15);
			expect(apiItems(world, b)).to.equal(slotItems(service.getInventory(b)!));
			expect(slotOf(service.getInventory(b)!, sword) >= 0).to.equal(true);
			expect(setup.settled.join(",")).to.equal(`${a} completed,${b} completed`);
		});

		it("holds what a transfer whose answer was lost gives until it is answered", () => {
			const [a, b] = [BASE + 27, BASE + 28];
			const setup = tradeSetup(7712, [a, b]);
			const { world, service, trades } = setup;
			// The transfer never reaches the API (b gives 25 of 40 coins, a a sword); the sweep
			// sends it again.
			const { sword } = sellUnanswered(setup, [a, b], "external-held-pending", false);
			// Meanwhile neither may use up what it gives: not 20 of b's coins, nor a's sword.
			const spend = service.adjustCurrency(b, "coins", -20);
			expect(spend.ok ? "ok" : spend.error).to.equal("authority_refused");
			const regift = outcomeOf(world, trades.gift({ id: "external-regift", from: a, to: b, items: [{ id: sword, count: 1 }] }));
			expect(`${regift.status} ${regift.reason}`).to.equal("failed busy");
			world.runUntil(() => setup.settled.size() >= 2, 60);
			expect([...setup.settled].sort().join(",")).to.equal(`${a} completed,${b} completed`);
			expect(tradeTransfers(world, a)).to.equal(1);
			// Answered: what is left is free again.
			expect(service.adjustCurrency(b, "coins", -15).ok).to.equal(true);
			world.runUntil(() => setup.app.sync.pendingCount(b) === 0, 30);
			expect(apiCoins(world, b)).to.equal(0);
			expect(apiCoins(world, a)).to.equal(25);
		});

		it("holds what a transfer left unanswered gives on the players' next server too", () => {
			const [a, b] = [BASE + 29, BASE + 30];
			const later = unansweredOnNextServer(7713, [a, b], false);
			const { world, two } = later;
			// The transfer may still apply: the 25 coins it takes from b are held.
			const spend = two.service.adjustCurrency(b, "coins", -20);
			expect(spend.ok ? "ok" : spend.error).to.equal("authority_refused");
			expect(two.service.adjustCurrency(b, "coins", -15).ok).to.equal(true);
			expect(answeredOnNextServer(later, [a, b])).to.equal(`${a} completed,${b} completed 1 transfer`);
			world.runUntil(() => two.app.sync.pendingCount(b) === 0, 30);
			expect(apiCoins(world, b)).to.equal(0);
		});

		it("holds no more than is left of what a transfer left unanswered but applied gave", () => {
			const [a, b] = [BASE + 31, BASE + 32];
			const later = unansweredOnNextServer(7714, [a, b], true);
			const { two } = later;
			// It applied: b has 15 coins, all of them still held, and b's other changes go on.
			expect(two.service.getInventory(b)!.currencies.coins).to.equal(15);
			expect(two.service.grant(b, "potion", 2).ok).to.equal(true);
			const spend = two.service.adjustCurrency(b, "coins", -5);
			expect(spend.ok ? "ok" : spend.error).to.equal("authority_refused");
			expect(answeredOnNextServer(later, [a, b])).to.equal(`${a} completed,${b} completed 1 transfer`);
			expect(two.service.adjustCurrency(b, "coins", -15).ok).to.equal(true);
		});
	});
};
