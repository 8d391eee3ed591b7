import { backId, deliverId, legId } from "../../../src/trade/ledger/ids";
import { createTradeLedger } from "../../../src/trade/ledger/createTradeLedger";
import { checkTradeLedger } from "../../../src/trade/ledger/checkTradeLedger";
import { summarizeBundle } from "../../../src/trade/ledger/summary";
import type { Leg } from "../../../src/trade/ledger/types";
import {
	cancelLeg,
	decideIfReady,
	expireLegs,
	openLeg,
	receiveLeg,
	revertCommit,
	settleForAbsent,
} from "../../../src/trade/protocol/legs";
import { cancelParcel, receiveParcel, retireParcels, sendParcel } from "../../../src/trade/protocol/parcels";
import { pruneLedger } from "../../../src/trade/protocol/prune";

const COORDINATOR = 1;
const PARTNER = 2;
const SWORD = { stacks: [{ id: "1-1", def: "sword", count: 1 }], currency: {} };
const COINS = { stacks: [], currency: { coins: 40 } };

function legOf(from: number, give: typeof SWORD | typeof COINS, expect: string, deadline = 100): Leg {
	return {
		trade: "T",
		coordinator: COORDINATOR,
		partner: PARTNER,
		from,
		give,
		expect,
		deadline,
		at: 0,
	};
}

const coordinatorLeg = () => legOf(COORDINATOR, SWORD, summarizeBundle(COINS));
const partnerLeg = () => legOf(PARTNER, COINS, summarizeBundle(SWORD));

