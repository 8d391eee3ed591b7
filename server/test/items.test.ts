import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { type TestApp, startTestApp } from "./support/app.js";
import { getPlayer, transact } from "./support/http.js";

let t: TestApp;
before(async () => {
	t = await startTestApp();
});
after(() => t.close());

const grant = (id: string, count = 1, def = "potion", attrs: Record<string, unknown> = {}) => ({
	op: "item.grant",
	item: { id, def, count, attrs },
});

test("grant, partial remove, update and full remove of an item", async () => {
	const granted = await transact(t.base, 30, { ops: [grant("30-1", 5, "potion", { q: 1 })] });
	assert.equal(granted.status, 201);
	const removed = await transact(t.base, 30, { ops: [{ op: "item.remove", id: "30-1", count: 2 }] });
	assert.deepEqual(removed.body.results, [{ op: "item.remove", id: "30-1", count: 2, remaining: 3 }]);
	const updated = await transact(t.base, 30, { ops: [{ op: "item.update", id: "30-1", attrs: { q: 2 } }] });
	assert.equal(updated.status, 201);
	assert.deepEqual((await getPlayer(t.base, 30)).body.items, [
		{ id: "30-1", def: "potion", count: 3, attrs: { q: 2 } },
	]);
	const gone = await transact(t.base, 30, { ops: [{ op: "item.remove", id: "30-1", count: 3 }] });
	assert.equal(gone.body.results[0].remaining, 0);
	assert.deepEqual((await getPlayer(t.base, 30)).body.items, []);
});

test("item.remove defaults to a count of 1", async () => {
	await transact(t.base, 31, { ops: [grant("31-1", 2)] });
	const reply = await transact(t.base, 31, { ops: [{ op: "item.remove", id: "31-1" }] });
	assert.equal(reply.body.results[0].remaining, 1);
});

test("a duplicate item id is refused, for the same player and for another player", async () => {
	assert.equal((await transact(t.base, 32, { ops: [grant("dup-1")] })).status, 201);
	const same = await transact(t.base, 32, { ops: [grant("dup-1")] });
	assert.equal(same.status, 409);
	assert.equal(same.body.error.code, "item_exists");
	const other = await transact(t.base, 33, {
		ops: [{ op: "currency.add", currency: "coins", amount: 5 }, grant("dup-1")],
	});
	assert.equal(other.status, 409);
	assert.equal(other.body.error.code, "item_exists");
	assert.equal((await getPlayer(t.base, 33)).body.version, 0, "the coins rolled back with the refused grant");
	const twice = await transact(t.base, 34, { ops: [grant("dup-2"), grant("dup-2")] });
	assert.equal(twice.status, 409, "twice in one transaction");
	const owners = await t.db.query<{ player_id: number }>("SELECT player_id FROM items WHERE id = 'dup-1'");
	assert.deepEqual(owners, [{ player_id: 32 }]);
});

test("the database itself refuses a second row with the same item id", async () => {
	await assert.rejects(
		t.db.query("INSERT INTO items (id, player_id, def, count) VALUES ('dup-1', 32, 'x', 1)"),
		(error: { code?: string }) => error.code === "23505",
	);
});

test("removing more than owned, or another player's item, is 409 item_not_owned", async () => {
	await transact(t.base, 35, { ops: [grant("35-1", 2)] });
	const tooMany = await transact(t.base, 35, { ops: [{ op: "item.remove", id: "35-1", count: 3 }] });
	assert.equal(tooMany.status, 409);
	assert.equal(tooMany.body.error.code, "item_not_owned");
	assert.equal(tooMany.body.error.details.have, 2);
	const notMine = await transact(t.base, 36, { ops: [{ op: "item.remove", id: "35-1", count: 1 }] });
	assert.equal(notMine.body.error.code, "item_not_owned");
	const update = await transact(t.base, 36, { ops: [{ op: "item.update", id: "35-1", attrs: {} }] });
	assert.equal(update.body.error.code, "item_not_owned");
	assert.equal((await getPlayer(t.base, 35)).body.items[0].count, 2);
});

test("concurrent grants of one id to different players: exactly one wins", async () => {
	const replies = await Promise.all(
		Array.from({ length: 10 }, (_, i) => transact(t.base, 100 + i, { ops: [grant("contested-1")] })),
	);
	assert.equal(replies.filter((reply) => reply.status === 201).length, 1);
	assert.equal(replies.filter((reply) => reply.status === 409).length, 9);
	const rows = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM items WHERE id = 'contested-1'");
	assert.equal(rows[0]!.n, 1);
});
