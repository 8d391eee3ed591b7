import { settle, storedItems, storedProfile, swordAndPotions } from "./support/tradeWorld";

// A cross-server trade (DataStore authority) whose coordinator's side is refused before the
// partner's side reaches the coordinator: the refusal is recorded, so that side goes back as
// soon as it arrives instead of waiting there for the deadline.

const A = 971011;
const B = 971012;
const TRADE = "refused-before-arrival-1";

export = () => {
	describe("a cross-server trade whose coordinator's side is refused before the partner's arrives", () => {
		it("sends the partner's side back as it arrives, not at the deadline", () => {
			const { setup, one, two } = swordAndPotions({ seed: 9743, servers: 2, limits: { decisionTimeout: 120 } }, A, B);
			const ended = new Array<string>();
			two.trades.settled.Connect((userId, trade, result) => ended.push(`${userId} ${trade} ${result}`));
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
			const escrowedAt = setup.world.now();
			setup.world.runUntil(() => ended.includes(`${B} ${TRADE} failed`), 300);
			expect(ended.includes(`${B} ${TRADE} failed`)).to.equal(true);
			// Well before the 120-second decision timeout.
			expect(setup.world.now() - escrowedAt < 60).to.equal(true);
			setup.world.runUntil(() => storedItems(setup.world, B) === `${B}-1x10|0`, 60);
			expect(storedItems(setup.world, B)).to.equal(`${B}-1x10|0`);
			expect(storedItems(setup.world, A)).to.equal(`${A}-1x1|50`);
			expect(storedProfile(setup.world, A)!.ledger.waiting[TRADE]).to.equal(undefined);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});
	});
};
