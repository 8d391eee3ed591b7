import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";

import { type TestApp, startTestApp } from "./support/app.js";
import { coins, getPlayer, request, transact } from "./support/http.js";
import { ledgerMismatches } from "./support/invariants.js";

let t: TestApp;
before(async () => {
	t = await startTestApp();
});
after(() => t.close());

function transfer(body: unknown, key: string = randomUUID()) {
	return request(t.base, "/v1/transfers", { body, headers: { "idempotency-key": key } });
}
const grant = (id: string, count = 1) => ({
	op: "item.grant",
	item: { id, def: "gem", count, attrs: { shiny: true } },
});

test("a trade (two legs) moves items and currency atomically and keeps item ids", async () => {
	await transact(t.base, 50, { ops: [coins(100), grant("50-1")] });
	await transact(t.base, 51, { ops: [coins(10), grant("51-1")] });
	const reply = await transfer(
		{
			legs: [
				{ from: 50, to: 51, items: [{ id: "50-1" }], currencies: { coins: 60 } },
				{ from: 51, to: 50, items: [{ id: "51-1", count: 1 }] },
			],
			reason: "trade:abc",
		},
		"trade-1",
	);
	assert.equal(reply.status, 201);
	assert.deepEqual(reply.body, {
		players: [
			{ userId: 50, version: 2 },
			{ userId: 51, version: 2 },
		],
	});
	const a = (await getPlayer(t.base, 50)).body;
	const b = (await getPlayer(t.base, 51)).body;
	assert.equal(a.currencies.coins, 40);
	assert.equal(b.currencies.coins, 70);
	assert.deepEqual(
		a.items.map((item: { id: string }) => item.id),
		["51-1"],
	);
	assert.deepEqual(b.items, [{ id: "50-1", def: "gem", count: 1, attrs: { shiny: true } }]);
	const replay = await transfer(
		{
			legs: [
				{ from: 50, to: 51, items: [{ id: "50-1" }], currencies: { coins: 60 } },
				{ from: 51, to: 50, items: [{ id: "51-1", count: 1 }] },
			],
			reason: "trade:abc",
		},
		"trade-1",
	);
	assert.equal(replay.headers.get("idempotent-replayed"), "true");
	assert.equal(replay.text, reply.text);
	assert.equal((await getPlayer(t.base, 50)).body.currencies.coins, 40, "applied once");
});

test("a transfer that fails on any leg moves nothing (409 stored)", async () => {
	await transact(t.base, 52, { ops: [coins(10), grant("52-1")] });
	const reply = await transfer(
		{
			legs: [
				{ from: 52, to: 53, items: [{ id: "52-1" }] },
				{ from: 52, to: 53, currencies: { coins: 11 } },
			],
		},
		"fail-1",
	);
	assert.equal(reply.status, 409);
	assert.equal(reply.body.error.code, "insufficient_funds");
	assert.equal(reply.body.error.details.legIndex, 1);
	const a = (await getPlayer(t.base, 52)).body;
	assert.equal(a.items.length, 1);
	assert.equal(a.version, 1);
	assert.equal((await getPlayer(t.base, 53)).body.version, 0);
	const notOwned = await transfer({ legs: [{ from: 53, to: 52, items: [{ id: "52-1" }] }] });
	assert.equal(notOwned.body.error.code, "item_not_owned");
});

test("moving part of a stack needs newId; with it both parts exist once", async () => {
	await transact(t.base, 54, { ops: [grant("54-1", 10)] });
	const noId = await transfer({ legs: [{ from: 54, to: 55, items: [{ id: "54-1", count: 4 }] }] });
	assert.equal(noId.status, 409);
	assert.equal(noId.body.error.code, "split_requires_new_id");
	const split = await transfer({ legs: [{ from: 54, to: 55, items: [{ id: "54-1", count: 4, newId: "54-2" }] }] });
	assert.equal(split.status, 201);
	assert.deepEqual(
		(await getPlayer(t.base, 54)).body.items.map((item: { count: number }) => item.count),
		[6],
	);
	assert.deepEqual((await getPlayer(t.base, 55)).body.items, [
		{ id: "54-2", def: "gem", count: 4, attrs: { shiny: true } },
	]);
	const clash = await transfer({ legs: [{ from: 54, to: 55, items: [{ id: "54-1", count: 1, newId: "54-2" }] }] });
	assert.equal(clash.body.error.code, "item_exists");
});

test("a leg from a player to itself, or moving nothing, is 400", async () => {
	assert.equal((await transfer({ legs: [{ from: 56, to: 56, currencies: { coins: 1 } }] })).status, 400);
	assert.equal((await transfer({ legs: [{ from: 56, to: 57 }] })).status, 400);
	assert.equal(
		(await request(t.base, "/v1/transfers", { body: { legs: [{ from: 56, to: 57, currencies: { coins: 1 } }] } })).body
			.error.code,
		"idempotency_key_missing",
	);
});

test("8 concurrent crossing transfers finish without deadlock and conserve totals", async () => {
	const players = [60, 61, 62, 63];
	for (const id of players) await transact(t.base, id, { ops: [coins(1000)] });
	const rounds = 5;
	const replies = [];
	for (let round = 0; round < rounds; round++) {
		replies.push(
			...(await Promise.all(
				Array.from({ length: 8 }, (_, i) => {
					const from = players[i % 4]!;
					const to = players[(i + 1 + (i >> 2)) % 4]!;
					// Legs in both directions, listed high id first, so any naive locking order would cross.
					return transfer({
						legs: [
							{ from: Math.max(from, to), to: Math.min(from, to), currencies: { coins: 7 } },
							{ from: Math.min(from, to), to: Math.max(from, to), currencies: { coins: 3 } },
						],
					});
				}),
			)),
		);
	}
	assert.ok(
		replies.every((reply) => reply.status === 201),
		replies.map((reply) => reply.status).join(","),
	);
	let total = 0;
	for (const id of players) total += (await getPlayer(t.base, id)).body.currencies.coins;
	assert.equal(total, 4000);
	assert.deepEqual(await ledgerMismatches(t.db), []);
	// Retries would hide a deadlock (they replay the transaction): there must have been none.
	assert.doesNotMatch(t.app.metrics.render(), /^hopsafe_db_retries_total [1-9]/m);
});
