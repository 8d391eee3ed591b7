import { createInventory } from "../../../src/inventory";
import { takeTradeCensus, type CensusProfile } from "../../../src/trade/census/takeTradeCensus";
import { createTradeLedger } from "../../../src/trade/ledger/createTradeLedger";
import { legId } from "../../../src/trade/ledger/ids";

const SWORD = { id: "1-1", def: "sword", count: 1 };

function profile(
	userId: number,
	stacks: Array<typeof SWORD> = [],
): CensusProfile & { ledger: ReturnType<typeof createTradeLedger> } {
	const inventory = createInventory(userId, 4);
	stacks.forEach((stack, index) => (inventory.slots[index] = stack));
	return { userId, inventory, ledger: createTradeLedger() };
}

export = () => {
	describe("trade census", () => {
		it("counts a parcel in the sender's outbox and in the recipient's key as one escrow", () => {
			const sender = profile(1);
			const recipient = profile(2);
			const parcel = { stacks: [SWORD], currency: { coins: 5 }, from: 1, to: 2, at: 0 };
			sender.ledger.outbox.G = parcel;
			const census = takeTradeCensus([
				sender,
				{ ...recipient, pending: [{ id: "G", kind: "hopsafe.parcel", body: parcel }] },
			]);
			expect(census.dupes.size()).to.equal(0);
			expect(census.locations.get("1-1")).to.equal("escrow:G");
			expect(census.itemCount).to.equal(1);
			expect(census.currencies.get("coins")).to.equal(5);
			expect(census.escrows).to.equal(1);
		});

		it("treats a record the recipient already stamped as settled", () => {
			const sender = profile(1);
			const recipient = profile(2, [SWORD]);
			sender.ledger.outbox.G = { stacks: [SWORD], currency: {}, from: 1, to: 2, at: 0 };
			recipient.ledger.stamps.G = 1;
			const census = takeTradeCensus([sender, recipient]);
			expect(census.dupes.size()).to.equal(0);
			expect(census.locations.get("1-1")).to.equal("inventory:2");
			expect(census.itemCount).to.equal(1);
		});

		it("settles a partner's leg once the coordinator received it", () => {
			const coordinator = profile(1, [SWORD]);
			const partner = profile(2);
			partner.ledger.legs.T = {
				trade: "T",
				coordinator: 1,
				partner: 2,
				from: 2,
				give: { stacks: [SWORD], currency: {} },
				expect: "",
				deadline: 0,
				at: 0,
			};
			expect(takeTradeCensus([coordinator, partner]).dupes[0]).to.equal("1-1");
			coordinator.ledger.stamps[legId("T", 2)] = 1;
			expect(takeTradeCensus([coordinator, partner]).dupes.size()).to.equal(0);
		});

		it("finds an id in two inventories", () => {
			const census = takeTradeCensus([profile(1, [SWORD]), profile(2, [SWORD])]);
			expect(census.dupes[0]).to.equal("1-1");
		});
	});
};
