import type { TradeStep } from "../../../src/trade/service/types";
import {
	joinReady,
	onceAt,
	same,
	settle,
	storedCensus,
	storedItems,
	storedPair,
	storedProfile,
	storedQuiet,
	type TradeServer,
	type TradeWorld,
} from "./support/tradeWorld";
import { GIFT, GIFT_SENT, SWAPPED, X, sideOne, sideTwo, twoServers } from "./support/twoServers";



/** Serves `userId` on `on` (after a crash or a leave elsewhere). */
function rejoin(setup: TradeWorld, on: TradeServer, userId: number): void {
	if (on.inventory.isReady(userId)) return;
	for (const other of setup.servers) {
		const player = other.server.state === "running" ? other.server.findPlayer(userId) : undefined;
		if (player !== undefined && other !== on) other.server.leave(player);
	}
	setup.world.advance(1);
	joinReady(setup, on, userId);
}

/** Runs the world until nothing of players 1 and 2 is in flight, then checks the census. */
function quiet(setup: TradeWorld, servers: ReadonlyArray<TradeServer>, items: number, coins: number): void {
	setup.world.runUntil(() => {
		if (!storedQuiet(setup.world, [1, 2])) return false;
		for (const at of servers) for (const userId of [1, 2]) if (at.inventory.isReady(userId) && !at.trades.isSettled(userId)) return false;
		return true;
	}, 600);
	same(storedQuiet(setup.world, [1, 2]), true, "nothing in flight");
	const census = storedCensus(setup, [1, 2]);
	same(census.dupes.size(), 0, "dupes");
	same(census.itemCount, items, "items");
	same(census.currencies.get("coins") ?? 0, coins, "coins");
}


const GIFT_KEPT = "1-1x1|50 2-1x10|0";

const KEPT = "1-1x1|50 2-1x10|0";


