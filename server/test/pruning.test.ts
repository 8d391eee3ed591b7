import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { ConfigError } from "../src/config.js";
import { pruneOnce } from "../src/jobs/pruner.js";
import { createMetrics } from "../src/metrics.js";
import { ADMIN_KEY, type TestApp, startTestApp, testConfig } from "./support/app.js";
import { coins, getPlayer, request, transact } from "./support/http.js";

let t: TestApp;
before(async () => {
	t = await startTestApp();
});
after(() => t.close());

const age = (keys: string[], hours: number) =>
	t.db.query(
		"UPDATE idempotency_keys SET created_at = now() - make_interval(hours => $2) WHERE key = ANY ($1::text[])",
		[keys, hours],
	);

test("pruning removes keys past retention and only those", async () => {
	for (const key of ["old-1", "old-2", "mid-1", "new-1"]) await transact(t.base, 400, { ops: [coins(1)] }, { key });
	await transact(t.base, 400, { ops: [coins(-1000)] }, { key: "old-409" });
	await age(["old-1", "old-2", "old-409"], 169);
	await age(["mid-1"], 100);
	const report = await pruneOnce(t.db, 168, createMetrics());
	assert.equal(report.keys, 3);
	const left = await t.db.query<{ key: string }>(
		"SELECT key FROM idempotency_keys WHERE key = ANY ($1::text[]) ORDER BY key",
		[["old-1", "old-2", "old-409", "mid-1", "new-1"]],
	);
	assert.deepEqual(
		left.map((row) => row.key),
		["mid-1", "new-1"],
	);
	assert.equal((await pruneOnce(t.db, 168, createMetrics())).keys, 0);
});

test("after its key is pruned, a write still applies at most once (the journal keeps (player, key) forever)", async () => {
	const first = await transact(t.base, 401, { ops: [coins(10)] }, { key: "forever" });
	await transact(t.base, 401, { ops: [coins(5)] });
	await age(["forever"], 200);
	await pruneOnce(t.db, 168, createMetrics());
	const again = await transact(t.base, 401, { ops: [coins(10)] }, { key: "forever" });
	assert.equal(again.status, 201);
	assert.equal(again.headers.get("idempotent-replayed"), "true");
	assert.deepEqual(again.body, first.body);
	assert.equal(again.headers.get("etag"), '"1"');
	const different = await transact(t.base, 401, { ops: [coins(11)] }, { key: "forever" });
	assert.equal(different.status, 422);
	const state = (await getPlayer(t.base, 401)).body;
	assert.equal(state.currencies.coins, 15);
	assert.equal(state.version, 2);
});

test("a transfer whose key was pruned is answered from the journal too", async () => {
	await transact(t.base, 402, { ops: [coins(10)] });
	const body = { legs: [{ from: 402, to: 403, currencies: { coins: 4 } }] };
	const send = () => request(t.base, "/v1/transfers", { body, headers: { "idempotency-key": "t-forever" } });
	const first = await send();
	await age(["t-forever"], 200);
	await pruneOnce(t.db, 168, createMetrics());
	const again = await send();
	assert.equal(again.status, 201);
	assert.deepEqual(again.body, first.body);
	assert.equal((await getPlayer(t.base, 403)).body.currencies.coins, 4);
});

test("a transaction keyed `transfer:K` and a transfer keyed `K` on one player are two writes, before and after pruning", async () => {
	await transact(t.base, 408, { ops: [coins(10)] });
	const body = { legs: [{ from: 408, to: 409, currencies: { coins: 3 } }] };
	const sendTransfer = () => request(t.base, "/v1/transfers", { body, headers: { "idempotency-key": "k-shared" } });
	const sendTransaction = () => transact(t.base, 408, { ops: [coins(1)] }, { key: "transfer:k-shared" });
	const transaction = await sendTransaction();
	assert.equal(transaction.status, 201);
	const sent = await sendTransfer();
	assert.equal(sent.status, 201, sent.text);
	for (const pruned of [false, true]) {
		if (pruned) {
			await age(["k-shared", "transfer:k-shared"], 200);
			assert.equal((await pruneOnce(t.db, 168, createMetrics())).keys, 2);
		}
		const again = await sendTransaction();
		assert.equal(again.status, 201, again.text);
		assert.equal(again.headers.get("idempotent-replayed"), "true");
		assert.deepEqual(again.body, transaction.body);
		const resent = await sendTransfer();
		assert.equal(resent.status, 201, resent.text);
		assert.equal(resent.headers.get("idempotent-replayed"), "true");
		assert.deepEqual(resent.body, sent.body);
	}
	assert.equal((await getPlayer(t.base, 408)).body.currencies.coins, 8, "each applied once");
	assert.equal((await getPlayer(t.base, 409)).body.currencies.coins, 3);
});

test("pruning removes expired companion tokens and stale outbox rows", async () => {
	await request(t.base, "/v1/companion/tokens", { body: { userId: 404, ops: ["currency.add"] }, auth: ADMIN_KEY });
	await request(t.base, "/v1/companion/tokens", { body: { userId: 405, ops: ["currency.add"] }, auth: ADMIN_KEY });
	await t.db.query("UPDATE companion_tokens SET expires_at = now() - interval '1 minute' WHERE user_id = 404");
	await transact(t.base, 406, { ops: [coins(1)] });
	await transact(t.base, 407, { ops: [coins(1)] });
	await t.db.query("UPDATE outbox SET updated_at = now() - interval '2 hours' WHERE player_id = 406");
	const report = await pruneOnce(t.db, 168, createMetrics());
	assert.equal(report.tokens, 1);
	assert.ok(report.outbox >= 1);
	const tokens = await t.db.query<{ user_id: number }>(
		"SELECT user_id FROM companion_tokens WHERE user_id IN (404, 405)",
	);
	assert.deepEqual(tokens, [{ user_id: 405 }]);
	const outbox = await t.db.query<{ player_id: number }>("SELECT player_id FROM outbox WHERE player_id IN (406, 407)");
	assert.deepEqual(outbox, [{ player_id: 407 }]);
});

test("retention below 24 hours is refused", () => {
	assert.throws(() => testConfig({ IDEMPOTENCY_RETENTION_HOURS: "23" }), ConfigError);
	assert.equal(testConfig().idempotencyRetentionHours, 168, "default 7 days");
});
