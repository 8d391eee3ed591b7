import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { type TestApp, startTestApp } from "./support/app.js";
import { coins, getPlayer, request, transact } from "./support/http.js";

let t: TestApp;
before(async () => {
	t = await startTestApp();
});
after(() => t.close());

const batch = (requests: unknown[]) => request(t.base, "/v1/batch", { body: { requests } });

test("each entry is exactly what its own transaction call returns", async () => {
	await transact(t.base, 71, { ops: [coins(5)] });
	const reply = await batch([
		{ userId: 70, idempotencyKey: "b-1", ops: [coins(10)], reason: "batch" },
		{ userId: 71, idempotencyKey: "b-2", ops: [coins(-50)] },
		{ userId: 72, idempotencyKey: "b-3", ops: [{ op: "doc.set", name: "s", value: {} }] },
		{ userId: 72, idempotencyKey: "b-4", ifMatch: '"0"', ops: [{ op: "doc.set", name: "s", value: { x: 1 } }] },
		{ userId: 73, idempotencyKey: "b-5", ifMatch: 3, ops: [coins(1)] },
	]);
	assert.equal(reply.status, 200);
	const statuses = reply.body.results.map((result: { status: number }) => result.status);
	assert.deepEqual(statuses, [201, 409, 428, 201, 412]);
	assert.equal(reply.body.results[1].body.error.code, "insufficient_funds");
	assert.equal(reply.body.results[2].body.error.code, "if_match_required");
	assert.equal(reply.body.results[4].body.error.code, "version_mismatch");
	// The same calls made one by one replay the stored outcomes byte for byte.
	const single = await transact(t.base, 70, { ops: [coins(10)], reason: "batch" }, { key: "b-1" });
	assert.equal(single.headers.get("idempotent-replayed"), "true");
	assert.deepEqual(single.body, reply.body.results[0].body);
	const rejected = await transact(t.base, 71, { ops: [coins(-50)] }, { key: "b-2" });
	assert.equal(rejected.status, 409);
	assert.deepEqual(rejected.body, reply.body.results[1].body);
	assert.equal((await getPlayer(t.base, 70)).body.currencies.coins, 10);
	assert.deepEqual((await getPlayer(t.base, 72)).body.docs, { s: { x: 1 } });
});

test("a batch entry replays a direct call's key and marks it replayed", async () => {
	const direct = await transact(t.base, 74, { ops: [coins(3)] }, { key: "b-direct" });
	const reply = await batch([
		{ userId: 74, idempotencyKey: "b-direct", ops: [coins(3)] },
		{ userId: 74, idempotencyKey: "b-direct", ops: [coins(4)] },
	]);
	assert.equal(reply.body.results[0].replayed, true);
	assert.deepEqual(reply.body.results[0].body, direct.body);
	assert.equal(reply.body.results[1].status, 422);
	assert.equal((await getPlayer(t.base, 74)).body.currencies.coins, 3);
});

test("entries run in order, so later entries see earlier ones", async () => {
	const reply = await batch([
		{ userId: 75, idempotencyKey: "o-1", ops: [coins(10)] },
		{ userId: 75, idempotencyKey: "o-2", ops: [coins(-10)] },
		{ userId: 75, idempotencyKey: "o-3", ops: [coins(-1)] },
	]);
	assert.deepEqual(
		reply.body.results.map((result: { status: number }) => result.status),
		[201, 201, 409],
	);
});

test("a structurally invalid batch is 400 and runs nothing", async () => {
	const reply = await batch([
		{ userId: 76, idempotencyKey: "v-1", ops: [coins(10)] },
		{ userId: 76, idempotencyKey: "v-2", ops: [{ op: "currency.add", currency: "coins", amount: 1.5 }] },
	]);
	assert.equal(reply.status, 400);
	assert.equal(reply.body.error.code, "invalid_request");
	assert.equal((await getPlayer(t.base, 76)).body.version, 0);
	assert.equal((await request(t.base, "/v1/batch", { body: { requests: [] } })).status, 400);
	const tooMany = Array.from({ length: 101 }, (_, i) => ({ userId: 77, idempotencyKey: `m-${i}`, ops: [coins(1)] }));
	assert.equal((await batch(tooMany)).status, 400);
});