export = () => {
	describe("trade across servers", () => {
		it("delivers a gift to a player on another server exactly once, keeping its id", () => {
			const { setup, one, two } = twoServers(901);
			expect(settle(setup.world, one.trades.gift(GIFT)).status).to.equal("completed");
			quiet(setup, [one, two], 11, 50);
			expect(storedPair(setup)).to.equal(GIFT_SENT);
			expect(two.inventory.getInventory(2)!.slots.some((stack) => stack !== false && stack.id === "1-1")).to.equal(true);
			expect(settle(setup.world, one.trades.gift(GIFT)).status).to.equal("duplicate");
			setup.world.advance(60);
			expect(storedPair(setup)).to.equal(GIFT_SENT);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});

		it("keeps a gift to an offline player in escrow until their next load", () => {
			const { setup, one, two } = twoServers(902);
			two.server.leave(two.server.findPlayer(2)!);
			setup.world.advance(10);
			expect(settle(setup.world, one.trades.gift(GIFT)).status).to.equal("completed");
			setup.world.runUntil(() => one.trades.isSettled(1), 120);
			// Posted to player 2's profile: one escrow, counted once, in nobody's inventory.
			const census = storedCensus(setup, [1, 2]);
			expect(census.locations.get("1-1")).to.equal("escrow:gift-1");
			expect(census.dupes.size()).to.equal(0);
			expect(census.currencies.get("coins")).to.equal(50);
			joinReady(setup, two, 2);
			quiet(setup, [one, two], 11, 50);
			expect(storedPair(setup)).to.equal(GIFT_SENT);
		});

		it("neither loses nor duplicates a gift when a server crashes at any step", () => {
			// The server that crashes (1: the sender's, 2: the recipient's), the step, the end state.
			const cases: Array<[number, TradeStep, string]> = [
				[1, "giftEscrowed", GIFT_KEPT],
				[1, "giftSaved", GIFT_SENT],
				[1, "parcelPosted", GIFT_SENT],
				[1, "parcelRetired", GIFT_SENT],
				[2, "parcelReceived", GIFT_SENT],
			];
			let seed = 910;
			for (const [victim, step, outcome] of cases) {
				seed += 1;
				const { setup, one, two } = twoServers(seed);
				const victimAt = victim === 1 ? one : two;
				const crashed = onceAt(victimAt, step, () => victimAt.server.crash());
				const promise = one.trades.gift(GIFT);
				setup.world.runUntil(() => crashed(), 300);
				expect(`${step}: ${crashed()}`).to.equal(`${step}: true`);
				if (victim === 2) expect(promise.getStatus()).never.to.equal("Started");
				const fresh = setup.startServer();
				rejoin(setup, fresh, victim);
				quiet(setup, [fresh, victim === 1 ? two : one], 11, 50);
				expect(`${victim}/${step}: ${storedPair(setup)}`).to.equal(`${victim}/${step}: ${outcome}`);
			}
		});

		it("delivers a gift whose sender leaves while it is being saved, without waiting for the sender", () => {
			const { setup, one, two } = twoServers(906);
			one.onStep = (step) => {
				if (step === "giftEscrowed") one.server.leave(one.server.findPlayer(1)!);
			};
			expect(settle(setup.world, one.trades.gift(GIFT)).status).to.equal("completed");
			setup.world.runUntil(() => storedItems(setup.world, 2) === "1-1x1,2-1x10|20", 120);
			expect(storedPair(setup)).to.equal(GIFT_SENT);
			expect(next(storedProfile(setup.world, 1)!.ledger.outbox)[0]).to.equal(undefined);
			expect(one.inventory.isReady(1)).to.equal(false);
			quiet(setup, [one, two], 11, 50);
		});

		it("delivers a gift once to a recipient who hops to another server while it is on its way", () => {
			const { setup, one, two } = twoServers(905);
			let hopped = false;
			one.onStep = (step) => {
				if (step !== "parcelPosted" || hopped) return;
				hopped = true;
				setup.world.teleport(two.server.findPlayer(2)!, two.server, one.server, { async: true });
			};
			expect(settle(setup.world, one.trades.gift(GIFT)).status).to.equal("completed");
			setup.world.runUntil(() => hopped && one.inventory.isReady(2), 120);
			expect(hopped).to.equal(true);
			quiet(setup, [one], 11, 50);
			expect(storedPair(setup)).to.equal(GIFT_SENT);
			expect(one.inventory.getInventory(2)!.slots.some((stack) => stack !== false && stack.id === "1-1")).to.equal(true);
		});

		it("trades across servers: both sides escrowed, the coordinator decides, each side delivered once", () => {
			const { setup, one, two } = twoServers(920);
			const second = settle(setup.world, two.trades.escrowSide(sideTwo()));
			expect(second.status).to.equal("escrowed");
			const first = settle(setup.world, one.trades.escrowSide(sideOne()));
			expect(first.status === "completed" || first.status === "escrowed").to.equal(true);
			quiet(setup, [one, two], 11, 50);
			expect(storedPair(setup)).to.equal(SWAPPED);
			expect(settle(setup.world, one.trades.escrowSide(sideOne())).status).to.equal("duplicate");
			expect(settle(setup.world, two.trades.escrowSide(sideTwo())).status).to.equal("duplicate");
			setup.world.advance(60);
			expect(storedPair(setup)).to.equal(SWAPPED);
		});

		it("delivers once to a partner who comes back after the coordinator forgot the trade", () => {
			// Decisions and stamps are kept 0.02 days (29 minutes) here instead of 180.
			const { setup, one, two } = twoServers(925, { retentionDays: 0.02, sweepInterval: 60 });
			expect(settle(setup.world, two.trades.escrowSide(sideTwo())).status).to.equal("escrowed");
			setup.world.advance(5);
			two.server.leave(two.server.findPlayer(2)!);
			setup.world.advance(30);
			expect(settle(setup.world, one.trades.escrowSide(sideOne())).status).to.equal("completed");
			// The coordinator's side waits in the partner's profile while the coordinator forgets.
			setup.world.runUntil(() => storedProfile(setup.world, 1)!.ledger.decisions[X] === undefined, 3 * 3600);
			expect(storedProfile(setup.world, 1)!.ledger.decisions[X]).to.equal(undefined);
			expect(storedProfile(setup.world, 2)!.pending.size()).to.equal(1);
			// Back on the coordinator's server: the waiting side settles the leg before anything
			// could hand it on again.
			const before = one.steps.size();
			joinReady(setup, one, 2);
			quiet(setup, [one, two], 11, 50);
			expect(storedPair(setup)).to.equal(SWAPPED);
			const after = one.steps.filter((step, index) => index >= before && step.sub(1, 3) === "leg");
			expect(after.join(",")).to.equal("");
		});

		it("returns the partner's side when its coordinator took it, never escrowed and left", () => {
			const { setup, one, two } = twoServers(926, { decisionTimeout: 60 });
			expect(settle(setup.world, two.trades.escrowSide(sideTwo())).status).to.equal("escrowed");
			setup.world.runUntil(() => storedProfile(setup.world, 1)!.ledger.waiting[X] !== undefined, 120);
			expect(storedProfile(setup.world, 1)!.ledger.waiting[X]).never.to.equal(undefined);
			one.server.leave(one.server.findPlayer(1)!);
			// Past the deadline and verdictTimeout, player 2's server settles it in player 1's profile.
			quiet(setup, [one, two], 11, 50);
			expect(storedPair(setup)).to.equal(KEPT);
			expect(one.inventory.isReady(1)).to.equal(false);
			expect(storedProfile(setup.world, 1)!.ledger.decisions[X].outcome).to.equal("aborted");
			// Player 1's next session finds nothing left to do.
			joinReady(setup, one, 1);
			quiet(setup, [one, two], 11, 50);
			expect(storedPair(setup)).to.equal(KEPT);
		});

		it("returns both sides when the terms differ or one side never comes", () => {
			const mismatch = twoServers(921);
			settle(mismatch.setup.world, mismatch.two.trades.escrowSide(sideTwo()));
			settle(mismatch.setup.world, mismatch.one.trades.escrowSide(sideOne(9)));
			quiet(mismatch.setup, [mismatch.one, mismatch.two], 11, 50);
			expect(storedPair(mismatch.setup)).to.equal(KEPT);

			for (const lonely of [1, 2]) {
				const index = lonely - 1;
				const alone = twoServers(922 + index, { decisionTimeout: 60 });
				const at = lonely === 1 ? alone.one : alone.two;
				const side = lonely === 1 ? sideOne() : sideTwo();
				expect(settle(alone.setup.world, at.trades.escrowSide(side)).status).to.equal("escrowed");
				const census = storedCensus(alone.setup, [1, 2]);
				expect(census.dupes.size()).to.equal(0);
				quiet(alone.setup, [alone.one, alone.two], 11, 50);
				expect(`${lonely}: ${storedPair(alone.setup)}`).to.equal(`${lonely}: ${KEPT}`);
			}
		});

		it("tells the partner once when its server crashes as the coordinator's side arrives", () => {
			const { setup, one, two } = twoServers(940);
			const told = new Array<string>();
			const listen = (at: TradeServer) =>
				at.trades.settled.Connect((userId, trade, outcome) => told.push(`${at.server.name} ${userId} ${trade} ${outcome}`));
			listen(one);
			listen(two);
			// The partner's server crashes once the side arrives, before that arrival is saved.
			const crashed = onceAt(two, "parcelReceived", () => two.server.crash());
			expect(settle(setup.world, two.trades.escrowSide(sideTwo())).status).to.equal("escrowed");
			settle(setup.world, one.trades.escrowSide(sideOne()));
			setup.world.runUntil(() => crashed(), 120);
			expect(crashed()).to.equal(true);
			const fresh = setup.startServer();
			listen(fresh);
			rejoin(setup, fresh, 2);
			quiet(setup, [one, fresh], 11, 50);
			expect(storedPair(setup)).to.equal(SWAPPED);
			// Told on the server that saved the arrival, once.
			const partner = told.filter((line) => line.split(" ")[1] === "2");
			expect(partner.join(",")).to.equal(`${fresh.server.name} 2 ${X} completed`);
		});

		it("neither loses nor duplicates a cross-server trade when a server crashes at any step", () => {
			// Which side escrows first, the server that crashes, the step, the end state.
			const cases: Array<[number, number, TradeStep, string]> = [
				[2, 2, "sideEscrowed", KEPT],
				[2, 2, "sideSaved", SWAPPED],
				[2, 1, "sideEscrowed", KEPT],
				[1, 1, "legReceived", SWAPPED],
				[1, 1, "parcelPosted", SWAPPED],
			];
			let seed = 930;
			for (const [firstSide, victim, step, outcome] of cases) {
				seed += 1;
				const { setup, one, two } = twoServers(seed, { decisionTimeout: 240 });
				const victimAt = victim === 1 ? one : two;
				const crashed = onceAt(victimAt, step, () => victimAt.server.crash());
				const order = firstSide === 1 ? [one, two] : [two, one];
				for (const at of order) {
					if (at.server.state !== "running") continue;
					const promise = at.trades.escrowSide(at === one ? sideOne() : sideTwo());
					setup.world.runUntil(() => crashed() || promise.getStatus() !== "Started", 300);
				}
				setup.world.runUntil(() => crashed(), 300);
				expect(`${step}: ${crashed()}`).to.equal(`${step}: true`);
				const fresh = setup.startServer();
				rejoin(setup, fresh, victim);
				quiet(setup, [fresh, victim === 1 ? two : one], 11, 50);
				expect(`${firstSide}/${victim}/${step}: ${storedPair(setup)}`).to.equal(`${firstSide}/${victim}/${step}: ${outcome}`);
			}
		});
	});
};
