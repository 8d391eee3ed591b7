import { settle, storedItems, storedProfile, swordAndPotions } from "./support/tradeWorld";

// A cross-server trade (DataStore authority) whose coordinator's side is refused on the
// coordinator's server: the partner's escrowed side goes back at once, instead of when the
// deadline passes.

const A = 970411;
const B = 970412;
const TRADE = "refused-coordinator-1";

export = () => {
	describe("a cross-server trade whose coordinator's side is refused (DataStore authority)", () => {
		it("sends the partner's waiting side back at once, not at the deadline", () => {
			const { setup, one, two } = swordAndPotions({ seed: 9742, servers: 2, limits: { decisionTimeout: 120 } }, A, B);
			const ended = new Array<string>();
			two.trades.settled.Connect((userId, trade, result) => ended.push(`${userId} ${trade} ${result}`));
			const theirs = settle(
				setup.world,
				two.trades.escrowSide({
					trade: TRADE,
					player: B,
					partner: A,
					items: [{ id: `${B}-1`, count: 10 }],
					receive: { items: [{ def: "sword", count: 1 }] },
				}),
			);
			expect(theirs.status).to.equal("escrowed");
			setup.world.runUntil(() => storedProfile(setup.world, A)!.ledger.waiting[TRADE] !== undefined, 120);
			// A offers more coins than they have.
			const refused = settle(
				setup.world,
				one.trades.escrowSide({
					trade: TRADE,
					player: A,
					partner: B,
					items: [{ id: `${A}-1`, count: 1 }],
					currency: { coins: 500 },
					receive: { items: [{ def: "potion", count: 10 }] },
				}),
			);
			expect(`${refused.status} ${refused.reason}`).to.equal("failed insufficient_funds");
			const refusedAt = setup.world.now();
			setup.world.runUntil(() => ended.includes(`${B} ${TRADE} failed`), 300);
			expect(ended.includes(`${B} ${TRADE} failed`)).to.equal(true);
			// Well before the 120-second decision timeout.
			expect(setup.world.now() - refusedAt < 60).to.equal(true);
			setup.world.runUntil(() => storedItems(setup.world, B) === `${B}-1x10|0`, 60);
			expect(storedItems(setup.world, B)).to.equal(`${B}-1x10|0`);
			expect(storedItems(setup.world, A)).to.equal(`${A}-1x1|50`);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});
	});
};
