import type { TradeStep } from "../../../src/trade/service/types";
import {
	joinReady,
	onceAt,
	same,
	settle,
	storedCensus,
	storedPair,
	storedProfile,
	storedQuiet,
	type TradeServer,
	type TradeWorld,
} from "./support/tradeWorld";
import { GIFT, GIFT_SENT, SWAPPED, sideOne, sideTwo, twoServers } from "./support/twoServers";

// Each server closes (CloseReason.ServerEmpty) `delay` seconds after its last player leaves:
// player 1 is alone on the first, player 2 alone on the second.
const EMPTYING_LIMITS = { decisionTimeout: 240, saveTimeout: 10 };

/** Runs the world until `server` has closed. */
function untilClosed(setup: TradeWorld, at: TradeServer): void {
	setup.world.runUntil(() => at.server.state === "closed" || at.server.state === "crashed", 300);
}

/** What of `userId` is still in flight in their stored profile (ledger records, waiting messages). */
function inFlight(setup: TradeWorld, userId: number): string {
	const profile = storedProfile(setup.world, userId);
	if (profile === undefined) return "";
	const parts = new Array<string>();
	const ledger = profile.ledger;
	for (const [name, records] of [
		["outbox", ledger.outbox],
		["inbox", ledger.inbox],
		["legs", ledger.legs],
		["waiting", ledger.waiting],
	] as Array<[string, object]>) {
		for (const [id] of pairs(records)) parts.push(`${name}:${tostring(id)}`);
	}
	for (const message of profile.pending) {
		const { id, kind } = message as { id?: string; kind?: string };
		parts.push(`${tostring(kind)}:${tostring(id)}${id !== undefined && ledger.stamps[id] !== undefined ? "(stamped)" : ""}`);
	}
	return parts.join(",");
}

/** Runs until nothing of players 1 and 2 is in flight in their stored profiles; checks the census. */
function checkQuiet(setup: TradeWorld, what: string): void {
	const quiet = () => storedQuiet(setup.world, [1, 2]);
	if (!quiet()) pcall(() => setup.world.runUntil(quiet, 600));
	same(quiet(), true, `${what}: in flight [${inFlight(setup, 1)}] [${inFlight(setup, 2)}]`);
	const census = storedCensus(setup, [1, 2]);
	same(census.dupes.size(), 0, `${what}: dupes`);
	same(census.itemCount, 11, `${what}: items`);
	same(census.currencies.get("coins") ?? 0, 50, `${what}: coins`);
}

const GIFT_HELD = "|30 2-1x10|0";


const DELAYS = [0, 2];

