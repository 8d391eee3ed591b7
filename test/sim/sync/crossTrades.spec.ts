import type { InventoryService, TransferOutcome } from "../../../src";
import type { BundleTerms } from "../../../src/trade/ledger/summary";
import type { GiveSpec, TradeLimits } from "../../../src/trade/service/types";
import { apiCoins, companionToken, companionWrite, syncWorld, waitSettled } from "./support/api";
import {
	apiItems,
	externalServer,
	listenTrades,
	outcomeOf,
	slotItems,
	slotOf,
	tradeTransfers,
	type ExternalData,
	type ExternalServer,
} from "./support/external";

// Player ids of this file (the save API's database is shared by the whole run). In each pair
// the lower id is the coordinator, on server one.
const BASE = 780_000;

interface Cross {
	readonly world: Sim.World;
	readonly one: ExternalServer;
	readonly two: ExternalServer;
	readonly a: number;
	readonly b: number;
	/** `settled` on either server as `userId outcome`, and `received` as `userId stacks coins`. */
	readonly settled: Array<string>;
	readonly received: Array<string>;
}

function serve(world: Sim.World, at: ExternalServer, userId: number): void {
	at.app.server.join(userId);
	world.runUntil(() => at.service.isReady(userId), 120);
	assert(at.service.isReady(userId), `${userId} was not served`);
}

/** Two servers in external authority: player `a` on the first, `b` on the second. */
function crossSetup(seed: number, pair: number, limits: TradeLimits = {}): Cross {
	const world = syncWorld(seed);
	const one = externalServer(world, { name: "one", trades: true, limits });
	const two = externalServer(world, { name: "two", trades: true, limits });
	const [a, b] = [BASE + pair * 2 - 1, BASE + pair * 2];
	serve(world, one, a);
	serve(world, two, b);
	const settled = new Array<string>();
	const received = new Array<string>();
	listenTrades(one.trades!, settled, received);
	listenTrades(two.trades!, settled, received);
	return { world, one, two, a, b, settled, received };
}

/** `player`'s side of `trade` (with the other player of the setup), on the server holding them. */
function side(setup: Cross, trade: string, player: number, give: GiveSpec, receive: BundleTerms): TransferOutcome {
	const [at, partner] = player === setup.a ? [setup.one, setup.b] : [setup.two, setup.a];
	const promise = at.trades!.escrowSide({ trade, player, partner, items: give.items, currency: give.currency, receive });
	return outcomeOf(setup.world, promise);
}

function grant(service: InventoryService, userId: number, def: string, count = 1): string {
	const result = service.grant(userId, def, count);
	assert(result.ok, "a grant failed");
	return result.value.minted[0];
}

/** Runs until `count` settled signals fired; them, sorted. */
function settledAll(setup: Cross, count: number): string {
	setup.world.runUntil(() => setup.settled.size() >= count, 120);
	const sorted = [...setup.settled];
	sorted.sort();
	return sorted.join(",");
}

/**
 * After `a` sold `sword` to `b`: the trade transfers in the audit log, `b`'s items and `a`'s
 * coins at the API, and `b`'s slots once they show the sword.
 */
function swordSold(setup: Cross, sword: string): string {
	const { world, two, a, b } = setup;
	world.runUntil(() => slotOf(two.service.getInventory(b)!, sword) >= 0, 30);
	const transfers = tradeTransfers(world, a);
	return `${transfers} transfer, ${apiItems(world, b)} at b, ${apiCoins(world, a)} coins at a, ${slotItems(two.service.getInventory(b)!)}`;
}

/**
 * Pair `pair` (world seed 7800 + pair) where the coordinator `a` holds a sword and 100 coins and
 * the partner `b` 10 potions, before either side of trade `cross-external-<pair>`.
 */
function swordAndPotions(pair: number): { setup: Cross; sword: string; potions: string; id: string } {
	const setup = crossSetup(7800 + pair, pair);
	const sword = grant(setup.one.service, setup.a, "sword");
	assert(setup.one.service.adjustCurrency(setup.a, "coins", 100).ok, "the coins were not granted");
	const potions = grant(setup.two.service, setup.b, "potion", 10);
	return { setup, sword, potions, id: `cross-external-${pair}` };
}

/** Short deadlines for the specs of an overdue verdict. */
const VERDICT_LIMITS = { decisionTimeout: 20, verdictTimeout: 15, sweepInterval: 2 };

/** A pair's trade of a sword: its setup, the sword's id and the trade id. */
interface SwordTrade {
	readonly setup: Cross;
	readonly sword: string;
	readonly id: string;
}

/**
 * Pair `pair` (world seed 7800 + pair) where the coordinator `a` holds a sword and the partner
 * `b` has `coins` coins, before either side of trade `cross-external-<pair>`.
 */
function swordForCoins(
	pair: number,
	coins: number,
	limits: TradeLimits = {},
): SwordTrade {
	const setup = crossSetup(7800 + pair, pair, limits);
	const { one, two, a, b } = setup;
	const sword = grant(one.service, a, "sword");
	assert(two.service.adjustCurrency(b, "coins", coins).ok, "the coins were not granted");
	return { setup, sword, id: `cross-external-${pair}` };
}

/**
 * Pair `pair` where the coordinator `a` holds a sword and the partner `b` has sent its side
 * (25 coins for the sword) of trade `cross-external-<pair>`, which reached `a`'s server; `after`
 * seconds later.
 */
function partnerSent(
	pair: number,
	limits: TradeLimits = VERDICT_LIMITS,
	after = 10,
): SwordTrade {
	const { setup, sword, id } = swordForCoins(pair, 25, limits);
	const { b } = setup;
	const give = { items: [], currency: { coins: 25 } };
	const sent = side(setup, id, b, give, { items: [{ def: "sword", count: 1 }] });
	assert(sent.status === "escrowed", `the partner's side was not sent: ${sent.status}`);
	setup.world.advance(after);
	return { setup, sword, id };
}

