import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, test } from "node:test";

import { type TestApp, startTestApp } from "./support/app.js";
import { coins, getPlayer, request, transact } from "./support/http.js";

let t: TestApp;
before(async () => {
	t = await startTestApp();
});
after(() => t.close());

const setDoc = (value: Record<string, unknown>) => ({ ops: [{ op: "doc.set", name: "settings", value }] });

test("doc.set without If-Match is 428 if_match_required and stores nothing", async () => {
	const reply = await transact(t.base, 40, setDoc({ music: false }), { key: "doc-428" });
	assert.equal(reply.status, 428);
	assert.equal(reply.body.error.code, "if_match_required");
	assert.equal((await getPlayer(t.base, 40)).body.version, 0);
	const retry = await transact(t.base, 40, setDoc({ music: false }), { key: "doc-428", ifMatch: '"0"' });
	assert.equal(retry.status, 201, "428 was not stored: the same key then succeeds");
});

test("doc.set with a stale If-Match is 412 version_mismatch, not stored", async () => {
	await transact(t.base, 41, { ops: [coins(1)] });
	const stale = await transact(t.base, 41, setDoc({ a: 1 }), { key: "doc-412", ifMatch: '"0"' });
	assert.equal(stale.status, 412);
	assert.equal(stale.body.error.code, "version_mismatch");
	assert.equal(stale.body.error.details.current, 1);
	assert.deepEqual((await getPlayer(t.base, 41)).body.docs, {});
	const fresh = await transact(t.base, 41, setDoc({ a: 1 }), { key: "doc-412", ifMatch: '"1"' });
	assert.equal(fresh.status, 201);
	assert.equal(fresh.headers.get("etag"), '"2"');
	const state = await getPlayer(t.base, 41);
	assert.deepEqual(state.body.docs, { settings: { a: 1 } });
	assert.equal(state.headers.get("etag"), '"2"');
});

test("If-Match also guards deltas when given, and accepts the bare form", async () => {
	await transact(t.base, 42, { ops: [coins(1)] });
	assert.equal((await transact(t.base, 42, { ops: [coins(1)] }, { ifMatch: "5" })).status, 412);
	assert.equal((await transact(t.base, 42, { ops: [coins(1)] }, { ifMatch: "1" })).status, 201);
	assert.equal((await transact(t.base, 42, { ops: [coins(1)] }, { ifMatch: '"2"' })).status, 201);
});

test("a weak If-Match tag never matches (strong comparison, RFC 9110 §13.1.1): 412, nothing stored", async () => {
	await transact(t.base, 47, { ops: [coins(1)] });
	const weak = await transact(t.base, 47, { ops: [coins(1)] }, { key: "weak-1", ifMatch: 'W/"1"' });
	assert.equal(weak.status, 412, weak.text);
	assert.equal(weak.body.error.code, "version_mismatch");
	assert.match(weak.body.error.message, /weak/);
	const doc = await transact(t.base, 47, setDoc({ a: 1 }), { key: "weak-doc", ifMatch: 'W/"1"' });
	assert.equal(doc.status, 412, doc.text);
	const batch = await request(t.base, "/v1/batch", {
		body: { requests: [{ userId: 47, idempotencyKey: "weak-b1", ifMatch: 'W/"1"', ops: [coins(4)] }] },
	});
	assert.equal(batch.body.results[0].status, 412);
	assert.equal((await getPlayer(t.base, 47)).body.currencies.coins, 1);
	const strong = await transact(t.base, 47, { ops: [coins(1)] }, { key: "weak-1", ifMatch: '"1"' });
	assert.equal(strong.status, 201, "the 412 was not stored under the key");
});

/** A transaction whose headers are written as given, a name repeated as often as it is listed. */
function rawTransaction(
	headers: Array<[string, string]>,
): Promise<{ status: number; body: { error: { message: string } } }> {
	const url = new URL(t.base);
	const payload = JSON.stringify({ ops: [coins(1)] });
	const lines = [
		"POST /v1/players/48/transactions HTTP/1.1",
		`host: ${url.host}`,
		"authorization: Bearer test-server-key-0123456789",
		"content-type: application/json",
		`content-length: ${Buffer.byteLength(payload)}`,
		"connection: close",
		...headers.map(([name, value]) => `${name}: ${value}`),
	];
	return new Promise((resolve, reject) => {
		const socket = connect(Number(url.port), url.hostname);
		let text = "";
		socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
		socket.on("end", () => {
			const status = Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]);
			resolve({ status, body: JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4)) });
		});
		socket.on("error", reject);
		// Not end(): a client that half-closes may see the connection closed before the answer.
		socket.write(`${lines.join("\r\n")}\r\n\r\n${payload}`);
	});
}

