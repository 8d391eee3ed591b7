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

test("a malformed entry is refused in its own result, as its own call would be, and the others run", async () => {
	const fractional = { ops: [{ op: "currency.add", currency: "coins", amount: 1.5 }] };
	const reply = await batch([
		{ userId: 76, idempotencyKey: "v-1", ops: [coins(10)] },
		{ userId: 76, idempotencyKey: "v-2", ...fractional },
		{ userId: 0, idempotencyKey: "v-3", ops: [coins(1)] },
		"not an entry",
		{ userId: 76, idempotencyKey: "v-5", ops: [coins(1)], sneaky: true },
		{ userId: 76, idempotencyKey: 5, ops: [coins(1)] },
		{ userId: 76, idempotencyKey: "v-7", ifMatch: -1, ops: [coins(1)] },
		{ userId: 76, ops: [coins(1)] },
		{ userId: 76, idempotencyKey: "v-9", ops: [coins(5)] },
	]);
	assert.equal(reply.status, 200);
	const results = reply.body.results as Array<{ status: number; body: { error?: { code: string } } }>;
	assert.deepEqual(
		results.map((result) => result.status),
		[201, 400, 400, 400, 400, 400, 400, 400, 201],
	);
	assert.deepEqual(
		results.slice(1, 8).map((result) => result.body.error?.code),
		Array(6).fill("invalid_request").concat("idempotency_key_missing"),
	);
	// The same body sent on its own is refused with the same answer.
	const alone = await transact(t.base, 76, fractional, { key: "v-2-alone" });
	assert.equal(alone.status, 400);
	assert.deepEqual(results[1]?.body, alone.body);
	assert.equal((await getPlayer(t.base, 76)).body.currencies.coins, 15);
});

test("an entry whose JSON cannot be stored is refused on its own, at the same depth as its own call", async () => {
	const nested = (levels: number): Record<string, unknown> => (levels === 0 ? {} : { a: nested(levels - 1) });
	const grant = (id: string, attrs: Record<string, unknown>) => ({
		ops: [{ op: "item.grant", item: { id, def: "gem", count: 1, attrs } }],
	});
	// The deepest attrs a transaction call takes on its own.
	let deepest = 0;
	while ((await transact(t.base, 78, grant(`78-d${deepest + 1}`, nested(deepest + 1)))).status === 201) deepest += 1;
	const tooDeep = grant("78-x", nested(deepest + 1));
	const alone = await transact(t.base, 78, tooDeep);
	assert.equal(alone.status, 400);
	const withNul = grant("78-nul", { name: "a\u0000b" });
	const reply = await batch([
		{ userId: 79, idempotencyKey: "j-1", ...grant("79-a", nested(deepest)) },
		{ userId: 79, idempotencyKey: "j-2", ...tooDeep },
		{ userId: 79, idempotencyKey: "j-3", ...withNul },
		{ userId: 79, idempotencyKey: "j-4", ops: [coins(3)] },
	]);
	assert.equal(reply.status, 200);
	const results = reply.body.results as Array<{ status: number; body: unknown }>;
	assert.deepEqual(
		results.map((result) => result.status),
		[201, 400, 400, 201],
	);
	assert.deepEqual(results[1]?.body, alone.body);
	assert.deepEqual(results[2]?.body, (await transact(t.base, 79, withNul)).body);
	assert.equal((await getPlayer(t.base, 79)).body.items.length, 1);
	// A body its own call would refuse as too large (413) is refused so in the batch too.
	const large = grant("79-large", { blob: "x".repeat(70 * 1024) });
	const refusedAlone = await transact(t.base, 79, large);
	assert.equal(refusedAlone.status, 413);
	const inBatch = await batch([{ userId: 79, idempotencyKey: "j-5", ...large }]);
	assert.equal(inBatch.body.results[0].status, 413);
	assert.deepEqual(inBatch.body.results[0].body, refusedAlone.body);
});

