import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import type { Queryable } from "../src/db/types.js";
import { type TestApp, startTestApp } from "./support/app.js";
import { coins, getPlayer, request, transact } from "./support/http.js";
import { ledgerMismatches, snapshot } from "./support/invariants.js";

let t: TestApp;
let failures = 0;
let mode: "sql" | "throw" = "sql";

before(async () => {
	t = await startTestApp({
		hooks: {
			// Between applying the operations and COMMIT: a real database error on the transaction's
			// connection (division by zero aborts it), or an exception in the process.
			beforeCommit: async (tx: Queryable) => {
				if (failures === 0) return;
				failures--;
				if (mode === "sql") await tx.query("SELECT 1 / 0");
				else throw new Error("injected crash");
			},
		},
	});
	await transact(t.base, 300, { ops: [coins(100)] });
	await transact(t.base, 301, {
		ops: [coins(100), { op: "item.grant", item: { id: "301-1", def: "bow", count: 1, attrs: {} } }],
	});
});
after(() => t.close());

const body = { ops: [coins(-40), { op: "item.grant", item: { id: "300-9", def: "axe", count: 1, attrs: {} } }] };

for (const injected of ["sql", "throw"] as const) {
	test(`a ${injected === "sql" ? "database failure" : "crash"} mid-transaction stores nothing; the same key then succeeds once`, async () => {
		mode = injected;
		const key = `fault-${injected}`;
		const before = await snapshot(t.db);
		failures = 1;
		const failed = await transact(t.base, 300, body, { key });
		assert.equal(failed.status, 500);
		assert.equal(failed.body.error.code, "internal");
		assert.equal(await snapshot(t.db), before, "no key, journal, ledger, outbox, item or balance change");
		const retried = await transact(t.base, 300, body, { key });
		assert.equal(retried.status, 201);
		assert.equal(retried.headers.get("idempotent-replayed"), null);
		const replay = await transact(t.base, 300, body, { key });
		assert.equal(replay.headers.get("idempotent-replayed"), "true");
		const state = (await getPlayer(t.base, 300)).body;
		assert.equal(state.currencies.coins, injected === "sql" ? 60 : 20);
		assert.deepEqual(await ledgerMismatches(t.db), []);
		// Give the item back so the second case can grant it again.
		await transact(t.base, 300, { ops: [{ op: "item.remove", id: "300-9", count: 1 }] });
	});
}

test("a failure inside a transfer rolls back both players; the same key then succeeds once", async () => {
	mode = "sql";
	const transfer = { legs: [{ from: 301, to: 302, items: [{ id: "301-1" }], currencies: { coins: 25 } }] };
	const send = () =>
		request(t.base, "/v1/transfers", { body: transfer, headers: { "idempotency-key": "fault-transfer" } });
	const before = await snapshot(t.db);
	failures = 1;
	assert.equal((await send()).status, 500);
	assert.equal(await snapshot(t.db), before);
	assert.equal((await send()).status, 201);
	assert.equal((await send()).headers.get("idempotent-replayed"), "true");
	assert.equal((await getPlayer(t.base, 302)).body.items[0].id, "301-1");
	assert.equal((await getPlayer(t.base, 301)).body.currencies.coins, 75);
});

test("a failed batch entry is 500; the same player's later entries are not run, other players' commit", async () => {
	mode = "sql";
	failures = 1;
	const reply = await request(t.base, "/v1/batch", {
		body: {
			requests: [
				{ userId: 303, idempotencyKey: "fb-1", ops: [coins(1)] },
				{ userId: 304, idempotencyKey: "fb-3", ops: [coins(3)] },
				{ userId: 303, idempotencyKey: "fb-2", ops: [coins(2)] },
			],
		},
	});
	assert.deepEqual(
		reply.body.results.map((result: { status: number }) => result.status),
		[500, 201, 500],
	);
	assert.equal(reply.body.results[2].body.error.code, "internal");
	// Nothing of player 303 applied, so its entries cannot apply out of the order they were sent.
	assert.equal((await getPlayer(t.base, 303)).body.currencies.coins, undefined);
	assert.equal((await getPlayer(t.base, 304)).body.currencies.coins, 3);
	assert.equal((await transact(t.base, 303, { ops: [coins(1)] }, { key: "fb-1" })).status, 201);
	assert.equal((await transact(t.base, 303, { ops: [coins(2)] }, { key: "fb-2" })).status, 201);
	assert.equal((await getPlayer(t.base, 303)).body.currencies.coins, 3);
});

test("a later entry of a player whose batch entry failed cannot overtake it: an item keeps the newest update", async () => {
	mode = "sql";
	await transact(t.base, 305, { ops: [{ op: "item.grant", item: { id: "305-1", def: "axe", count: 1, attrs: {} } }] });
	const update = (lvl: number) => ({ op: "item.update", id: "305-1", attrs: { lvl } });
	const entries = [
		{ userId: 305, idempotencyKey: "fo-1", ops: [update(2)] },
		{ userId: 305, idempotencyKey: "fo-2", ops: [update(3)] },
	];
	failures = 1;
	await request(t.base, "/v1/batch", { body: { requests: entries } });
	// The sender retries what had no definitive answer, in the order it made them.
	const retried = await request(t.base, "/v1/batch", { body: { requests: entries } });
	assert.deepEqual(
		retried.body.results.map((result: { status: number }) => result.status),
		[201, 201],
	);
	assert.deepEqual((await getPlayer(t.base, 305)).body.items[0].attrs, { lvl: 3 });
});
