import type { Trade, TradeUpdate } from "../../../src/trade";
import {
	coinsSaved,
	grantSaved,
	joinReady,
	storedItems,
	storedQuiet,
	tradeWorld,
	type TradeServer,
	type TradeWorld,
} from "./support/tradeWorld";

/** Every update `client` received on the trade remotes, in order. */
function updates(client: Sim.Client, at: TradeServer): Array<TradeUpdate> {
	return client.received(at.remotes!.update).map((call) => call[0] as TradeUpdate);
}

/** "accepted", the reason a request was refused with, or "none". */
function answer(client: Sim.Client, at: TradeServer, request: number): string {
	for (const update of updates(client, at)) {
		if (update.k === "a" && update.req === request) return "accepted";
		if (update.k === "r" && update.req === request) return update.reason;
	}
	return "none";
}

/** The last state of a trade `client` was shown. */
function shown(client: Sim.Client, at: TradeServer): Trade | undefined {
	let last: Trade | undefined;
	for (const update of updates(client, at)) if (update.k === "t") last = update.trade;
	return last;
}

interface Pair {
	readonly setup: TradeWorld;
	readonly at: TradeServer;
	readonly one: Sim.Client;
	readonly two: Sim.Client;
	readonly sword: string;
	readonly potions: string;
}

/** Player 1 holds a sword, player 2 ten potions and 100 coins; both have clients. */
function pair(seed: number): Pair {
	const setup = tradeWorld({ seed, remotes: true });
	const [at] = setup.servers;
	const playerOne = joinReady(setup, at, 1);
	const playerTwo = joinReady(setup, at, 2);
	const [sword] = grantSaved(at, 1, "sword");
	const [potions] = grantSaved(at, 2, "potion", 10);
	coinsSaved(at, 2, 100);
	return { setup, at, one: at.server.client(playerOne), two: at.server.client(playerTwo), sword, potions };
}

function frames(setup: TradeWorld, count = 3): void {
	setup.world.advance(count / 60);
}

/** Opens a trade over the remotes (1 invites, 2 accepts); returns its id. */
function open(p: Pair): string {
	p.one.fireServer(p.at.remotes!.request, 1, "invite", 2);
	frames(p.setup);
	const id = shown(p.two, p.at)!.id;
	p.two.fireServer(p.at.remotes!.request, 1, "accept", id);
	frames(p.setup);
	return id;
}