test("an entry nested thousands deep is refused on its own (400, or 413 when its own call's body is too large), never 500", async () => {
	const deep = (levels: number) =>
		`{"ops":[{"op":"doc.set","name":"s","value":{"x":${"[".repeat(levels)}${"]".repeat(levels)}}}]}`;
	const entry = (key: string, body: string) =>
		`{"userId":82,"idempotencyKey":"${key}","ifMatch":0,${body.slice(1, -1)}}`;
	const good = '{"userId":82,"idempotencyKey":"n-ok","ops":[{"op":"currency.add","currency":"coins","amount":2}]}';
	for (const [levels, status] of [
		[10_000, 400],
		[30_000, 400],
		[40_000, 413],
	] as const) {
		const body = deep(levels);
		const alone = await request(t.base, "/v1/players/82/transactions", {
			raw: body,
			headers: { "idempotency-key": `n-alone-${levels}`, "if-match": '"0"' },
		});
		assert.equal(alone.status, status, alone.text);
		const reply = await request(t.base, "/v1/batch", {
			raw: `{"requests":[${entry(`n-${levels}`, body)},${good}]}`,
		});
		assert.equal(reply.status, 200, reply.text);
		assert.equal(reply.body.results[0].status, status, JSON.stringify(reply.body.results[0]));
		assert.deepEqual(reply.body.results[0].body, alone.body);
		assert.equal(reply.body.results[1].status, 201);
	}
	assert.equal((await getPlayer(t.base, 82)).body.currencies.coins, 2);
	assert.deepEqual((await getPlayer(t.base, 82)).body.docs, {});
});

test("an entry holding a __proto__ or constructor.prototype key is refused on its own, as its own call is", async () => {
	// Raw text: in a JavaScript literal `__proto__` would set the prototype instead of being a key.
	const good = '{"userId":80,"idempotencyKey":"p-1","ops":[{"op":"currency.add","currency":"coins","amount":5}]}';
	const proto = '{"ops":[{"op":"doc.set","name":"s","value":{"__proto__":{"polluted":1}}}]}';
	const ctor = '{"ops":[{"op":"doc.set","name":"s","value":{"a":[{"constructor":{"prototype":{"polluted":1}}}]}}]}';
	const entry = (userId: number, key: string, body: string) =>
		`{"userId":${userId},"idempotencyKey":"${key}","ifMatch":0,${body.slice(1, -1)}}`;
	const raw = `{"requests":[${good},${entry(81, "p-2", proto)},${entry(81, "p-3", ctor)}]}`;
	const reply = await request(t.base, "/v1/batch", { raw });
	assert.equal(reply.status, 200, reply.text);
	const results = reply.body.results as Array<{ status: number; body: unknown }>;
	assert.deepEqual(
		results.map((result) => result.status),
		[201, 400, 400],
	);
	for (const [i, body] of [proto, ctor].entries()) {
		const alone = await request(t.base, "/v1/players/81/transactions", {
			raw: body,
			headers: { "idempotency-key": `p-alone-${i}`, "if-match": '"0"' },
		});
		assert.equal(alone.body.error.details.reason, "FST_ERR_CTP_INVALID_JSON_BODY", "refused as before");
		assert.deepEqual(results[i + 1]?.body, alone.body);
	}
	assert.equal((await getPlayer(t.base, 80)).body.currencies.coins, 5);
	assert.equal((await getPlayer(t.base, 81)).body.version, 0);
	assert.equal(({} as Record<string, unknown>).polluted, undefined, "no prototype was touched");
	// Outside the entries, such a key refuses the whole batch.
	const envelope = await request(t.base, "/v1/batch", { raw: `{"__proto__":{},"requests":[${good}]}` });
	assert.equal(envelope.status, 400);
	assert.deepEqual(envelope.body, results[1]?.body);
});

test("a batch whose shape is wrong is 400 and runs nothing", async () => {
	assert.equal((await request(t.base, "/v1/batch", { body: { requests: [] } })).status, 400);
	assert.equal((await request(t.base, "/v1/batch", { body: { requests: "x" } })).status, 400);
	const extra = await request(t.base, "/v1/batch", {
		body: { requests: [{ userId: 77, idempotencyKey: "s-1", ops: [coins(1)] }], more: 1 },
	});
	assert.equal(extra.status, 400);
	const tooMany = Array.from({ length: 101 }, (_, i) => ({ userId: 77, idempotencyKey: `m-${i}`, ops: [coins(1)] }));
	assert.equal((await batch(tooMany)).status, 400);
	assert.equal((await getPlayer(t.base, 77)).body.version, 0);
});
