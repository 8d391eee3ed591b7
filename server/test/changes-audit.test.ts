import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { MAX_CHANGES } from "../src/routes/changes.js";
import { ADMIN_KEY, type TestApp, startTestApp } from "./support/app.js";
import { coins, request, transact } from "./support/http.js";

let t: TestApp;
before(async () => {
	t = await startTestApp();
});
after(() => t.close());

test("changes since a version lists each later write with before and after, oldest first", async () => {
	await transact(t.base, 80, { ops: [coins(100)], reason: "quest:1" });
	await transact(t.base, 80, {
		ops: [coins(-30), { op: "item.grant", item: { id: "80-1", def: "hat", count: 1, attrs: {} } }],
	});
	await transact(t.base, 80, { ops: [{ op: "progress.advance", name: "q", to: 2 }] });
	const reply = await request(t.base, "/v1/players/80/changes?since=1");
	assert.equal(reply.status, 200);
	assert.equal(reply.headers.get("etag"), '"3"');
	assert.equal(reply.body.complete, true);
	assert.equal(reply.body.version, 3);
	assert.deepEqual(
		reply.body.changes.map((change: { version: number }) => change.version),
		[2, 3],
	);
	const [second] = reply.body.changes;
	assert.equal(second.actor, "server");
	assert.equal(second.kind, "transaction");
	assert.deepEqual(second.ops[0], { op: "currency.add", currency: "coins", amount: -30, before: 100, after: 70 });
	assert.deepEqual(second.ops[1].after, { id: "80-1", def: "hat", count: 1, attrs: {} });
	assert.equal(second.ops[1].before, null);
	assert.match(second.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
	const none = await request(t.base, "/v1/players/80/changes?since=3");
	assert.deepEqual(none.body, { userId: 80, version: 3, complete: true, changes: [] });
});

test("a version ahead of the server, or too far behind, answers the full state", async () => {
	const ahead = await request(t.base, "/v1/players/80/changes?since=99");
	assert.equal(ahead.body.complete, false);
	assert.equal(ahead.body.state.version, 3);
	assert.equal(ahead.body.state.currencies.coins, 70);
	const requests = Array.from({ length: MAX_CHANGES + 1 }, (_, i) => ({
		userId: 81,
		idempotencyKey: `c-${i}`,
		ops: [coins(1)],
	}));
	for (let i = 0; i < requests.length; i += 100) {
		assert.equal((await request(t.base, "/v1/batch", { body: { requests: requests.slice(i, i + 100) } })).status, 200);
	}
	const behind = await request(t.base, "/v1/players/81/changes?since=0");
	assert.equal(behind.body.complete, false);
	assert.deepEqual(behind.body.changes, []);
	assert.equal(behind.body.state.currencies.coins, MAX_CHANGES + 1);
	const close = await request(t.base, `/v1/players/81/changes?since=1`);
	assert.equal(close.body.complete, true);
	assert.equal(close.body.changes.length, MAX_CHANGES);
});

test("changes requires a numeric since", async () => {
	assert.equal((await request(t.base, "/v1/players/80/changes")).status, 400);
	assert.equal((await request(t.base, "/v1/players/80/changes?since=-1")).status, 400);
	assert.equal((await request(t.base, "/v1/players/80/changes?since=1e3")).status, 400);
});

test("the audit log is admin-only, newest first, with actor, time, operation, before and after", async () => {
	assert.equal((await request(t.base, "/v1/players/80/audit")).status, 403, "the server key may not read audit");
	const page = await request(t.base, "/v1/players/80/audit?limit=2", { auth: ADMIN_KEY });
	assert.equal(page.status, 200);
	assert.deepEqual(
		page.body.entries.map((entry: { version: number }) => entry.version),
		[3, 2],
	);
	assert.equal(page.body.next, 2);
	const rest = await request(t.base, `/v1/players/80/audit?before=${page.body.next}`, { auth: ADMIN_KEY });
	assert.equal(rest.body.entries.length, 1);
	assert.equal(rest.body.entries[0].reason, "quest:1");
	assert.deepEqual(rest.body.entries[0].ops[0], {
		op: "currency.add",
		currency: "coins",
		amount: 100,
		before: 0,
		after: 100,
	});
	assert.equal(rest.body.next, null);
});

test("the journal and ledger refuse UPDATE and DELETE (append-only)", async () => {
	await assert.rejects(t.db.query("UPDATE journal SET actor = 'x' WHERE player_id = 80"), /append-only/);
	await assert.rejects(t.db.query("DELETE FROM journal WHERE player_id = 80"), /append-only/);
	await assert.rejects(t.db.query("DELETE FROM ledger WHERE player_id = 80"), /append-only/);
});
