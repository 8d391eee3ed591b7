import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { MAX_BULK_PLAYERS } from "../src/routes/bulkChanges.js";
import { MAX_CHANGES } from "../src/routes/changes.js";
import { ADMIN_KEY, type TestApp, startTestApp } from "./support/app.js";
import { coins, request, transact } from "./support/http.js";

let t: TestApp;
before(async () => {
	t = await startTestApp();
});
after(() => t.close());

const bulk = (players: unknown[], auth?: string | null) =>
	request(t.base, "/v1/changes", { body: { players }, ...(auth === undefined ? {} : { auth }) });

test("each result is exactly what the player's own changes read returns, in request order", async () => {
	await transact(t.base, 300, { ops: [coins(100)], reason: "quest:1" });
	await transact(t.base, 300, { ops: [coins(-30)] });
	await transact(t.base, 301, { ops: [{ op: "progress.advance", name: "q", to: 2 }] });
	const reply = await bulk([
		{ userId: 301, since: 0 },
		{ userId: 300, since: 1 },
		{ userId: 300, since: 2 },
		{ userId: 302, since: 0 },
	]);
	assert.equal(reply.status, 200);
	const singles = await Promise.all([
		request(t.base, "/v1/players/301/changes?since=0"),
		request(t.base, "/v1/players/300/changes?since=1"),
		request(t.base, "/v1/players/300/changes?since=2"),
		request(t.base, "/v1/players/302/changes?since=0"),
	]);
	assert.deepEqual(
		reply.body.results,
		singles.map((single) => single.body),
	);
	assert.deepEqual(reply.body.results[2], { userId: 300, version: 2, complete: true, changes: [] });
	assert.deepEqual(reply.body.results[3], { userId: 302, version: 0, complete: true, changes: [] });
	assert.equal(reply.body.results[1].changes[0].ops[0].after, 70);
});

test("a version ahead of the server, or too far behind, answers the full state", async () => {
	const requests = Array.from({ length: MAX_CHANGES + 1 }, (_, i) => ({
		userId: 303,
		idempotencyKey: `bulk-${i}`,
		ops: [coins(1)],
	}));
	for (let i = 0; i < requests.length; i += 100) {
		assert.equal((await request(t.base, "/v1/batch", { body: { requests: requests.slice(i, i + 100) } })).status, 200);
	}
	const reply = await bulk([
		{ userId: 303, since: 0 },
		{ userId: 300, since: 50 },
	]);
	const [behind, ahead] = reply.body.results;
	assert.equal(behind.complete, false);
	assert.deepEqual(behind.changes, []);
	assert.equal(behind.state.currencies.coins, MAX_CHANGES + 1);
	assert.equal(ahead.complete, false);
	assert.equal(ahead.state.version, 2);
});

test("only game servers and the admin may read in bulk; the size is bounded", async () => {
	const token = await request(t.base, "/v1/companion/tokens", {
		body: { userId: 300, ops: ["currency.add"] },
		auth: ADMIN_KEY,
	});
	assert.equal(token.status, 201);
	assert.equal((await bulk([{ userId: 300, since: 0 }], token.body.token)).status, 403);
	assert.equal((await bulk([{ userId: 300, since: 0 }], null)).status, 401);
	assert.equal((await bulk([{ userId: 300, since: 0 }], ADMIN_KEY)).status, 200);
	assert.equal((await bulk([])).status, 400);
	assert.equal((await bulk([{ userId: 300 }])).status, 400);
	assert.equal((await bulk([{ userId: 0, since: 0 }])).status, 400);
	const tooMany = Array.from({ length: MAX_BULK_PLAYERS + 1 }, (_, i) => ({ userId: i + 1, since: 0 }));
	assert.equal((await bulk(tooMany)).status, 400);
	const most = Array.from({ length: MAX_BULK_PLAYERS }, (_, i) => ({ userId: i + 1, since: 0 }));
	assert.equal((await bulk(most)).body.results.length, MAX_BULK_PLAYERS);
});