export = () => {
	describe("trade negotiation over remotes", () => {
		it("invites, shows both offers to both players, and completes once both confirm the revision", () => {
			const p = pair(801);
			const id = open(p);
			const request = p.at.remotes!.request;
			expect(shown(p.one, p.at)!.phase).to.equal("open");
			p.one.fireServer(request, 2, "offer", id, [[0, p.sword, 1]], []);
			p.two.fireServer(request, 2, "offer", id, [[0, p.potions, 4]], [["coins", 25]]);
			frames(p.setup);
			expect(answer(p.one, p.at, 2)).to.equal("accepted");
			expect(answer(p.two, p.at, 2)).to.equal("accepted");
			// Each sees the other's offer.
			const seenByOne = shown(p.one, p.at)!;
			expect(seenByOne.b.offer.items[0].def).to.equal("potion");
			expect(seenByOne.b.offer.currency.coins).to.equal(25);
			expect(shown(p.two, p.at)!.a.offer.items[0].id).to.equal(p.sword);
			const revision = seenByOne.revision;
			p.one.fireServer(request, 3, "confirm", id, revision);
			p.two.fireServer(request, 3, "confirm", id, revision);
			frames(p.setup);
			expect(answer(p.two, p.at, 3)).to.equal("accepted");
			p.setup.world.runUntil(() => shown(p.one, p.at)?.phase === "completed", 120);
			expect(shown(p.two, p.at)!.phase).to.equal("completed");
			p.setup.world.runUntil(() => storedQuiet(p.setup.world, [1, 2]) && p.at.trades.isSettled(2), 120);
			const two = p.at.inventory.getInventory(2)!;
			expect(two.slots.some((stack) => stack !== false && stack.id === p.sword)).to.equal(true);
			expect(two.currencies.coins).to.equal(75);
			expect(p.at.inventory.getInventory(1)!.currencies.coins).to.equal(25);
			expect(p.setup.world.takeErrors().size()).to.equal(0);
		});

		it("clears both confirmations when an offer changes after one confirmation", () => {
			const p = pair(802);
			const id = open(p);
			const request = p.at.remotes!.request;
			p.one.fireServer(request, 2, "offer", id, [[0, p.sword, 1]], []);
			p.two.fireServer(request, 2, "offer", id, [[0, p.potions, 4]], []);
			frames(p.setup);
			const first = shown(p.two, p.at)!.revision;
			p.two.fireServer(request, 3, "confirm", id, first);
			frames(p.setup);
			expect(shown(p.one, p.at)!.b.confirmed).to.equal(true);
			// Player 1 changes their offer to nothing but the sword's absence... an empty offer of coins.
			p.one.fireServer(request, 3, "offer", id, [], []);
			frames(p.setup);
			const changed = shown(p.two, p.at)!;
			expect(changed.revision).to.equal(first + 1);
			expect(changed.a.confirmed).to.equal(false);
			expect(changed.b.confirmed).to.equal(false);
			expect(changed.a.offer.items.size()).to.equal(0);
			// Player 1 confirming the revision player 2 had confirmed is stale; nothing commits.
			p.one.fireServer(request, 4, "confirm", id, first);
			frames(p.setup);
			expect(answer(p.one, p.at, 4)).to.equal("stale_revision");
			p.one.fireServer(request, 5, "confirm", id, first + 1);
			frames(p.setup);
			expect(shown(p.two, p.at)!.phase).to.equal("open");
			p.setup.world.advance(30);
			expect(storedItems(p.setup.world, 1)).to.equal(`${p.sword}x1|0`);
			expect(storedItems(p.setup.world, 2)).to.equal(`${p.potions}x10|100`);
		});

		it("cancels when a player leaves mid-trade, leaving both inventories unchanged", () => {
			const p = pair(803);
			const id = open(p);
			const request = p.at.remotes!.request;
			const before = `${storedItems(p.setup.world, 1)} ${storedItems(p.setup.world, 2)}`;
			p.one.fireServer(request, 2, "offer", id, [[0, p.sword, 1]], []);
			p.two.fireServer(request, 2, "offer", id, [[0, p.potions, 10]], [["coins", 100]]);
			frames(p.setup);
			p.one.fireServer(request, 3, "confirm", id, shown(p.one, p.at)!.revision);
			frames(p.setup);
			p.at.server.leave(p.at.server.findPlayer(2)!);
			frames(p.setup);
			const last = shown(p.one, p.at)!;
			expect(last.phase).to.equal("cancelled");
			expect(last.reason).to.equal("left");
			p.setup.world.advance(40);
			expect(p.at.trades.tradeOf(1)).to.equal(undefined);
			expect(`${storedItems(p.setup.world, 1)} ${storedItems(p.setup.world, 2)}`).to.equal(before);
			const one = p.at.inventory.getInventory(1)!;
			expect(one.slots[0] !== false && one.slots[0].id).to.equal(p.sword);
			// Player 1 can trade again.
			p.one.fireServer(request, 4, "invite", 2);
			frames(p.setup);
			expect(answer(p.one, p.at, 4)).to.equal("target_unavailable");
		});

		it("clears confirmations when an offered item is used up, and refuses to confirm what is gone", () => {
			const p = pair(804);
			const id = open(p);
			const request = p.at.remotes!.request;
			p.two.fireServer(request, 2, "offer", id, [[0, p.potions, 10]], []);
			frames(p.setup);
			p.two.fireServer(request, 3, "confirm", id, shown(p.two, p.at)!.revision);
			frames(p.setup);
			expect(p.at.inventory.consume(2, 0, p.potions, 1).ok).to.equal(true);
			frames(p.setup);
			const trade = shown(p.one, p.at)!;
			expect(trade.b.confirmed).to.equal(false);
			p.two.fireServer(request, 4, "confirm", id, trade.revision);
			frames(p.setup);
			expect(answer(p.two, p.at, 4)).to.equal("insufficient_count");
		});

		it("refuses spoofed, malformed, out-of-turn and excess requests with reason codes", () => {
			const p = pair(805);
			const request = p.at.remotes!.request;
			p.one.fireServer(request, 1, "invite", 1);
			p.one.fireServer(request, 2, "invite", 99);
			p.one.fireServer(request, 3, "invite", 0 / 0);
			p.one.fireServer(request, 4, "teleport", 2);
			p.one.fireServer(request, 5, "accept");
			frames(p.setup);
			expect(answer(p.one, p.at, 1)).to.equal("self_trade");
			expect(answer(p.one, p.at, 2)).to.equal("target_unavailable");
			expect(answer(p.one, p.at, 3)).to.equal("bad_request");
			expect(answer(p.one, p.at, 4)).to.equal("bad_request");
			expect(answer(p.one, p.at, 5)).to.equal("bad_request");
			const id = open(p);
			// The inviter cannot accept; a stranger's id is not found.
			p.one.fireServer(request, 6, "accept", id);
			p.two.fireServer(request, 6, "confirm", "no-such-trade", 0);
			// Player 2 claims slot 0 holds player 1's sword: it does not (spoof).
			p.two.fireServer(request, 7, "offer", id, [[0, p.sword, 1]], []);
			// A count beyond the stack, an unknown currency, a table where a number goes.
			p.two.fireServer(request, 8, "offer", id, [[0, p.potions, 11]], []);
			p.two.fireServer(request, 9, "offer", id, [], [["gold", 5]]);
			p.two.fireServer(request, 10, "offer", id, [[{}, p.potions, 1]], []);
			frames(p.setup);
			expect(answer(p.one, p.at, 6)).to.equal("wrong_phase");
			expect(answer(p.two, p.at, 6)).to.equal("not_found");
			expect(answer(p.two, p.at, 7)).to.equal("item_mismatch");
			expect(answer(p.two, p.at, 8)).to.equal("insufficient_count");
			expect(answer(p.two, p.at, 9)).to.equal("unknown_currency");
			expect(answer(p.two, p.at, 10)).to.equal("bad_request");
			// The token bucket: 20 at once, then refusals.
			for (let index = 100; index < 140; index++) p.one.fireServer(request, index, "cancel", "x");
			frames(p.setup);
			expect(answer(p.one, p.at, 139)).to.equal("rate_limited");
			expect(p.setup.world.takeErrors().size()).to.equal(0);
		});
	});
};
