import { settle, storedItems, storedProfile, swordAndPotions, type TradeWorld } from "./support/tradeWorld";

// Cross-server trades (DataStore authority) where one side is refused on its own server: the
// other side is aborted and comes back at once, whichever side was refused and whether the
// other was waiting already or arrives later, instead of at the 120-second decision timeout.

/** Two servers as in {@link swordAndPotions}, with every `settled` on either recorded into `ended`. */
function refusalWorld(seed: number, a: number, b: number) {
	const parts = swordAndPotions({ seed, servers: 2, limits: { decisionTimeout: 120 } }, a, b);
	const ended = new Array<string>();
	for (const server of [parts.one, parts.two]) {
		server.trades.settled.Connect((userId, trade, result) => ended.push(`${userId} ${trade} ${result}`));
	}
	return { ...parts, ended };
}

/** `a`'s side (the coordinator): its sword, and `coins` if given (it holds 50), for ten potions. */
function swordSide(trade: string, a: number, b: number, coins?: number) {
	const offered = { trade, player: a, partner: b, items: [{ id: `${a}-1`, count: 1 }] };
	const receive = { items: [{ def: "potion", count: 10 }] };
	return coins === undefined ? { ...offered, receive } : { ...offered, currency: { coins }, receive };
}

/** `b`'s side: `count` of its potions (it holds 10) for the sword. */
function potionSide(trade: string, a: number, b: number, count: number) {
	return { trade, player: b, partner: a, items: [{ id: `${b}-1`, count }], receive: { items: [{ def: "sword", count: 1 }] } };
}

/** Runs until `userId` is told `trade` failed; the virtual seconds that took since `since`. */
function secondsUntilFailed(setup: TradeWorld, ended: Array<string>, userId: number, trade: string, since: number) {
	const told = `${userId} ${trade} failed`;
	setup.world.runUntil(() => ended.includes(told), 300);
	return ended.includes(told) ? setup.world.now() - since : math.huge;
}

export = () => {
	describe("a cross-server trade whose side is refused on its own server (DataStore authority)", () => {
		it("a refused partner's side aborts the coordinator's escrowed side at once, not at the deadline", () => {
			const [A, B, TRADE] = [970401, 970402, "refused-escrow-1"];
			const { setup, one, two, ended } = refusalWorld(9741, A, B);
			expect(settle(setup.world, one.trades.escrowSide(swordSide(TRADE, A, B))).status).to.equal("escrowed");
			// B offers more potions than they have.
			const refused = settle(setup.world, two.trades.escrowSide(potionSide(TRADE, A, B, 11)));
			expect(refused.status).to.equal("failed");
			// Well before the 120-second decision timeout.
			expect(secondsUntilFailed(setup, ended, A, TRADE, setup.world.now()) < 60).to.equal(true);
			setup.world.runUntil(() => storedItems(setup.world, A) === `${A}-1x1|50`, 60);
			expect(storedItems(setup.world, A)).to.equal(`${A}-1x1|50`);
			const slots = one.inventory.getInventory(A)!.slots;
			expect(slots.some((stack) => stack !== false && stack.id === `${A}-1`)).to.equal(true);
			expect(storedItems(setup.world, B)).to.equal(`${B}-1x10|0`);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});

		it("a refused coordinator's side sends the partner's waiting side back at once, not at the deadline", () => {
			const [A, B, TRADE] = [970411, 970412, "refused-coordinator-1"];
			const { setup, one, two, ended } = refusalWorld(9742, A, B);
			expect(settle(setup.world, two.trades.escrowSide(potionSide(TRADE, A, B, 10))).status).to.equal("escrowed");
			setup.world.runUntil(() => storedProfile(setup.world, A)!.ledger.waiting[TRADE] !== undefined, 120);
			// A offers more coins than they have.
			const refused = settle(setup.world, one.trades.escrowSide(swordSide(TRADE, A, B, 500)));
			expect(`${refused.status} ${refused.reason}`).to.equal("failed insufficient_funds");
			expect(secondsUntilFailed(setup, ended, B, TRADE, setup.world.now()) < 60).to.equal(true);
			setup.world.runUntil(() => storedItems(setup.world, B) === `${B}-1x10|0`, 60);
			expect(storedItems(setup.world, B)).to.equal(`${B}-1x10|0`);
			expect(storedItems(setup.world, A)).to.equal(`${A}-1x1|50`);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});

		it("a coordinator's side refused before the partner's arrives sends that side back as it arrives", () => {
			const [A, B, TRADE] = [971011, 971012, "refused-before-arrival-1"];
			const { setup, one, two, ended } = refusalWorld(9743, A, B);
			const refused = settle(setup.world, one.trades.escrowSide(swordSide(TRADE, A, B, 500)));
			expect(`${refused.status} ${refused.reason}`).to.equal("failed insufficient_funds");
			expect(settle(setup.world, two.trades.escrowSide(potionSide(TRADE, A, B, 10))).status).to.equal("escrowed");
			expect(secondsUntilFailed(setup, ended, B, TRADE, setup.world.now()) < 60).to.equal(true);
			setup.world.runUntil(() => storedItems(setup.world, B) === `${B}-1x10|0`, 60);
			expect(storedItems(setup.world, B)).to.equal(`${B}-1x10|0`);
			expect(storedItems(setup.world, A)).to.equal(`${A}-1x1|50`);
			expect(storedProfile(setup.world, A)!.ledger.waiting[TRADE]).to.equal(undefined);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});
	});
};