/**
 * After {@link partnerSent}: the partner's server crashes, the coordinator escrows its side, and
 * the partner joins a third server, which only the verdict can tell in time (settling the trade
 * itself would take ten minutes there). The coordinator's outcome.
 */
function partnerCrashed(setup: Cross, sword: string, id: string): TransferOutcome {
	const { world, two, a, b } = setup;
	two.app.server.crash();
	const decided = side(setup, id, a, { items: [{ id: sword, count: 1 }] }, { items: [], currency: { coins: 25 } });
	const three = externalServer(world, {
		name: "three",
		trades: true,
		limits: { ...VERDICT_LIMITS, verdictTimeout: 600 },
	});
	listenTrades(three.trades!, setup.settled, setup.received);
	serve(world, three, b);
	return decided;
}

/**
 * After {@link partnerSent}: the coordinator completes the trade, but from then on every
 * DataStore write of its server fails, so the verdict cannot reach the partner's profile; runs
 * to the decision deadline. The stacks of the `received` fired on the partner's server.
 */
function verdictNeverPosted(setup: Cross, sword: string, id: string): Array<string> {
	const { world, one, two, a } = setup;
	const gotHere = new Array<string>();
	two.trades!.received.Connect((player, _trade, bundle) => {
		for (const stack of bundle.stacks) gotHere.push(`${player.UserId} ${stack.id}=${stack.def}x${stack.count}`);
	});
	one.app.server.services.DataStoreService.faults.failNext(100_000, { operation: "UpdateAsync" });
	const decided = side(setup, id, a, { items: [{ id: sword, count: 1 }] }, { items: [], currency: { coins: 25 } });
	assert(decided.status === "completed", `the coordinator's side was ${decided.status}`);
	world.advance(VERDICT_LIMITS.decisionTimeout);
	return gotHere;
}

/**
 * After {@link partnerSent}: the coordinator decides, but no answer to its transfer comes (the
 * API `applied` it and the answer was lost, or it never got there), so the trade is left pending.
 */
function coordinatorPending(setup: Cross, id: string, sword: string, applied: boolean): void {
	const { world, one, a } = setup;
	const match = "/v1/transfers";
	if (applied) world.failHttp({ kind: "dropResponse", count: 1, server: one.app.server, match });
	world.failHttp({ kind: "connectFail", count: 1000, server: one.app.server, match });
	const decided = side(setup, id, a, { items: [{ id: sword, count: 1 }] }, { items: [], currency: { coins: 25 } });
	assert(decided.status === "pending", `the coordinator's side was ${decided.status}`);
	assert(!setup.settled.some((entry) => entry.split(" ")[0] === `${a}`), "the coordinator was told");
}

