import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { ADMIN_KEY, type TestApp, startTestApp } from "./support/app.js";
import { coins, request, transact } from "./support/http.js";

let t: TestApp;
before(async () => {
	t = await startTestApp();
});
after(() => t.close());

const statusOf = (userId: number, key: string, auth?: string) =>
	request(t.base, `/v1/players/${userId}/transactions/${key}`, { auth });

test("a key no transaction of the player used is unused", async () => {
	const reply = await statusOf(700, "never-sent");
	assert.equal(reply.status, 200);
	assert.deepEqual(reply.body, { userId: 700, key: "never-sent", status: "unused" });
});

test("an applied transaction answers its version, also once its stored answer was pruned", async () => {
	await transact(t.base, 701, { ops: [coins(5)] }, { key: "ts-first" });
	await transact(t.base, 701, { ops: [coins(7)] }, { key: "ts-second" });
	assert.deepEqual((await statusOf(701, "ts-second")).body, {
		userId: 701,
		key: "ts-second",
		status: "applied",
		version: 2,
	});
	// The journal outlives the stored answers.
	await t.db.query("DELETE FROM idempotency_keys WHERE key = $1", ["ts-first"]);
	assert.deepEqual((await statusOf(701, "ts-first")).body, {
		userId: 701,
		key: "ts-first",
		status: "applied",
		version: 1,
	});
});

test("a refused transaction answers the stored error", async () => {
	assert.equal((await transact(t.base, 702, { ops: [coins(-5)] }, { key: "ts-poor" })).status, 409);
	const reply = await statusOf(702, "ts-poor");
	assert.equal(reply.body.status, "refused");
	assert.equal(reply.body.error.code, "insufficient_funds");
});

test("a key another player's transaction took is refused as reused, as a retry would be", async () => {
	await transact(t.base, 703, { ops: [coins(1)] }, { key: "ts-other" });
	const reply = await statusOf(704, "ts-other");
	assert.equal(reply.body.status, "refused");
	assert.equal(reply.body.error.code, "idempotency_key_reused");
	assert.equal(reply.body.error.details.storedStatus, 201);
	assert.equal((await transact(t.base, 704, { ops: [coins(1)] }, { key: "ts-other" })).status, 422);
});

test("a malformed key is 400; a companion reads only its own player's keys", async () => {
	assert.equal((await statusOf(700, "bad%20key")).status, 400);
	assert.equal((await statusOf(700, "x".repeat(256))).status, 400);
	const issued = await request(t.base, "/v1/companion/tokens", {
		body: { userId: 705, ops: ["currency.add"] },
		auth: ADMIN_KEY,
	});
	const token = issued.body.token as string;
	await transact(t.base, 705, { ops: [coins(3)] }, { key: "ts-mine", auth: token });
	assert.equal((await statusOf(705, "ts-mine", token)).body.status, "applied");
	// A companion's keys are its own: the game server's view of the same key is another request.
	assert.equal((await statusOf(705, "ts-mine")).body.status, "unused");
	assert.equal((await statusOf(706, "ts-mine", token)).status, 403);
});