export = () => {
	describe("trade ledger protocol", () => {
		it("commits once the coordinator holds both legs, whichever arrives first", () => {
			for (const ownFirst of [true, false]) {
				const ledger = createTradeLedger();
				if (ownFirst) {
					openLeg(ledger, coordinatorLeg(), 1);
					expect(receiveLeg(ledger, COORDINATOR, partnerLeg(), 2).verdict).to.equal("committed");
				} else {
					expect(receiveLeg(ledger, COORDINATOR, partnerLeg(), 1).verdict).to.equal("waiting");
					openLeg(ledger, coordinatorLeg(), 2);
					expect(decideIfReady(ledger, COORDINATOR, "T", 2)?.verdict).to.equal("committed");
				}
				expect(ledger.decisions.T.outcome).to.equal("committed");
				// The coordinator's side is on its way to the partner; the partner's is in the inbox.
				expect(ledger.outbox[deliverId("T", PARTNER)].stacks[0].id).to.equal("1-1");
				expect(ledger.inbox[legId("T", PARTNER)].currency.coins).to.equal(40);
				expect(ledger.legs.T).to.equal(undefined);
				expect(ledger.waiting.T).to.equal(undefined);
				expect(checkTradeLedger(ledger).size()).to.equal(0);
				// The same leg again changes nothing.
				expect(receiveLeg(ledger, COORDINATOR, partnerLeg(), 3).verdict).to.equal("duplicate");
			}
		});

		it("aborts when the two sides disagree, sending each side back", () => {
			const ledger = createTradeLedger();
			openLeg(ledger, legOf(COORDINATOR, SWORD, "$coins*99"), 1);
			expect(receiveLeg(ledger, COORDINATOR, partnerLeg(), 2).verdict).to.equal("aborted");
			expect(ledger.decisions.T.outcome).to.equal("aborted");
			expect(ledger.inbox[backId("T", COORDINATOR)].stacks[0].id).to.equal("1-1");
			expect(ledger.outbox[backId("T", PARTNER)].currency.coins).to.equal(40);
		});

		it("aborts at the deadline, and refunds a leg that arrives after the decision", () => {
			const ledger = createTradeLedger();
			openLeg(ledger, coordinatorLeg(), 1);
			expect(expireLegs(ledger, COORDINATOR, 99).trades.size()).to.equal(0);
			expect(expireLegs(ledger, COORDINATOR, 100).trades[0]).to.equal("T");
			expect(ledger.inbox[backId("T", COORDINATOR)]).never.to.equal(undefined);
			expect(ledger.decisions.T.tookLeg).to.equal(false);
			expect(receiveLeg(ledger, COORDINATOR, partnerLeg(), 101).verdict).to.equal("refunded");
			expect(ledger.outbox[backId("T", PARTNER)].currency.coins).to.equal(40);
			expect(receiveLeg(ledger, COORDINATOR, partnerLeg(), 102).verdict).to.equal("duplicate");
			// A leg that arrives past its deadline with no side of the coordinator is refunded at once.
			const late = createTradeLedger();
			expect(receiveLeg(late, COORDINATOR, partnerLeg(), 500).verdict).to.equal("aborted");
			expect(late.outbox[backId("T", PARTNER)]).never.to.equal(undefined);
		});

		it("holds back a leg the coordinator may have taken and forgotten, and refunds a newer one", () => {
			const ledger = createTradeLedger();
			openLeg(ledger, coordinatorLeg(), 1);
			expect(receiveLeg(ledger, COORDINATOR, partnerLeg(), 2).verdict).to.equal("committed");
			delete ledger.outbox[deliverId("T", PARTNER)];
			delete ledger.inbox[legId("T", PARTNER)];
			// Long after: the commit is forgotten, then the same leg comes back.
			expect(pruneLedger(ledger, 10000, 1000) > 0).to.equal(true);
			expect(ledger.decisions.T).to.equal(undefined);
			expect(receiveLeg(ledger, COORDINATOR, partnerLeg(), 10001).verdict).to.equal("held");
			expect(next(ledger.outbox)[0]).to.equal(undefined);
			expect(ledger.stamps[legId("T", PARTNER)]).to.equal(undefined);
			// A leg from after what was forgotten is refunded past its deadline as before.
			const fresh = { ...partnerLeg(), trade: "U", at: 9000, deadline: 9100 };
			expect(receiveLeg(ledger, COORDINATOR, fresh, 10002).verdict).to.equal("aborted");
			expect(ledger.outbox[backId("U", PARTNER)].currency.coins).to.equal(40);
			expect(checkTradeLedger(ledger).size()).to.equal(0);
		});

		it("settles a partner's leg in an absent coordinator's ledger as the coordinator would", () => {
			// The coordinator holds the partner's leg and never escrowed: it is refunded once.
			const held = createTradeLedger();
			receiveLeg(held, COORDINATOR, partnerLeg(), 1);
			const first = settleForAbsent(held, partnerLeg(), 200);
			expect(first.changed).to.equal(true);
			expect(first.parcels.size()).to.equal(1);
			expect(first.parcels[0][0]).to.equal(backId("T", PARTNER));
			expect(held.decisions.T.outcome).to.equal("aborted");
			const again = settleForAbsent(held, partnerLeg(), 201);
			expect(again.changed).to.equal(false);
			expect(again.parcels[0][0]).to.equal(backId("T", PARTNER));
			expect(retireParcels(held, [backId("T", PARTNER)])).to.equal(true);
			expect(settleForAbsent(held, partnerLeg(), 202).parcels.size()).to.equal(0);
			// The coordinator escrowed and never got the leg: the trade commits, as it would have.
			const own = createTradeLedger();
			openLeg(own, coordinatorLeg(), 1);
			const committed = settleForAbsent(own, partnerLeg(), 200);
			expect(own.decisions.T.outcome).to.equal("committed");
			expect(committed.parcels[0][0]).to.equal(deliverId("T", PARTNER));
			expect(checkTradeLedger(own).size()).to.equal(0);
		});

		it("reverts a commit that was never saved into an abort", () => {
			const ledger = createTradeLedger();
			openLeg(ledger, coordinatorLeg(), 1);
			receiveLeg(ledger, COORDINATOR, partnerLeg(), 2);
			expect(revertCommit(ledger, COORDINATOR, "T", PARTNER, 3)).to.equal(true);
			expect(ledger.decisions.T.outcome).to.equal("aborted");
			expect(ledger.outbox[deliverId("T", PARTNER)]).to.equal(undefined);
			expect(ledger.inbox[legId("T", PARTNER)]).to.equal(undefined);
			expect(ledger.inbox[backId("T", COORDINATOR)].stacks[0].id).to.equal("1-1");
			expect(ledger.outbox[backId("T", PARTNER)].currency.coins).to.equal(40);
			// Once the received side was used, there is nothing to revert.
			expect(revertCommit(ledger, COORDINATOR, "T", PARTNER, 4)).to.equal(false);
		});

		it("settles the partner's leg with the delivery or the refund, once", () => {
			const ledger = createTradeLedger();
			openLeg(ledger, partnerLeg(), 1);
			const parcel = { ...SWORD, from: COORDINATOR, to: PARTNER, trade: "T", at: 2 };
			const receipt = receiveParcel(ledger, PARTNER, deliverId("T", PARTNER), parcel, 2);
			expect(receipt.settled?.outcome).to.equal("completed");
			expect(ledger.legs.T).to.equal(undefined);
			expect(receiveParcel(ledger, PARTNER, deliverId("T", PARTNER), parcel, 3).applied).to.equal(false);
		});

		it("stamps a cancelled leg with the refund's id, so a late refund is not applied twice", () => {
			const ledger = createTradeLedger();
			openLeg(ledger, partnerLeg(), 1);
			cancelLeg(ledger, PARTNER, "T", 2);
			expect(ledger.inbox[backId("T", PARTNER)].currency.coins).to.equal(40);
			const refund = { ...COINS, from: COORDINATOR, to: PARTNER, trade: "T", at: 3 };
			expect(receiveParcel(ledger, PARTNER, backId("T", PARTNER), refund, 3).applied).to.equal(false);
		});

		it("sends, cancels and prunes gifts", () => {
			const ledger = createTradeLedger();
			sendParcel(ledger, "G", { ...SWORD, from: 1, to: 9, at: 0 }, 0);
			expect(ledger.stamps.G).to.equal(0);
			cancelParcel(ledger, 1, "G", 1);
			expect(ledger.outbox.G).to.equal(undefined);
			expect(ledger.inbox[backId("G", 1)].stacks[0].id).to.equal("1-1");
			ledger.stamps.old = 0;
			// The gift's own stamp goes too: nothing refers to it any more.
			expect(pruneLedger(ledger, 1000, 500)).to.equal(2);
			// Stamps of records still in the ledger are kept.
			expect(ledger.stamps[backId("G", 1)]).never.to.equal(undefined);
			expect(ledger.stamps.old).to.equal(undefined);
		});

		it("reports a malformed ledger", () => {
			expect(checkTradeLedger(createTradeLedger()).size()).to.equal(0);
			expect(checkTradeLedger({ stamps: {} }).size() > 0).to.equal(true);
			const broken = createTradeLedger() as unknown as { inbox: Record<string, unknown> };
			broken.inbox.x = { stacks: "no" };
			expect(checkTradeLedger(broken)[0]).to.equal("inbox.x: not a parcel");
			// `sent` is optional (ledgers written before it existed lack it), and checked when there.
			const sent = createTradeLedger() as unknown as { sent: Record<string, unknown> };
			sent.sent = { T: { partner: PARTNER, deadline: 100 } };
			expect(checkTradeLedger(sent).size()).to.equal(0);
			sent.sent.U = { partner: "two", deadline: 100 };
			expect(checkTradeLedger(sent).join(";")).to.equal("sent.U: not a sent side");
			// What a side gives (held on the player's next server) is optional, and checked.
			sent.sent.U = { partner: PARTNER, deadline: 100, gives: { ids: ["1-2"], currency: { coins: 5 } } };
			expect(checkTradeLedger(sent).size()).to.equal(0);
			sent.sent.U = { partner: PARTNER, deadline: 100, gives: { ids: [7], currency: {} } };
			expect(checkTradeLedger(sent).join(";")).to.equal("sent.U: not a sent side");
			sent.sent = 5 as never;
			expect(checkTradeLedger(sent).join(";")).to.equal("sent: not a table");
		});

		it("checks the optional unanswered transfers: kind, legs, bundles and players", () => {
			const ledger = createTradeLedger() as unknown as { unanswered: Record<string, unknown> };
			const leg = {
				from: 1,
				to: PARTNER,
				items: [{ id: "1-1", count: 2, newId: "1-9" }],
				currencies: { coins: 5 },
			};
			const bundle = { stacks: [{ id: "1-9", def: "potion", count: 2 }], currency: { coins: 5 } };
			const good = { kind: "trade", sides: [{ leg, bundle }], users: [1, PARTNER], at: 100 };
			ledger.unanswered = { T: good };
			expect(checkTradeLedger(ledger).size()).to.equal(0);
			const broken: Array<[string, unknown]> = [
				["kind", { ...good, kind: "swap" }],
				["time", { ...good, at: "soon" }],
				["users", { ...good, users: [1, "two"] }],
				["leg", { ...good, sides: [{ leg: { ...leg, to: "two" }, bundle }] }],
				["item", { ...good, sides: [{ leg: { ...leg, items: [{ id: "" }] }, bundle }] }],
				["currency", { ...good, sides: [{ leg: { ...leg, currencies: { coins: "5" } }, bundle }] }],
				["bundle", { ...good, sides: [{ leg, bundle: { stacks: [{ id: 1 }], currency: {} } }] }],
				["side", { ...good, sides: [5] }],
			];
			for (const [name, record] of broken) {
				ledger.unanswered = { [name]: record };
				expect(checkTradeLedger(ledger).join(";")).to.equal(`unanswered.${name}: not an unanswered transfer`);
			}
		});
	});
};