export = () => {
	describe("trades when a leave empties a server", () => {
		it("neither loses nor duplicates a gift whose sender's leave closes the sender's server", () => {
			const outcomes = new Array<string>();
			let seed = 960;
			for (const delay of DELAYS) {
				for (const step of ["giftEscrowed", "giftSaved", "parcelPosted"] as Array<TradeStep>) {
					seed += 1;
					const what = `${step} after ${delay} s`;
					const [, result] = pcall(() => {
						// Immediate: which steps end "held" and which "sent" depends on the leave's
						// PlayerRemoving running inside the step (Deferred lets the step go on first;
						// the census holds either way).
						const { setup, one, two } = twoServers(seed, EMPTYING_LIMITS, { emptyServerShutdownSeconds: delay, signalBehavior: "Immediate" });
						const left = onceAt(one, step, () => one.server.leave(one.server.findPlayer(1)!));
						const gift = one.trades.gift(GIFT);
						setup.world.runUntil(() => left() && gift.getStatus() !== "Started", 300);
						untilClosed(setup, one);
						same(one.server.state, "closed", "the sender's server");
						// Settled in the stored profiles alone: the sender's release carried what its
						// last moments handed on. A server that closes at once can no longer post
						// the parcel (posts are refused at shutdown): then the release keeps it,
						// whole, in the sender's outbox, and the other server sends it from there.
						const quiet = () => storedQuiet(setup.world, [1, 2]);
						pcall(() => setup.world.runUntil(quiet, 600));
						const census = storedCensus(setup, [1, 2]);
						same(census.dupes.size(), 0, "dupes");
						same(census.itemCount, 11, "items");
						same(census.currencies.get("coins") ?? 0, 50, "coins");
						const sent = storedPair(setup) === GIFT_SENT && quiet();
						if (!sent) {
							same(storedPair(setup), GIFT_HELD, "before the sender's return");
							same(`${inFlight(setup, 1)} ${inFlight(setup, 2)}`, "outbox:gift-1 ", "in flight");
						}
						// The sender's next session finds the gift sent, or sends it, once.
						joinReady(setup, two, 1);
						setup.world.advance(60);
						checkQuiet(setup, "after the sender's return");
						same(storedPair(setup), GIFT_SENT, "after the sender's return");
						return sent ? "sent" : "held";
					});
					outcomes.push(`${what}: ${tostring(result)}`);
				}
			}
			expect(outcomes.join("\n")).to.equal(
				[
					"giftEscrowed after 0 s: sent",
					"giftSaved after 0 s: sent",
					"parcelPosted after 0 s: sent",
					"giftEscrowed after 2 s: sent",
					"giftSaved after 2 s: sent",
					"parcelPosted after 2 s: sent",
				].join("\n"),
			);
		});

		it("delivers a gift once to a recipient whose leave closes their server while it is on its way", () => {
			let seed = 970;
			for (const delay of DELAYS) {
				seed += 1;
				const { setup, one, two } = twoServers(seed, EMPTYING_LIMITS, { emptyServerShutdownSeconds: delay });
				let left = false;
				one.onStep = (step) => {
					if (step !== "parcelPosted" || left) return;
					left = true;
					two.server.leave(two.server.findPlayer(2)!);
				};
				settle(setup.world, one.trades.gift(GIFT));
				setup.world.runUntil(() => left, 300);
				untilClosed(setup, two);
				expect(two.server.state).to.equal("closed");
				const fresh = setup.startServer();
				joinReady(setup, fresh, 2);
				checkQuiet(setup, `${delay} s`);
				expect(storedPair(setup)).to.equal(GIFT_SENT);
				expect(fresh.inventory.getInventory(2)!.slots.some((stack) => stack !== false && stack.id === "1-1")).to.equal(
					true,
				);
			}
		});

		it("neither loses nor duplicates a cross-server trade when a side's leave closes its server at any step", () => {
			// The player who leaves (emptying their server) and the step.
			const cases: Array<[number, TradeStep]> = [
				[2, "sideEscrowed"],
				[2, "sideSaved"],
				[2, "legPosted"],
				[1, "legReceived"],
				[1, "sideSaved"],
				[1, "parcelPosted"],
				[2, "parcelReceived"],
			];
			const outcomes = new Array<string>();
			let seed = 980;
			for (const delay of DELAYS) {
				for (const [victim, step] of cases) {
					seed += 1;
					const what = `${victim}/${step} after ${delay} s`;
					const [ran, failure] = pcall(() => {
						const { setup, one, two } = twoServers(seed, EMPTYING_LIMITS, { emptyServerShutdownSeconds: delay });
						const victimServer = victim === 1 ? one : two;
						const left = onceAt(victimServer, step, () => victimServer.server.leave(victimServer.server.findPlayer(victim)!));
						for (const at of [two, one]) {
							if (at.server.state !== "running" || at.server.findPlayer(at === one ? 1 : 2) === undefined) continue;
							const promise = at.trades.escrowSide(at === one ? sideOne() : sideTwo());
							setup.world.runUntil(() => left() || promise.getStatus() !== "Started", 300);
						}
						setup.world.runUntil(() => left(), 300);
						untilClosed(setup, victimServer);
						same(victimServer.server.state, "closed", "the server left empty");
						const fresh = setup.startServer();
						joinReady(setup, fresh, victim);
						checkQuiet(setup, "after the return");
						same(storedPair(setup), SWAPPED, "after the return");
					});
					outcomes.push(`${what}: ${ran ? "ok" : tostring(failure)}`);
				}
			}
			expect(outcomes.join("\n")).to.equal(outcomes.map((line) => `${line.split(":")[0]}: ok`).join("\n"));
		});
	});
};
