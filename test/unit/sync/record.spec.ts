import { createSyncRecord, isSyncRecord } from "../../../src/sync/record";
import type { Session } from "../../../src/vault/types";
import { PlayerSync } from "../../../src/sync/player";

export = () => {
	describe("sync record", () => {
		it("starts empty and well-formed", () => {
			const record = createSyncRecord();
			expect(isSyncRecord(record)).to.equal(true);
			expect(record.mirror.version).to.equal(0);
			expect(record.outbox.size()).to.equal(0);
		});

		it("refuses a damaged record instead of replaying it", () => {
			const record = createSyncRecord();
			record.outbox.push({ key: "k", ops: [], attempts: 0, createdAt: 1, parts: 1 });
			expect(isSyncRecord(record)).to.equal(false);
			const bad = createSyncRecord();
			bad.outbox.push({
				key: "has space",
				ops: [{ op: "currency.add", currency: "coins", amount: 1 }],
				attempts: 0,
				createdAt: 1,
				parts: 1,
			});
			expect(isSyncRecord(bad)).to.equal(false);
			const negative = createSyncRecord();
			negative.mirror.currencies.coins = -5;
			expect(isSyncRecord(negative)).to.equal(false);
			expect(isSyncRecord({ mirror: createSyncRecord().mirror })).to.equal(false);
		});

		it("builds the optimistic view: mirror, acknowledged-ahead, dead letters, outbox", () => {
			const record = createSyncRecord();
			record.mirror.version = 4;
			record.mirror.currencies.coins = 10;
			record.deadLetters.push({
				key: "dead",
				ops: [{ op: "currency.add", currency: "coins", amount: 5 }],
				attempts: 4,
				createdAt: 1,
				parts: 1,
			});
			record.outbox.push({
				key: "spend",
				ops: [{ op: "currency.add", currency: "coins", amount: -20 }],
				attempts: 0,
				createdAt: 2,
				parts: 1,
			});
			record.outbox.push({
				key: "too-much",
				ops: [{ op: "currency.add", currency: "coins", amount: -100 }],
				attempts: 0,
				createdAt: 3,
				parts: 1,
			});
			const state = new PlayerSync(1, undefined as unknown as Session<object>, record);
			state.ahead.push({ version: 6, ops: [{ op: "currency.add", currency: "coins", amount: 7 }] });
			const view = state.rebuildView();
			// 10 + 7 + 5 - 20; the -100 is refused (it will be rolled back).
			expect(view.currencies.coins).to.equal(2);
			expect(view.version).to.equal(6);
			expect(state.doomed).to.equal(true);
			expect(record.mirror.currencies.coins).to.equal(10);
		});
	});
};
