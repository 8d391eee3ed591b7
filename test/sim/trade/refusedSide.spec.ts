import { settle, storedItems, swordAndPotions } from "./support/tradeWorld";

// A cross-server trade (DataStore authority) whose partner's side is refused on the partner's
// server: the coordinator is told at once and gives its escrowed side back, instead of holding
// it until the deadline.

const A = 970401;
const B = 970402;
const TRADE = "refused-escrow-1";

export = () => {
	describe("a cross-server trade whose partner's side is refused (DataStore authority)", () => {
		it("aborts the coordinator's escrowed side at once, not at the deadline", () => {
			const { setup, one, two } = swordAndPotions({ seed: 9741, servers: 2, limits: { decisionTimeout: 120 } }, A, B);
			const ended = new Array<string>();
			one.trades.settled.Connect((userId, trade, result) => ended.push(`${userId} ${trade} ${result}`));
			const own = settle(
				setup.world,
				one.trades.escrowSide({
					trade: TRADE,
					player: A,
					partner: B,
					items: [{ id: `${A}-1`, count: 1 }],
					receive: { items: [{ def: "potion", count: 10 }] },
				}),
			);
			expect(own.status).to.equal("escrowed");
			// B offers more potions than they have.
			const refused = settle(
				setup.world,
				two.trades.escrowSide({
					trade: TRADE,
					player: B,
					partner: A,
					items: [{ id: `${B}-1`, count: 11 }],
					receive: { items: [{ def: "sword", count: 1 }] },
				}),
			);
			expect(refused.status).to.equal("failed");
			const refusedAt = setup.world.now();
			setup.world.runUntil(() => ended.includes(`${A} ${TRADE} failed`), 300);
			expect(ended.includes(`${A} ${TRADE} failed`)).to.equal(true);
			// Well before the 120-second decision timeout.
			expect(setup.world.now() - refusedAt < 60).to.equal(true);
			setup.world.runUntil(() => storedItems(setup.world, A) === `${A}-1x1|50`, 60);
			expect(storedItems(setup.world, A)).to.equal(`${A}-1x1|50`);
			expect(one.inventory.getInventory(A)!.slots.some((stack) => stack !== false && stack.id === `${A}-1`)).to.equal(
				true,
			);
			expect(storedItems(setup.world, B)).to.equal(`${B}-1x10|0`);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});
	});
};