test("Idempotency-Key or If-Match sent twice is refused 400 naming the repeated header", async () => {
	const keyTwice = await rawTransaction([
		["idempotency-key", "twice-1"],
		["idempotency-key", "twice-1"],
	]);
	assert.equal(keyTwice.status, 400);
	assert.match(keyTwice.body.error.message, /Idempotency-Key was sent twice/);
	const matchTwice = await rawTransaction([
		["idempotency-key", "twice-2"],
		["if-match", '"0"'],
		["if-match", '"0"'],
	]);
	assert.equal(matchTwice.status, 400);
	assert.match(matchTwice.body.error.message, /If-Match was sent twice/);
	assert.equal((await getPlayer(t.base, 48)).body.version, 0);
	const once = await rawTransaction([
		["idempotency-key", "twice-1"],
		["if-match", '"0"'],
	]);
	assert.equal(once.status, 201, "neither refusal was stored under the key");
});

test("If-Match: * matches any version of a delta (RFC 9110: every player has a state); doc.set needs a version (428)", async () => {
	await transact(t.base, 45, { ops: [coins(1)] });
	const any = await transact(t.base, 45, { ops: [coins(2)] }, { ifMatch: "*" });
	assert.equal(any.status, 201, any.text);
	assert.equal(any.body.version, 2);
	const fresh = await transact(t.base, 46, { ops: [coins(3)] }, { ifMatch: "*" });
	assert.equal(fresh.status, 201, "an unknown player reads as version 0, a current state");
	const doc = await transact(t.base, 45, setDoc({ a: 1 }), { key: "doc-star", ifMatch: "*" });
	assert.equal(doc.status, 428);
	assert.equal(doc.body.error.code, "if_match_required");
	assert.match(doc.body.error.message, /\*/);
	const batch = await request(t.base, "/v1/batch", {
		body: {
			requests: [
				{ userId: 45, idempotencyKey: "star-b1", ifMatch: "*", ops: [coins(4)] },
				{ userId: 45, idempotencyKey: "star-b2", ifMatch: "*", ops: setDoc({ b: 1 }).ops },
			],
		},
	});
	assert.deepEqual(
		batch.body.results.map((r: { status: number }) => r.status),
		[201, 428],
	);
	const state = await getPlayer(t.base, 45);
	assert.equal(state.body.currencies.coins, 7);
	assert.deepEqual(state.body.docs, {});
	const retried = await transact(t.base, 45, setDoc({ a: 1 }), { key: "doc-star", ifMatch: '"3"' });
	assert.equal(retried.status, 201, "the 428 was not stored under the key");
});

test("GET with If-None-Match naming the current ETag answers 304 (weak comparison, lists, *)", async () => {
	await transact(t.base, 43, { ops: [coins(1)] });
	const statusFor = async (ifNoneMatch: string) =>
		(
			await fetch(`${t.base}/v1/players/43`, {
				headers: { authorization: "Bearer test-server-key-0123456789", "if-none-match": ifNoneMatch },
			})
		).status;
	for (const hit of ['"1"', 'W/"1"', '"7", "1"', '"7",W/"1"', "*"]) assert.equal(await statusFor(hit), 304, hit);
	for (const miss of ['"2"', '"7", "8"', "1", '"1', "", "**"]) assert.equal(await statusFor(miss), 200, miss);
});

test("progress.advance only moves forward", async () => {
	const first = await transact(t.base, 44, { ops: [{ op: "progress.advance", name: "quest_main", to: 3 }] });
	assert.deepEqual(first.body.results[0], { op: "progress.advance", name: "quest_main", value: 3, advanced: true });
	const back = await transact(t.base, 44, { ops: [{ op: "progress.advance", name: "quest_main", to: 2 }] });
	assert.equal(back.status, 201);
	assert.deepEqual(back.body.results[0], { op: "progress.advance", name: "quest_main", value: 3, advanced: false });
	await transact(t.base, 44, { ops: [{ op: "progress.advance", name: "quest_main", to: 7 }] });
	assert.deepEqual((await getPlayer(t.base, 44)).body.progress, { quest_main: 7 });
});

test("an unknown player reads as empty at version 0", async () => {
	const reply = await getPlayer(t.base, 9_007_199_254_740_991);
	assert.equal(reply.status, 200);
	assert.deepEqual(reply.body, {
		userId: 9_007_199_254_740_991,
		version: 0,
		currencies: {},
		items: [],
		docs: {},
		progress: {},
	});
});
