import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { fingerprint } from "../src/engine/fingerprint.js";
import { SERVER } from "../src/engine/principal.js";
import { storeRejection } from "../src/engine/replay.js";
import { BusinessError } from "../src/errors.js";
import { TRANSACTION_ROUTE } from "../src/routes/transactions.js";
import { type TestApp, startTestApp } from "./support/app.js";
import { coins, getPlayer, request, transact } from "./support/http.js";
import { ledgerMismatches } from "./support/invariants.js";

let t: TestApp;
before(async () => {
	t = await startTestApp();
});
after(() => t.close());

test("a replay returns the same status and body with Idempotent-Replayed: true", async () => {
	const body = {
		ops: [coins(100), { op: "item.grant", item: { id: "10-1", def: "sword", count: 1, attrs: { lvl: 2 } } }],
		reason: "shop:buy",
	};
	const first = await transact(t.base, 10, body, { key: "replay-1" });
	assert.equal(first.status, 201);
	assert.equal(first.headers.get("idempotent-replayed"), null);
	assert.equal(first.headers.get("etag"), `"${first.body.version}"`);
	const second = await transact(t.base, 10, body, { key: "replay-1" });
	assert.equal(second.status, 201);
	assert.equal(second.headers.get("idempotent-replayed"), "true");
	assert.equal(second.text, first.text);
	assert.equal(second.headers.get("etag"), first.headers.get("etag"));
	const state = await getPlayer(t.base, 10);
	assert.equal(state.body.currencies.coins, 100, "applied once");
	assert.equal(state.body.version, 1);
});

test("the replay ignores key order in the body (canonical fingerprint)", async () => {
	const first = await transact(
		t.base,
		11,
		{ reason: "a", ops: [{ amount: 5, currency: "gems", op: "currency.add" }] },
		{ key: "canon" },
	);
	const again = await transact(
		t.base,
		11,
		{ ops: [{ op: "currency.add", currency: "gems", amount: 5 }], reason: "a" },
		{ key: "canon" },
	);
	assert.equal(first.status, 201);
	assert.equal(again.headers.get("idempotent-replayed"), "true");
	assert.equal((await getPlayer(t.base, 11)).body.currencies.gems, 5);
});

test("a key reused with a different body gets 422 and changes nothing", async () => {
	assert.equal((await transact(t.base, 12, { ops: [coins(50)] }, { key: "reuse" })).status, 201);
	const reused = await transact(t.base, 12, { ops: [coins(51)] }, { key: "reuse" });
	assert.equal(reused.status, 422);
	assert.equal(reused.body.error.code, "idempotency_key_reused");
	const otherPlayer = await transact(t.base, 13, { ops: [coins(50)] }, { key: "reuse" });
	assert.equal(otherPlayer.status, 422, "the player is part of the fingerprint");
	assert.equal((await getPlayer(t.base, 12)).body.currencies.coins, 50);
	assert.equal((await getPlayer(t.base, 13)).body.version, 0);
	assert.equal(reused.body.error.details.storedStatus, 201, "the first request applied");
	assert.equal(reused.body.error.details.storedCode, undefined);
});

test("a 422 says when the request that took the key was refused, and with which code", async () => {
	const refused = await transact(t.base, 15, { ops: [coins(-5)] }, { key: "refused-first" });
	assert.equal(refused.status, 409);
	const other = await transact(t.base, 15, { ops: [coins(-6)] }, { key: "refused-first" });
	assert.equal(other.status, 422);
	assert.equal(other.body.error.details.storedStatus, 409);
	assert.equal(other.body.error.details.storedCode, "insufficient_funds");
	assert.equal((await getPlayer(t.base, 15)).body.version, 0);
});

test("a missing Idempotency-Key is 400 idempotency_key_missing; a malformed one is 400 invalid_request", async () => {
	const missing = await transact(t.base, 14, { ops: [coins(1)] }, { key: null });
	assert.equal(missing.status, 400);
	assert.equal(missing.body.error.code, "idempotency_key_missing");
	const bad = await transact(t.base, 14, { ops: [coins(1)] }, { key: "has space" });
	assert.equal(bad.status, 400);
	assert.equal(bad.body.error.code, "invalid_request");
	const quoted = await transact(t.base, 14, { ops: [coins(1)] }, { key: '"sf-string-key"' });
	assert.equal(quoted.status, 201, "a structured-field string key is accepted");
	assert.equal((await getPlayer(t.base, 14)).body.version, 1);
});

test("a business rejection (409) is stored and replayed under its key", async () => {
	const first = await transact(t.base, 15, { ops: [coins(-10)] }, { key: "poor" });
	assert.equal(first.status, 409);
	assert.equal(first.body.error.code, "insufficient_funds");
	await transact(t.base, 15, { ops: [coins(100)] });
	const again = await transact(t.base, 15, { ops: [coins(-10)] }, { key: "poor" });
	assert.equal(again.status, 409, "still the stored outcome although funds now suffice");
	assert.equal(again.headers.get("idempotent-replayed"), "true");
	assert.equal(again.text, first.text);
	assert.equal((await getPlayer(t.base, 15)).body.currencies.coins, 100);
});

test("a rejection that finds its twin's stored outcome replays it in the same compact bytes", async () => {
	const body = { ops: [coins(5)] };
	const applied = await transact(t.base, 18, body, { key: "raced" });
	const stored = await t.db.query<{ response: string }>("SELECT response FROM idempotency_keys WHERE key = 'raced'");
	assert.notEqual(stored[0]?.response, applied.text, "stored as PostgreSQL's JSON text");
	// The rejection race: a twin refused before this 201 committed finds it when storing its 409.
	const print = fingerprint("POST", TRANSACTION_ROUTE, 18, body);
	const raced = await storeRejection(t.db, SERVER.scope, "raced", print, new BusinessError("insufficient_funds"));
	assert.equal(raced.status, 201);
	assert.equal(raced.body, applied.text);
	assert.equal(raced.etag, applied.body.version);
});

test("50 concurrent requests with one key apply once", async () => {
	const body = { ops: [coins(7)] };
	const replies = await Promise.all(Array.from({ length: 50 }, () => transact(t.base, 16, body, { key: "storm" })));
	assert.ok(
		replies.every((reply) => reply.status === 201),
		`statuses: ${replies.map((r) => r.status).join(",")}`,
	);
	assert.equal(replies.filter((reply) => reply.headers.get("idempotent-replayed") === null).length, 1);
	assert.ok(replies.every((reply) => reply.text === replies[0]!.text));
	const state = await getPlayer(t.base, 16);
	assert.equal(state.body.currencies.coins, 7);
	assert.equal(state.body.version, 1);
	assert.deepEqual(await ledgerMismatches(t.db), []);
});

test("keys are scoped per route: a transaction key reused on /v1/transfers is 422", async () => {
	await transact(t.base, 17, { ops: [coins(10)] }, { key: "cross-route" });
	const transfer = await request(t.base, "/v1/transfers", {
		body: { legs: [{ from: 17, to: 18, currencies: { coins: 1 } }] },
		headers: { "idempotency-key": "cross-route" },
	});
	assert.equal(transfer.status, 422);
	assert.equal((await getPlayer(t.base, 17)).body.currencies.coins, 10);
});