export = () => {
	describe("cross-server trades in external authority", () => {
		it("moves both sides as one transfer sent by the coordinator once the partner's side arrives", () => {
			const { setup, sword, potions, id } = swordAndPotions(1);
			const { world, one, two, a, b } = setup;
			const sideA = () => side(setup, id, a, { items: [{ id: sword, count: 1 }], currency: { coins: 30 } }, { items: [{ def: "potion", count: 4 }] });
			const sideB = () => side(setup, id, b, { items: [{ id: potions, count: 4 }] }, { items: [{ def: "sword", count: 1 }], currency: { coins: 30 } });
			// The partner's side goes first: it is sent to the coordinator, nothing moves yet.
			expect(sideB().status).to.equal("escrowed");
			expect(apiItems(world, b)).to.equal(slotItems(two.service.getInventory(b)!));
			expect(slotOf(two.service.getInventory(b)!, potions) >= 0).to.equal(true);
			world.advance(10);
			expect(two.trades!.isSettled(b)).to.equal(false);
			// The coordinator's side finds it and decides at once.
			expect(sideA().status).to.equal("completed");
			expect(settledAll(setup, 2)).to.equal(`${a} completed,${b} completed`);
			world.runUntil(() => two.trades!.isSettled(b), 30);
			expect(two.trades!.isSettled(b)).to.equal(true);
			expect(one.trades!.isSettled(a)).to.equal(true);

			const mine = one.service.getInventory(a)!;
			const theirs = two.service.getInventory(b)!;
			expect(slotOf(mine, sword)).to.equal(-1);
			expect(slotOf(theirs, sword) >= 0).to.equal(true);
			expect((theirs.slots[slotOf(theirs, potions)] as { count: number }).count).to.equal(6);
			// The 4 potions came as a stack with an id of the partner's series.
			let part: string | undefined;
			for (const stack of mine.slots) if (stack !== false && stack.def === "potion") part = stack.id;
			expect(part !== undefined && part.sub(1, `${b}-`.size()) === `${b}-`).to.equal(true);
			expect(mine.currencies.coins).to.equal(70);
			expect(theirs.currencies.coins).to.equal(30);
			expect(apiItems(world, a)).to.equal(slotItems(mine));
			expect(apiItems(world, b)).to.equal(slotItems(theirs));
			expect(apiCoins(world, a)).to.equal(70);
			expect(apiCoins(world, b)).to.equal(30);
			expect(tradeTransfers(world, a)).to.equal(1);
			const received = [...setup.received];
			received.sort();
			expect(received.join(",")).to.equal(`${a} 1 0,${b} 1 30`);

			// Either side again applies nothing.
			expect(sideA().status).to.equal("duplicate");
			expect(sideB().status).to.equal("duplicate");
			world.advance(30);
			expect(tradeTransfers(world, a)).to.equal(1);
			expect(setup.settled.size()).to.equal(2);
		});

		it("waits on the coordinator's side when it comes first, and tells a partner who moved server", () => {
			const setup = crossSetup(7802, 2);
			const { world, one, two, a, b } = setup;
			const shield = grant(one.service, a, "shield");
			expect(two.service.adjustCurrency(b, "coins", 80).ok).to.equal(true);
			const id = "cross-external-2";
			const coordinator = side(setup, id, a, { items: [{ id: shield, count: 1 }] }, { items: [], currency: { coins: 80 } });
			expect(coordinator.status).to.equal("escrowed");
			expect(
				side(setup, id, b, { items: [], currency: { coins: 80 } }, { items: [{ def: "shield", count: 1 }] }).status,
			).to.equal("escrowed");
			// The partner leaves at once: the verdict waits in their profile for their next load.
			two.app.server.leave(two.app.server.findPlayer(b)!);
			world.runUntil(() => setup.settled.size() >= 1, 60);
			expect(setup.settled.join(",")).to.equal(`${a} completed`);
			expect(apiCoins(world, a)).to.equal(80);
			expect(apiItems(world, b)).to.equal(`${shield}=shieldx1`);

			const three = externalServer(world, { name: "three", trades: true });
			listenTrades(three.trades!, setup.settled, setup.received);
			serve(world, three, b);
			expect(settledAll(setup, 2)).to.equal(`${a} completed,${b} completed`);
			const theirs = three.service.getInventory(b)!;
			expect(slotItems(theirs)).to.equal(`${shield}=shieldx1`);
			expect(theirs.currencies.coins).to.equal(0);
		});

		it("keeps what a waiting side gives out of play until the trade ends (it may still move)", () => {
			const { setup, sword, potions, id } = swordAndPotions(20);
			const { world, one, two, a, b } = setup;
			const give = { items: [{ id: sword, count: 1 }], currency: { coins: 30 } };
			expect(side(setup, id, a, give, { items: [{ def: "potion", count: 4 }] }).status).to.equal("escrowed");
			// The coordinator's side waits: the 30 coins it gives cannot be spent, the rest can.
			expect(one.service.adjustCurrency(a, "coins", -80).ok).to.equal(false);
			expect(one.service.adjustCurrency(a, "coins", -60).ok).to.equal(true);
			expect(one.service.move(a, slotOf(one.service.getInventory(a)!, sword), sword, 5).ok).to.equal(true);
			// Nor may another trade give them: 40 coins, 30 of them held.
			const coinGift = outcomeOf(world, one.trades!.gift({ id: "gift-coins-7820", from: a, to: b, items: [], currency: { coins: 20 } }));
			expect(`${coinGift.status} ${coinGift.reason}`).to.equal("failed busy");

			const potionSlot = () => slotOf(two.service.getInventory(b)!, potions);
			const sideB = side(setup, id, b, { items: [{ id: potions, count: 4 }] }, { items: [{ def: "sword", count: 1 }], currency: { coins: 30 } });
			expect(sideB.status).to.equal("escrowed");
			// The partner's side is on its way: none of the stack it gives part of can go, and no
			// other trade may give it; it can still move.
			const drink = two.service.consume(b, potionSlot(), potions, 1);
			expect(drink.ok ? "ok" : drink.error).to.equal("authority_refused");
			expect(two.service.move(b, potionSlot(), potions, 4).ok).to.equal(true);
			const regift = outcomeOf(
				world,
				two.trades!.gift({ id: "gift-7820", from: b, to: a, items: [{ id: potions, count: 1 }] }),
			);
			expect(`${regift.status} ${regift.reason}`).to.equal("failed busy");
			expect(settledAll(setup, 2)).to.equal(`${a} completed,${b} completed`);
			expect(apiCoins(world, a)).to.equal(10);
			// Settled: what is left is free again.
			expect(two.service.consume(b, potionSlot(), potions, 1).ok).to.equal(true);
			expect(one.service.adjustCurrency(a, "coins", -10).ok).to.equal(true);
			waitSettled(world, two.app, b);
			expect(apiItems(world, b)).to.equal(slotItems(two.service.getInventory(b)!));
		});

		it("does not hold up the player's other changes once another writer took what a side gives", () => {
			const { setup, sword, potions, id } = swordAndPotions(21);
			const { world, two, a, b } = setup;
			const sent = side(
				setup,
				id,
				b,
				{ items: [{ id: potions, count: 4 }] },
				{ items: [{ def: "sword", count: 1 }], currency: { coins: 30 } },
			);
			expect(sent.status).to.equal("escrowed");
			// The companion sells the whole stack the waiting side gives part of.
			const token = companionToken(world, b, ["item.remove"]);
			expect(companionWrite(world, token, b, [{ op: "item.remove", id: potions, count: 10 }]).status).to.equal(201);
			two.app.sync.refresh(b);
			world.runUntil(() => slotOf(two.service.getInventory(b)!, potions) < 0, 30);
			expect(slotOf(two.service.getInventory(b)!, potions)).to.equal(-1);
			// The player's own changes go on: nothing they make can take what is already gone.
			expect(two.service.grant(b, "potion", 2).ok).to.equal(true);
			expect(two.service.adjustCurrency(b, "coins", 5).ok).to.equal(true);
			// The trade fails at the API, for both (once the side reached the coordinator).
			world.advance(10);
			const give = { items: [{ id: sword, count: 1 }], currency: { coins: 30 } };
			expect(side(setup, id, a, give, { items: [{ def: "potion", count: 4 }] }).status).to.equal("failed");
			expect(settledAll(setup, 2)).to.equal(`${a} failed,${b} failed`);
			waitSettled(world, two.app, b);
			expect(apiItems(world, b)).to.equal(slotItems(two.service.getInventory(b)!));
			expect(apiCoins(world, b)).to.equal(5);
		});

		it("moves nothing when the two sides disagree on the terms", () => {
			const setup = crossSetup(7803, 3);
			const { world, one, two, a, b } = setup;
			const sword = grant(one.service, a, "sword");
			const potions = grant(two.service, b, "potion", 10);
			world.runUntil(() => one.app.sync.pendingCount(a) + two.app.sync.pendingCount(b) === 0, 30);
			const [beforeA, beforeB] = [apiItems(world, a), apiItems(world, b)];
			const id = "cross-external-3";
			side(setup, id, b, { items: [{ id: potions, count: 4 }] }, { items: [{ def: "sword", count: 1 }] });
			world.advance(10);
			const decided = side(setup, id, a, { items: [{ id: sword, count: 1 }] }, { items: [{ def: "potion", count: 5 }] });
			expect(decided.status).to.equal("failed");
			expect(decided.reason).to.equal("terms_mismatch");
			expect(settledAll(setup, 2)).to.equal(`${a} failed,${b} failed`);
			expect(apiItems(world, a)).to.equal(beforeA);
			expect(apiItems(world, b)).to.equal(beforeB);
			expect(tradeTransfers(world, a)).to.equal(0);
		});

		it("fails both sides when the partner's items left before the transfer (the API refuses it)", () => {
			const setup = crossSetup(7804, 4);
			const { world, one, two, a, b } = setup;
			const sword = grant(one.service, a, "sword");
			const potions = grant(two.service, b, "potion", 10);
			const id = "cross-external-4";
			side(setup, id, b, { items: [{ id: potions, count: 4 }] }, { items: [{ def: "sword", count: 1 }] });
			// Nothing is held back in this mode: the companion app removes the potions meanwhile.
			const token = companionToken(world, b);
			expect(companionWrite(world, token, b, [{ op: "item.remove", id: potions, count: 10 }]).status).to.equal(201);
			world.advance(10);
			const decided = side(setup, id, a, { items: [{ id: sword, count: 1 }] }, { items: [{ def: "potion", count: 4 }] });
			expect(decided.status).to.equal("failed");
			expect(decided.reason).to.equal("not_owned");
			expect(settledAll(setup, 2)).to.equal(`${a} failed,${b} failed`);
			expect(apiItems(world, a)).to.equal(`${sword}=swordx1`);
			expect(apiItems(world, b)).to.equal("");
			world.runUntil(() => slotOf(two.service.getInventory(b)!, potions) === -1, 30);
			expect(slotItems(one.service.getInventory(a)!)).to.equal(`${sword}=swordx1`);
		});

		it("tells both players how a transfer whose answer was lost ended once the sweep asks again", () => {
			const { setup, sword, id } = swordForCoins(27, 40, { sweepInterval: 1, verdictTimeout: 600 });
			const { world, one, a, b } = setup;
			side(setup, id, b, { items: [], currency: { coins: 40 } }, { items: [{ def: "sword", count: 1 }] });
			world.advance(10);
			// The API applies the first attempt but its answer is lost; the retries fail to connect.
			world.failHttp({ kind: "dropResponse", count: 1, server: one.app.server, match: "/v1/transfers" });
			const down = world.failHttp({ kind: "connectFail", count: 1000, server: one.app.server, match: "/v1/transfers" });
			const first = side(setup, id, a, { items: [{ id: sword, count: 1 }] }, { items: [], currency: { coins: 40 } });
			expect(first.status).to.equal("pending");
			// The game does not call again: the sweep does, and the partner hears long before it
			// would settle the trade itself.
			down.remaining = 0;
			expect(settledAll(setup, 2)).to.equal(`${a} completed,${b} completed`);
			expect(swordSold(setup, sword)).to.equal(`1 transfer, ${sword}=swordx1 at b, 40 coins at a, ${sword}=swordx1`);
		});

		it("leaves a transfer whose answer was lost pending, and the same side again completes it once", () => {
			const { setup, sword, id } = swordForCoins(6, 40, { sweepInterval: 1 });
			const { world, one, a, b } = setup;
			const sideA = () => side(setup, id, a, { items: [{ id: sword, count: 1 }] }, { items: [], currency: { coins: 40 } });
			side(setup, id, b, { items: [], currency: { coins: 40 } }, { items: [{ def: "sword", count: 1 }] });
			world.advance(10);
			// The API applies the first attempt but its answer is lost; every retry fails to connect.
			world.failHttp({ kind: "dropResponse", count: 1, server: one.app.server, match: "/v1/transfers" });
			const down = world.failHttp({ kind: "connectFail", count: 1000, server: one.app.server, match: "/v1/transfers" });
			const first = sideA();
			expect(first.status).to.equal("pending");
			expect(setup.settled.size()).to.equal(0);
			down.remaining = 0;
			expect(sideA().status).to.equal("completed");
			expect(settledAll(setup, 2)).to.equal(`${a} completed,${b} completed`);
			expect(swordSold(setup, sword)).to.equal(`1 transfer, ${sword}=swordx1 at b, 40 coins at a, ${sword}=swordx1`);
		});

		it("drops malformed or misaddressed side messages without effect", () => {
			const setup = crossSetup(7807, 7);
			const { world, one, a, b } = setup;
			const sword = grant(one.service, a, "sword");
			const side = {
				trade: "cross-external-7",
				from: b,
				to: a,
				leg: { from: b, to: a, items: [{ id: sword, count: 1 }] },
				bundle: { stacks: [{ id: sword, def: "sword", count: 1 }], currency: {} },
				expect: "sword*1",
				deadline: 0,
			};
			const bodies: Array<[string, unknown]> = [
				["hopsafe.side", { trade: 5 }],
				["hopsafe.side", { ...side, leg: { from: a, to: b } }],
				["hopsafe.side", { ...side, to: b + 1 }],
				["hopsafe.side", "nonsense"],
				["hopsafe.verdict", { trade: "cross-external-7", to: a, outcome: "completed", bundle: 3 }],
				["hopsafe.verdict", { trade: "cross-external-7", to: a, outcome: "completed" }],
			];
			bodies.forEach(([kind, body], index) => {
				let posted: boolean | undefined;
				void one.app.vault
					.postMessage(a, { id: `bad-${index}`, kind, body })
					.then((value) => (posted = value));
				world.runUntil(() => posted !== undefined, 30);
				expect(posted).to.equal(true);
			});
			world.advance(30);
			// The last verdict is well formed but for a trade this player never sent a side of.
			expect(setup.settled.size()).to.equal(0);
			expect(setup.received.size()).to.equal(0);
			expect(tradeTransfers(world, a)).to.equal(0);
			expect(slotItems(one.service.getInventory(a)!)).to.equal(`${sword}=swordx1`);
			expect(world.takeErrors().size()).to.equal(0);
		});

		it("settles the partner's side itself when the coordinator's server stops before deciding", () => {
			const { setup, sword, id } = partnerSent(8);
			const { world, one, two, a, b } = setup;
			one.app.server.crash();
			// Past the deadline the coordinator would start nothing, but its verdict may be on its way.
			world.advance(VERDICT_LIMITS.decisionTimeout);
			expect(setup.settled.size()).to.equal(0);
			expect(settledAll(setup, 1)).to.equal(`${b} failed`);
			expect(setup.received.size()).to.equal(0);
			expect(apiCoins(world, b)).to.equal(25);
			expect(apiItems(world, a)).to.equal(`${sword}=swordx1`);
			expect(tradeTransfers(world, b)).to.equal(0);
			// The trade's transfer can no longer apply, whoever sends it.
			let failure: { details?: { code?: string } } | undefined;
			void two.app.sync
				.transfer(
					[
						{ from: b, to: a, currencies: { coins: 25 } },
						{ from: a, to: b, items: [{ id: sword, count: 1 }] },
					],
					{ key: id, reason: "trade" },
				)
				.catch((thrown) => (failure = thrown as typeof failure));
			world.runUntil(() => failure !== undefined, 30);
			expect(failure?.details?.code).to.equal("transfer_voided");
			expect(apiCoins(world, b)).to.equal(25);
			expect(tradeTransfers(world, b)).to.equal(0);
			expect(setup.settled.size()).to.equal(1);
		});

		it("releases what a side would give when it could not be sent", () => {
			const setup = crossSetup(7824, 24, { saveTimeout: 5 });
			const { world, two, b } = setup;
			const potions = grant(two.service, b, "potion", 10);
			waitSettled(world, two.app, b);
			// The API cannot be reached: the coins just earned never get there, so the side (whose
			// transfer must find them at the API) is not sent.
			world.failHttp({ kind: "connectFail", count: 1000, server: two.app.server });
			expect(two.service.adjustCurrency(b, "coins", 5).ok).to.equal(true);
			const sent = side(setup, "cross-external-24", b, { items: [{ id: potions, count: 4 }] }, { items: [] });
			expect(`${sent.status} ${sent.reason}`).to.equal("failed save_failed");
			expect(two.service.consume(b, slotOf(two.service.getInventory(b)!, potions), potions, 7).ok).to.equal(true);
		});

		it("holds what a waiting side gives at the partner's next server too", () => {
			const limits = { ...VERDICT_LIMITS, decisionTimeout: 90 };
			const { setup, sword, id } = partnerSent(23, limits);
			const { world, two, a, b } = setup;
			// The partner moves on while their side (25 coins) waits: the side moves with them.
			two.app.server.leave(two.app.server.findPlayer(b)!);
			world.advance(2);
			const three = externalServer(world, { name: "three", trades: true, limits });
			listenTrades(three.trades!, setup.settled, setup.received);
			serve(world, three, b);
			expect(three.service.adjustCurrency(b, "coins", -5).ok).to.equal(false);
			const coordinator = side(setup, id, a, { items: [{ id: sword, count: 1 }] }, { items: [], currency: { coins: 25 } });
			expect(coordinator.status).to.equal("completed");
			expect(settledAll(setup, 2)).to.equal(`${a} completed,${b} completed`);
			// Settled: nothing is held any more.
			expect(three.service.adjustCurrency(b, "coins", 5).ok).to.equal(true);
			expect(three.service.adjustCurrency(b, "coins", -5).ok).to.equal(true);
		});

		it("settles a waiting side at the partner's next server when they moved before the verdict was due", () => {
			const { setup, sword, id } = partnerSent(10);
			const { world, one, two, a, b } = setup;
			one.app.server.crash();
			two.app.server.leave(two.app.server.findPlayer(b)!);
			world.advance(5);
			const three = externalServer(world, { name: "three", trades: true, limits: VERDICT_LIMITS });
			listenTrades(three.trades!, setup.settled, setup.received);
			serve(world, three, b);
			expect(settledAll(setup, 1)).to.equal(`${b} failed`);
			expect(three.service.getInventory(b)!.currencies.coins).to.equal(25);
			expect(apiItems(world, a)).to.equal(`${sword}=swordx1`);
			expect(tradeTransfers(world, b)).to.equal(0);
			// Settled once: the side is no longer waiting in the profile.
			world.advance(VERDICT_LIMITS.verdictTimeout * 2);
			expect(setup.settled.size()).to.equal(1);
			const ledger = (three.app.vault.getSession(b)!.data as unknown as ExternalData).trades;
			expect(ledger.sent === undefined || ledger.sent[id] === undefined).to.equal(true);
		});

		it("settles the partner's side as completed when the transfer applied but the verdict was never posted", () => {
			const { setup, sword, id } = partnerSent(9);
			const { a, b } = setup;
			const gotHere = verdictNeverPosted(setup, sword, id);
			expect(setup.settled.join(",")).to.equal(`${a} completed`);
			expect(settledAll(setup, 2)).to.equal(`${a} completed,${b} completed`);
			expect(swordSold(setup, sword)).to.equal(`1 transfer, ${sword}=swordx1 at b, 25 coins at a, ${sword}=swordx1`);
			// The partner's `received` comes from what the API says it received: the sword, by id.
			expect([...setup.received].sort().join(",")).to.equal(`${a} 0 25,${b} 1 0`);
			expect(gotHere.join(",")).to.equal(`${b} ${sword}=swordx1`);
		});

		it("names in a self-settled partner's received an item its full slots cannot show", () => {
			const { setup, sword, id } = partnerSent(13);
			const { two, a, b } = setup;
			// The partner's six slots are full: the sword it buys stays at the API, unplaced.
			for (let index = 0; index < 6; index++) grant(two.service, b, "shield");
			const unplaced = new Array<string>();
			two.service.unplaced.Connect((player, items) => {
				for (const item of items) unplaced.push(`${player.UserId} ${item.id}=${item.def}`);
			});
			const gotHere = verdictNeverPosted(setup, sword, id);
			expect(settledAll(setup, 2)).to.equal(`${a} completed,${b} completed`);
			expect(unplaced.includes(`${b} ${sword}=sword`)).to.equal(true);
			expect(slotOf(two.service.getInventory(b)!, sword)).to.equal(-1);
			expect(gotHere.join(",")).to.equal(`${b} ${sword}=swordx1`);
		});

		it("tells the partner from the coordinator's next server when the answer was lost and its server stopped", () => {
			// The partner would settle it with the authority only after ten minutes.
			const limits = { ...VERDICT_LIMITS, verdictTimeout: 600 };
			const { setup, sword, id } = partnerSent(11, limits);
			const { world, one, a, b } = setup;
			coordinatorPending(setup, id, sword, true);
			one.app.server.shutdown();
			const three = externalServer(world, { name: "three", trades: true, limits });
			listenTrades(three.trades!, setup.settled, setup.received);
			serve(world, three, a);
			world.runUntil(() => setup.settled.size() >= 2, 60);
			expect([...setup.settled].sort().join(",")).to.equal(`${a} completed,${b} completed`);
			expect([...setup.received].sort().join(",")).to.equal(`${a} 0 25,${b} 1 0`);
			expect(swordSold(setup, sword)).to.equal(`1 transfer, ${sword}=swordx1 at b, 25 coins at a, ${sword}=swordx1`);
			// Nobody settles it again, with the authority or otherwise.
			world.advance(limits.decisionTimeout + limits.verdictTimeout);
			expect(setup.settled.size()).to.equal(2);
			expect(tradeTransfers(world, a)).to.equal(1);
		});

		it("tells the partner completed when its side reaches the coordinator's next server after the transfer", () => {
			// The partner would settle it with the authority only after ten minutes.
			const limits = { ...VERDICT_LIMITS, verdictTimeout: 600 };
			const { setup, sword, id } = partnerSent(19, limits);
			const { world, one, a, b } = setup;
			// The coordinator's transfer applies, but none of its server's writes land after that:
			// the verdict is never posted, and the side's message stays in the coordinator's key.
			verdictNeverPosted(setup, sword, id);
			one.app.server.crash();
			// Its next server gets the side again with no side of its own held for it. It must not
			// decide the trade failed: it asks the authority, which found it applied.
			const three = externalServer(world, { name: "three", trades: true, limits });
			listenTrades(three.trades!, setup.settled, setup.received);
			serve(world, three, a);
			world.advance(limits.decisionTimeout * 3);
			expect(setup.settled.filter((entry) => entry.split(" ")[0] === `${b}`).join(",")).to.equal(`${b} completed`);
			expect(setup.settled.filter((entry) => entry.split(" ")[1] === "failed").size()).to.equal(0);
			expect(setup.received.filter((entry) => entry.split(" ")[0] === `${b}`).join(",")).to.equal(`${b} 1 0`);
			expect(tradeTransfers(world, a)).to.equal(1);
		});

		it("tells the partner what applied when the coordinator's side is escrowed again on its next server", () => {
			const limits = { ...VERDICT_LIMITS, decisionTimeout: 200, verdictTimeout: 600 };
			const setup = crossSetup(7826, 26, limits);
			const { world, one, two, a, b } = setup;
			const potions = grant(one.service, a, "potion", 10);
			assert(two.service.adjustCurrency(b, "coins", 25).ok, "the coins were not granted");
			const id = "cross-external-26";
			const coins = { items: [], currency: { coins: 25 } };
			const fourPotions = { items: [{ id: potions, count: 4 }] };
			expect(side(setup, id, b, coins, { items: [{ def: "potion", count: 4 }] }).status).to.equal("escrowed");
			world.advance(10);
			// The coordinator's transfer applies (4 potions under a part id of its session), then
			// none of its server's writes land: its next server gets the partner's side again.
			one.app.server.services.DataStoreService.faults.failNext(100_000, { operation: "UpdateAsync" });
			expect(side(setup, id, a, fourPotions, coins).status).to.equal("completed");
			world.advance(5);
			one.app.server.crash();
			const three = externalServer(world, { name: "three", trades: true, limits });
			listenTrades(three.trades!, setup.settled, setup.received);
			serve(world, three, a);
			world.advance(5);
			// The game escrows the coordinator's side again: another part id, so another body
			// under the key. What applied is the outcome, for both.
			const again = outcomeOf(world, three.trades!.escrowSide({ trade: id, player: a, partner: b, ...fourPotions, receive: coins }));
			world.advance(60);
			expect(again.status).to.equal("completed");
			expect(setup.settled.filter((entry) => entry.split(" ")[0] === `${b}`).join(",")).to.equal(`${b} completed`);
			expect(setup.settled.filter((entry) => entry.split(" ")[1] === "failed").size()).to.equal(0);
			expect(setup.received.filter((entry) => entry.split(" ")[0] === `${b}`).join(",")).to.equal(`${b} 1 0`);
			expect(tradeTransfers(world, a)).to.equal(1);
			expect(apiCoins(world, b)).to.equal(0);
		});

		it("does not tell a partner twice: a verdict after it settled the trade itself is not heard again", () => {
			const { setup, sword, id } = partnerSent(12);
			const { world, one, two, a, b } = setup;
			// The transfer never reaches the API; the coordinator's server stops with it unanswered,
			// and the partner, past the deadline, settles it with the authority: voided, failed.
			coordinatorPending(setup, id, sword, false);
			one.app.server.shutdown();
			expect(settledAll(setup, 1)).to.equal(`${b} failed`);
			// Both players then meet on a third server, where the coordinator's transfer is sent
			// again and refused (the partner voided it): the failed verdict finds a side settled.
			two.app.server.leave(two.app.server.findPlayer(b)!);
			const three = externalServer(world, { name: "three", trades: true, limits: VERDICT_LIMITS });
			listenTrades(three.trades!, setup.settled, setup.received);
			serve(world, three, b);
			serve(world, three, a);
			expect(settledAll(setup, 2)).to.equal(`${a} failed,${b} failed`);
			world.advance(VERDICT_LIMITS.decisionTimeout + VERDICT_LIMITS.verdictTimeout);
			expect(setup.settled.size()).to.equal(2);
			expect(tradeTransfers(world, a)).to.equal(0);
			expect(apiCoins(world, b)).to.equal(25);
			expect(apiItems(world, a)).to.equal(`${sword}=swordx1`);
		});

		it("tells the partner once when its server crashes as the verdict is heard, before that is saved", () => {
			const { setup, sword, id } = partnerSent(30);
			const { world, two, a, b } = setup;
			// The partner's server hears the verdict and crashes before its ledger's change is saved.
			let crashed = false;
			two.onStep = (step) => {
				if (step !== "transferred" || crashed) return;
				crashed = true;
				two.app.server.crash();
			};
			const decided = side(setup, id, a, { items: [{ id: sword, count: 1 }] }, { items: [], currency: { coins: 25 } });
			expect(decided.status).to.equal("completed");
			world.runUntil(() => crashed, 60);
			expect(crashed).to.equal(true);
			const three = externalServer(world, { name: "three", trades: true, limits: VERDICT_LIMITS });
			listenTrades(three.trades!, setup.settled, setup.received);
			serve(world, three, b);
			world.advance(VERDICT_LIMITS.decisionTimeout + VERDICT_LIMITS.verdictTimeout * 2);
			expect([...setup.settled].sort().join(",")).to.equal(`${a} completed,${b} completed`);
			expect([...setup.received].sort().join(",")).to.equal(`${a} 0 25,${b} 1 0`);
			expect(tradeTransfers(world, a)).to.equal(1);
		});

		it("tells a partner whose server crashed after sending its side at the partner's next server", () => {
			const { setup, sword, id } = partnerSent(14);
			const { world, a, b } = setup;
			// The side's ledger entry was saved soon after it was sent: the crash does not lose it.
			expect(partnerCrashed(setup, sword, id).status).to.equal("completed");
			expect(settledAll(setup, 2)).to.equal(`${a} completed,${b} completed`);
			expect([...setup.received].sort().join(",")).to.equal(`${a} 0 25,${b} 1 0`);
			expect(tradeTransfers(world, a)).to.equal(1);
		});

		it("with writeAheadTimeout, tells a partner whose server crashed the moment its side was sent", () => {
			// (A longer deadline: the confirmed save comes before the side leaves.)
			const limits = { ...VERDICT_LIMITS, decisionTimeout: 60, writeAheadTimeout: 15 };
			const { setup, sword, id } = partnerSent(17, limits, 0);
			const { world, a, b } = setup;
			// The side was listed and that save confirmed before it left: nothing was saved after.
			// (The coordinator decides once the side, already in its profile, reaches its server.)
			partnerCrashed(setup, sword, id);
			expect(settledAll(setup, 2)).to.equal(`${a} completed,${b} completed`);
			expect([...setup.received].sort().join(",")).to.equal(`${a} 0 25,${b} 1 0`);
			expect(tradeTransfers(world, a)).to.equal(1);
		});

		it("sends a side whose message was posted though the write's call errored, and tells the partner", () => {
			const { setup, sword, id } = swordForCoins(18, 25);
			const { world, two, a, b } = setup;
			// The side's message lands in the coordinator's profile, but the call reports an error
			// and the retry finds it waiting: the side was sent all the same.
			two.app.server.services.DataStoreService.faults.commitButErrorNext(1, "UpdateAsync");
			const give = { items: [], currency: { coins: 25 } };
			expect(side(setup, id, b, give, { items: [{ def: "sword", count: 1 }] }).status).to.equal("escrowed");
			world.advance(10);
			const decided = side(setup, id, a, { items: [{ id: sword, count: 1 }] }, { items: [], currency: { coins: 25 } });
			expect(decided.status).to.equal("completed");
			expect(settledAll(setup, 2)).to.equal(`${a} completed,${b} completed`);
			expect(swordSold(setup, sword)).to.equal(`1 transfer, ${sword}=swordx1 at b, 25 coins at a, ${sword}=swordx1`);
		});

		it("does not tell a partner again after its server crashed once it settled the trade itself", () => {
			const { setup, id } = partnerSent(16);
			const { world, one, two, b } = setup;
			one.app.server.crash();
			world.advance(VERDICT_LIMITS.decisionTimeout);
			expect(settledAll(setup, 1)).to.equal(`${b} failed`);
			// Settling takes the side out of the ledger, and that is saved soon (no verdict message
			// brings a save with it here).
			world.advance(8);
			two.app.server.crash();
			const three = externalServer(world, { name: "three", trades: true, limits: VERDICT_LIMITS });
			listenTrades(three.trades!, setup.settled, setup.received);
			serve(world, three, b);
			world.advance(VERDICT_LIMITS.decisionTimeout + VERDICT_LIMITS.verdictTimeout * 2);
			expect(setup.settled.size()).to.equal(1);
			const ledger = (three.app.vault.getSession(b)!.data as unknown as ExternalData).trades;
			expect(ledger.sent === undefined || ledger.sent[id] === undefined).to.equal(true);
		});

		it("tells the coordinator too when neither side gives anything (no transfer to send)", () => {
			const setup = crossSetup(7828, 28);
			const { world, one, a, b } = setup;
			const id = "cross-external-28";
			const nothing = { items: [], currency: {} };
			// The coordinator's side comes first, so its outcome is only told by `settled`.
			expect(side(setup, id, a, nothing, nothing).status).to.equal("escrowed");
			expect(side(setup, id, b, nothing, nothing).status).to.equal("escrowed");
			expect(settledAll(setup, 2)).to.equal(`${a} failed,${b} failed`);
			expect(one.trades!.isSettled(a)).to.equal(true);
			expect(tradeTransfers(world, a)).to.equal(0);
		});

		it("moves both sides of a trade whose id the save API cannot hold as a key, once", () => {
			const { setup, sword } = swordForCoins(29, 25);
			const { world, one, two, a, b } = setup;
			// A space, `#` and `/`: taken as trade ids in DataStore authority, so here too.
			const id = "cross #29 a/b";
			const coins = { items: [], currency: { coins: 25 } };
			expect(side(setup, id, a, { items: [{ id: sword, count: 1 }] }, coins).status).to.equal("escrowed");
			expect(side(setup, id, b, coins, { items: [{ def: "sword", count: 1 }] }).status).to.equal("escrowed");
			expect(settledAll(setup, 2)).to.equal(`${a} completed,${b} completed`);
			expect(swordSold(setup, sword)).to.equal(`1 transfer, ${sword}=swordx1 at b, 25 coins at a, ${sword}=swordx1`);
			expect(side(setup, id, a, { items: [{ id: sword, count: 1 }] }, coins).status).to.equal("duplicate");
			world.runUntil(() => one.trades!.isSettled(a) && two.trades!.isSettled(b), 30);
			expect(one.trades!.isSettled(a)).to.equal(true);
			expect(setup.settled.size()).to.equal(2);
		});

		it("tells the coordinator too when the authority refuses the transfer before sending it", () => {
			const { setup, sword } = swordForCoins(31, 25);
			const { world, one, a, b } = setup;
			const id = "cross-external-31";
			const coins = { items: [], currency: { coins: 25 } };
			expect(side(setup, id, a, { items: [{ id: sword, count: 1 }] }, coins).status).to.equal("escrowed");
			// A partner's side whose leg names an item id the save API cannot take: the transfer is
			// refused before it is sent.
			const offer = {
				trade: id,
				from: b,
				to: a,
				leg: { from: b, to: a, items: [{ id: "not an id", count: 1 }], currencies: { coins: 25 } },
				bundle: { stacks: [], currency: { coins: 25 } },
				expect: "sword*1",
				deadline: os.time() + 600,
			};
			let posted: boolean | undefined;
			void one.app.vault
				.postMessage(a, { id: `${id}:leg:${b}`, kind: "hopsafe.side", body: offer })
				.then((value) => (posted = value));
			world.runUntil(() => posted !== undefined, 30);
			expect(posted).to.equal(true);
			// Long before the deadline (120 s) would end it.
			world.runUntil(() => setup.settled.size() >= 1, 30);
			expect(setup.settled.join(",")).to.equal(`${a} failed`);
			expect(one.trades!.isSettled(a)).to.equal(true);
			expect(tradeTransfers(world, a)).to.equal(0);
			expect(apiItems(world, a)).to.equal(`${sword}=swordx1`);
		});

		it("ends a side whose partner never comes at the deadline, and refuses a late partner", () => {
			const setup = crossSetup(7805, 5, { decisionTimeout: 20, sweepInterval: 2 });
			const { world, one, two, a, b } = setup;
			const sword = grant(one.service, a, "sword");
			expect(two.service.adjustCurrency(b, "coins", 10).ok).to.equal(true);
			const id = "cross-external-5";
			const sideA = () => side(setup, id, a, { items: [{ id: sword, count: 1 }] }, { items: [], currency: { coins: 10 } });
			expect(sideA().status).to.equal("escrowed");
			expect(one.trades!.isSettled(a)).to.equal(false);
			world.runUntil(() => setup.settled.size() >= 1, 60);
			expect(one.trades!.isSettled(a)).to.equal(true);
			expect(setup.settled.join(",")).to.equal(`${a} failed`);
			// Too late: the coordinator answers with the failure it decided.
			expect(
				side(setup, id, b, { items: [], currency: { coins: 10 } }, { items: [{ def: "sword", count: 1 }] }).status,
			).to.equal("escrowed");
			expect(settledAll(setup, 2)).to.equal(`${a} failed,${b} failed`);
			expect(sideA().status).to.equal("duplicate");
			world.advance(30);
			expect(apiItems(world, a)).to.equal(`${sword}=swordx1`);
			expect(apiCoins(world, b)).to.equal(10);
			expect(tradeTransfers(world, a)).to.equal(0);
		});
	});
};
