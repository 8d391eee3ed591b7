import {
	applyChangeOp,
	applyOps,
	checkOp,
	emptyState,
	isCoalescable,
	isKey,
	isName,
	keyOf,
	isReason,
	sameContents,
	stateFromWire,
} from "../../../src/sync/state";
import type { SyncOp, SyncState } from "../../../src/sync/types";

function withCoins(amount: number): SyncState {
	const state = emptyState();
	state.currencies.coins = amount;
	return state;
}

const sword = { id: "1-7", def: "sword", count: 1, attrs: {} };

export = () => {
	describe("sync state", () => {
		it("applies currency deltas as the API does: never below zero", () => {
			const state = withCoins(100);
			expect(applyOps(state, [{ op: "currency.add", currency: "coins", amount: -100 }])).to.equal(undefined);
			expect(state.currencies.coins).to.equal(0);
			expect(applyOps(state, [{ op: "currency.add", currency: "coins", amount: -1 }])).to.equal(
				"insufficient_funds",
			);
			expect(applyOps(state, [{ op: "currency.add", currency: "gems", amount: -1 }])).to.equal(
				"insufficient_funds",
			);
			expect(applyOps(state, [{ op: "currency.add", currency: "gems", amount: 2 ** 53 - 1 }])).to.equal(
				undefined,
			);
			expect(applyOps(state, [{ op: "currency.add", currency: "gems", amount: 1 }])).to.equal("limit_exceeded");
		});

		it("applies all of a transaction's operations or none of them", () => {
			const state = withCoins(10);
			const ops: Array<SyncOp> = [
				{ op: "currency.add", currency: "coins", amount: 5 },
				{ op: "item.grant", item: sword },
				{ op: "progress.advance", name: "quest", to: 3 },
				{ op: "doc.set", name: "settings", value: { music: true } },
				{ op: "item.remove", id: "missing" },
			];
			expect(applyOps(state, ops)).to.equal("item_not_owned");
			expect(sameContents(state, withCoins(10))).to.equal(true);
			ops.pop();
			expect(applyOps(state, ops)).to.equal(undefined);
			expect(state.currencies.coins).to.equal(15);
			expect(state.items["1-7"].def).to.equal("sword");
			expect(state.progress.quest).to.equal(3);
			expect(state.docs.settings.music).to.equal(true);
		});

		it("refuses a granted id that exists, and removes or updates only what is owned", () => {
			const state = emptyState();
			expect(applyOps(state, [{ op: "item.grant", item: { ...sword, count: 3 } }])).to.equal(undefined);
			expect(applyOps(state, [{ op: "item.grant", item: sword }])).to.equal("item_exists");
			expect(applyOps(state, [{ op: "item.remove", id: "1-7", count: 4 }])).to.equal("item_not_owned");
			expect(applyOps(state, [{ op: "item.remove", id: "1-7", count: 2 }])).to.equal(undefined);
			expect(state.items["1-7"].count).to.equal(1);
			expect(applyOps(state, [{ op: "item.update", id: "1-7", attrs: { lvl: 2 } }])).to.equal(undefined);
			expect(state.items["1-7"].attrs.lvl).to.equal(2);
			expect(applyOps(state, [{ op: "item.remove", id: "1-7" }])).to.equal(undefined);
			expect(state.items["1-7"]).to.equal(undefined);
			expect(applyOps(state, [{ op: "item.update", id: "1-7", attrs: {} }])).to.equal("item_not_owned");
		});

		it("only ever moves progress forward", () => {
			const state = emptyState();
			applyOps(state, [{ op: "progress.advance", name: "q", to: 5 }]);
			applyOps(state, [{ op: "progress.advance", name: "q", to: 2 }]);
			expect(state.progress.q).to.equal(5);
		});

		it("validates operations with the API's rules", () => {
			expect(checkOp({ op: "currency.add", currency: "coins", amount: 5 })).to.equal(undefined);
			expect(checkOp({ op: "currency.add", currency: "coins", amount: 0.5 })).to.equal("invalid_request");
			expect(checkOp({ op: "currency.add", currency: "bad name", amount: 5 })).to.equal("invalid_request");
			expect(checkOp({ op: "item.grant", item: { id: "a", def: "b", count: 0, attrs: {} } })).to.equal(
				"invalid_request",
			);
			expect(checkOp({ op: "doc.set", name: "s", value: [1, 2] })).to.equal("invalid_request");
			expect(checkOp({ op: "progress.advance", name: "q", to: -1 })).to.equal("invalid_request");
			expect(checkOp({ op: "teleport" })).to.equal("invalid_request");
			expect(isName("1-7")).to.equal(true);
			expect(isName("-lead")).to.equal(false);
			expect(isName(string.rep("a", 65))).to.equal(false);
			expect(isReason("shop:buy (x2)")).to.equal(true);
			expect(isReason('quote"')).to.equal(false);
			expect(isKey("B1C0E6F2-0000-4000-8000-000000000000")).to.equal(true);
			expect(isKey("")).to.equal(false);
		});

		it("escapes any text into a key, different texts into different keys", () => {
			expect(keyOf("purchase:B1C0-7.x")).to.equal("purchase:B1C0-7.x");
			const texts = ["a b", "a_20b", "a_b", "{7F}/é", "", "_", "__"];
			const seen = new Map<string, string>();
			for (const text of texts) {
				const key = keyOf(text);
				if (text !== "") expect(isKey(key)).to.equal(true);
				expect(seen.get(key)).to.equal(undefined);
				seen.set(key, text);
			}
			expect(keyOf("a b")).to.equal("a_20b");
			expect(keyOf("a_b")).to.equal("a_5fb");
		});

		it("coalesces only operations the API cannot refuse in practice", () => {
			expect(isCoalescable({ op: "currency.add", currency: "coins", amount: 3 }, false)).to.equal(true);
			expect(isCoalescable({ op: "currency.add", currency: "coins", amount: -3 }, true)).to.equal(false);
			expect(isCoalescable({ op: "item.remove", id: "1-7" }, true)).to.equal(false);
			expect(isCoalescable({ op: "doc.set", name: "s", value: {} }, true)).to.equal(false);
			expect(isCoalescable({ op: "progress.advance", name: "q", to: 1 }, false)).to.equal(true);
			// A grant can be refused (item_exists) unless its id was never used.
			const grant = { op: "item.grant" as const, item: { ...sword, id: "1-8" } };
			expect(isCoalescable(grant, true)).to.equal(true);
			expect(isCoalescable(grant, false)).to.equal(false);
		});

		it("applies change-feed entries of transactions and transfers from their after values", () => {
			const state = withCoins(70);
			state.items["1-7"] = { ...sword, count: 5 };
			expect(applyChangeOp(state, { op: "currency.add", currency: "coins", after: 40 })).to.equal(true);
			expect(applyChangeOp(state, { op: "transfer.out", currency: "gems", after: 0 })).to.equal(true);
			expect(applyChangeOp(state, { op: "transfer.out", id: "1-7", after: { ...sword, count: 2 } })).to.equal(
				true,
			);
			expect(
				applyChangeOp(state, {
					op: "transfer.in",
					id: "9-1",
					after: { id: "9-1", def: "hat", count: 1, attrs: {} },
				}),
			).to.equal(true);
			expect(applyChangeOp(state, { op: "item.remove", id: "9-1", after: undefined })).to.equal(true);
			expect(applyChangeOp(state, { op: "doc.set", name: "s", after: { a: 1 } })).to.equal(true);
			expect(applyChangeOp(state, { op: "progress.advance", name: "q", after: 4 })).to.equal(true);
			expect(applyChangeOp(state, { op: "mystery", after: 1 })).to.equal(false);
			expect(state.currencies.coins).to.equal(40);
			expect(state.currencies.gems).to.equal(0);
			expect(state.items["1-7"].count).to.equal(2);
			expect(state.items["9-1"]).to.equal(undefined);
			expect(state.docs.s.a).to.equal(1);
			expect(state.progress.q).to.equal(4);
		});

		it("reads the API's player body, and refuses a malformed one", () => {
			const state = stateFromWire({
				userId: 1,
				version: 5,
				currencies: { coins: 400 },
				items: [{ id: "1-7", def: "sword", count: 1, attrs: {} }],
				docs: { settings: {} },
				progress: { quest_main: 3 },
			})!;
			expect(state.version).to.equal(5);
			expect(state.currencies.coins).to.equal(400);
			expect(state.items["1-7"].def).to.equal("sword");
			expect(state.progress.quest_main).to.equal(3);
			expect(stateFromWire({ version: "5", currencies: {}, items: [] })).to.equal(undefined);
			expect(stateFromWire({ version: 1, currencies: { coins: 0.5 }, items: [] })).to.equal(undefined);
			expect(stateFromWire("nope")).to.equal(undefined);
		});
	});
};
