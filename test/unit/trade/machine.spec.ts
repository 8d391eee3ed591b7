import {
	acceptTrade,
	confirmTrade,
	createTrade,
	endTrade,
	finishTrade,
	isExpired,
	resetConfirmations,
	setOffer,
} from "../../../src/trade/machine/transitions";
import type { Offer, Trade } from "../../../src/trade/machine/types";

const SWORD: Offer = { items: [{ id: "1-1", def: "sword", count: 1 }], currency: {} };
const COINS: Offer = { items: [], currency: { coins: 50 } };

function openTrade(): Trade {
	const created = createTrade("t1", 1, 2, 0);
	assert(created.ok);
	assert(acceptTrade(created.value, 2, 1).ok);
	return created.value;
}

function reasonOf(result: { ok: boolean; error?: unknown }): unknown {
	return result.ok ? "ok" : result.error;
}

export = () => {
	describe("trade state machine", () => {
		it("goes from invite to committing when both confirm the same revision", () => {
			const trade = openTrade();
			expect(trade.phase).to.equal("open");
			assert(setOffer(trade, 1, SWORD, 2).ok);
			assert(setOffer(trade, 2, COINS, 3).ok);
			expect(trade.revision).to.equal(2);
			assert(confirmTrade(trade, 1, 2, 4).ok);
			expect(trade.phase).to.equal("open");
			assert(confirmTrade(trade, 2, 2, 5).ok);
			expect(trade.phase).to.equal("committing");
			assert(finishTrade(trade, true, 6).ok);
			expect(trade.phase).to.equal("completed");
		});

		it("clears both confirmations when an offer changes after one confirmation", () => {
			const trade = openTrade();
			assert(setOffer(trade, 1, SWORD, 2).ok);
			assert(setOffer(trade, 2, COINS, 3).ok);
			assert(confirmTrade(trade, 2, 2, 4).ok);
			expect(trade.b.confirmed).to.equal(true);
			// Player 1 swaps the sword for nothing: player 2's confirmation no longer counts.
			assert(setOffer(trade, 1, { items: [], currency: { coins: 1 } }, 5).ok);
			expect(trade.a.confirmed).to.equal(false);
			expect(trade.b.confirmed).to.equal(false);
			// A confirmation of the revision player 1 saw before the change is stale.
			expect(reasonOf(confirmTrade(trade, 1, 2, 6))).to.equal("stale_revision");
			assert(confirmTrade(trade, 1, 3, 7).ok);
			expect(trade.phase).to.equal("open");
			assert(confirmTrade(trade, 2, 3, 8).ok);
			expect(trade.phase).to.equal("committing");
		});

		it("enforces who may do what in which phase", () => {
			expect(reasonOf(createTrade("t0", 5, 5, 0))).to.equal("self_trade");
			const created = createTrade("t2", 1, 2, 0);
			assert(created.ok);
			const trade = created.value;
			expect(reasonOf(acceptTrade(trade, 1, 1))).to.equal("not_participant");
			expect(reasonOf(acceptTrade(trade, 3, 1))).to.equal("not_participant");
			expect(reasonOf(setOffer(trade, 1, SWORD, 1))).to.equal("wrong_phase");
			assert(acceptTrade(trade, 2, 1).ok);
			expect(reasonOf(acceptTrade(trade, 2, 1))).to.equal("wrong_phase");
			expect(reasonOf(confirmTrade(trade, 1, 0, 2))).to.equal("empty_offer");
			assert(setOffer(trade, 1, SWORD, 2).ok);
			assert(confirmTrade(trade, 1, 1, 3).ok);
			assert(confirmTrade(trade, 2, 1, 3).ok);
			expect(reasonOf(setOffer(trade, 2, COINS, 4))).to.equal("trade_in_progress");
			expect(reasonOf(endTrade(trade, "cancelled", 4, 1))).to.equal("trade_in_progress");
			expect(reasonOf(endTrade(trade, "left", 4))).to.equal("trade_in_progress");
		});

		it("ends live trades: declined by the invitee, cancelled, left, timed out", () => {
			const invited = createTrade("t3", 1, 2, 0);
			assert(invited.ok);
			expect(reasonOf(endTrade(invited.value, "declined", 1, 1))).to.equal("wrong_phase");
			assert(endTrade(invited.value, "declined", 1, 2).ok);
			expect(invited.value.reason).to.equal("declined");
			expect(reasonOf(acceptTrade(invited.value, 2, 2))).to.equal("wrong_phase");

			const open = openTrade();
			assert(setOffer(open, 1, SWORD, 2).ok);
			assert(confirmTrade(open, 1, 1, 2).ok);
			assert(endTrade(open, "left", 3).ok);
			expect(open.phase).to.equal("cancelled");
			expect(open.reason).to.equal("left");

			const timeouts = { invite: 30, idle: 300 };
			const stale = createTrade("t4", 1, 2, 100);
			assert(stale.ok);
			expect(isExpired(stale.value, 129, timeouts)).to.equal(false);
			expect(isExpired(stale.value, 130, timeouts)).to.equal(true);
			const idle = openTrade();
			expect(isExpired(idle, 301, timeouts)).to.equal(true);
			assert(resetConfirmations(idle, 299).ok);
			expect(isExpired(idle, 301, timeouts)).to.equal(false);
		});
	});
};
