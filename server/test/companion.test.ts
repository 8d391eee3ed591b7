import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { createRateLimiter } from "../src/rateLimit.js";
import { ADMIN_KEY, type TestApp, startTestApp } from "./support/app.js";
import { coins, getPlayer, request, transact } from "./support/http.js";

let t: TestApp;
before(async () => {
	t = await startTestApp({ env: { RATE_LIMIT_PER_SECOND: "1", RATE_LIMIT_BURST: "10" } });
});
after(() => t.close());

async function issue(userId: number, ops: string[]): Promise<string> {
	const reply = await request(t.base, "/v1/companion/tokens", { body: { userId, ops }, auth: ADMIN_KEY });
	assert.equal(reply.status, 201);
	return reply.body.token as string;
}

test("only the admin key issues tokens; a token is opaque, expires, and is stored hashed", async () => {
	assert.equal(
		(await request(t.base, "/v1/companion/tokens", { body: { userId: 90, ops: ["currency.add"] } })).status,
		403,
	);
	const reply = await request(t.base, "/v1/companion/tokens", {
		body: { userId: 90, ops: ["currency.add"] },
		auth: ADMIN_KEY,
	});
	assert.equal(reply.status, 201);
	assert.match(reply.body.token, /^hsc_[A-Za-z0-9_-]{43}$/);
	assert.ok(Date.parse(reply.body.expiresAt) > Date.now());
	const stored = await t.db.query<{ token_hash: string }>("SELECT token_hash FROM companion_tokens");
	assert.ok(stored.every((row) => row.token_hash !== reply.body.token && !row.token_hash.includes(reply.body.token)));
	const unknownScope = await request(t.base, "/v1/companion/tokens", {
		body: { userId: 90, ops: ["admin"] },
		auth: ADMIN_KEY,
	});
	assert.equal(unknownScope.status, 400);
});

test("a companion acts on its player with its operations only", async () => {
	await transact(t.base, 91, { ops: [coins(100)] });
	const token = await issue(91, ["currency.add"]);
	assert.equal((await transact(t.base, 91, { ops: [coins(-10)] }, { auth: token })).status, 201);
	assert.equal((await getPlayer(t.base, 91, token)).status, 200);
	const otherPlayer = await transact(t.base, 92, { ops: [coins(10)] }, { auth: token });
	assert.equal(otherPlayer.status, 403);
	assert.equal(otherPlayer.body.error.code, "forbidden");
	assert.equal((await getPlayer(t.base, 92, token)).status, 403);
	const otherOp = await transact(
		t.base,
		91,
		{ ops: [{ op: "item.grant", item: { id: "91-1", def: "x", count: 1, attrs: {} } }] },
		{ auth: token },
	);
	assert.equal(otherOp.status, 403);
	assert.deepEqual(otherOp.body.error.details.refused, ["item.grant"]);
	const transfer = await request(t.base, "/v1/transfers", {
		body: { legs: [{ from: 91, to: 92, currencies: { coins: 1 } }] },
		headers: { "idempotency-key": "c-t" },
		auth: token,
	});
	assert.equal(transfer.status, 403);
	assert.equal((await request(t.base, "/v1/players/91/audit", { auth: token })).status, 403);
	assert.equal((await getPlayer(t.base, 91)).body.currencies.coins, 90);
	assert.equal((await getPlayer(t.base, 92)).body.version, 0);
});

test("a currency.spend token may debit its player but never credit it", async () => {
	await transact(t.base, 93, { ops: [coins(50)] });
	const token = await issue(93, ["currency.spend"]);
	assert.equal((await transact(t.base, 93, { ops: [coins(-20)] }, { auth: token })).status, 201);
	const credit = await transact(t.base, 93, { ops: [coins(-1), coins(1000)] }, { auth: token });
	assert.equal(credit.status, 403);
	assert.deepEqual(credit.body.error.details.refused, ["currency.add"]);
	const batched = await request(t.base, "/v1/batch", {
		body: { requests: [{ userId: 93, idempotencyKey: "spend-b", ops: [coins(5)] }] },
		auth: token,
	});
	assert.equal(batched.body.results[0].status, 403, "a batch entry is authorised the same way");
	assert.equal((await getPlayer(t.base, 93)).body.currencies.coins, 30);
});

test("the audit log names the companion as actor", async () => {
	const entries = (await request(t.base, "/v1/players/91/audit", { auth: ADMIN_KEY })).body.entries;
	assert.match(entries[0].actor, /^companion:\d+$/);
	assert.equal(entries[1].actor, "server");
});

test("a companion with the transfer scope may send from its own player only", async () => {
	await transact(t.base, 93, { ops: [coins(50)] });
	const token = await issue(93, ["transfer"]);
	const own = await request(t.base, "/v1/transfers", {
		body: { legs: [{ from: 93, to: 94, currencies: { coins: 5 } }] },
		headers: { "idempotency-key": "ct-1" },
		auth: token,
	});
	assert.equal(own.status, 201);
	const theirs = await request(t.base, "/v1/transfers", {
		body: { legs: [{ from: 94, to: 93, currencies: { coins: 5 } }] },
		headers: { "idempotency-key": "ct-2" },
		auth: token,
	});
	assert.equal(theirs.status, 403);
});

test("an expired or unknown token is 401", async () => {
	const token = await issue(95, ["currency.add"]);
	await t.db.query("UPDATE companion_tokens SET expires_at = now() - interval '1 second' WHERE user_id = 95");
	assert.equal((await transact(t.base, 95, { ops: [coins(1)] }, { auth: token })).status, 401);
	assert.equal((await transact(t.base, 95, { ops: [coins(1)] }, { auth: `hsc_${"A".repeat(43)}` })).status, 401);
	assert.equal((await getPlayer(t.base, 95)).body.version, 0);
});

test("companion keys are scoped per player: the same key string from the server is a different request", async () => {
	const token = await issue(96, ["currency.add"]);
	assert.equal((await transact(t.base, 96, { ops: [coins(5)] }, { key: "shared", auth: token })).status, 201);
	const server = await transact(t.base, 96, { ops: [coins(6)] }, { key: "shared" });
	assert.equal(server.status, 201);
	assert.equal(server.headers.get("idempotent-replayed"), null);
	assert.equal((await getPlayer(t.base, 96)).body.currencies.coins, 11);
});

test("a companion over its rate limit gets 429 with Retry-After, and 429 is never stored", async () => {
	const token = await issue(97, ["currency.add"]);
	const replies = [];
	for (let i = 0; i < 15; i++)
		replies.push(await transact(t.base, 97, { ops: [coins(1)] }, { key: `rl-${i}`, auth: token }));
	const limited = replies.filter((reply) => reply.status === 429);
	assert.ok(limited.length >= 1);
	assert.equal(limited[0]!.body.error.code, "rate_limited");
	assert.ok(Number(limited[0]!.headers.get("retry-after")) >= 1);
	const applied = replies.filter((reply) => reply.status === 201).length;
	assert.equal((await getPlayer(t.base, 97)).body.currencies.coins, applied);
	const limitedKey = `rl-${replies.findIndex((reply) => reply.status === 429)}`;
	const rows = await t.db.query("SELECT 1 FROM idempotency_keys WHERE key = $1", [limitedKey]);
	assert.equal(rows.length, 0, "the rate-limited key was not stored");
	const server = await transact(t.base, 97, { ops: [coins(1)] });
	assert.equal(server.status, 201, "game servers are not limited by a companion's bucket");
});

test("a companion's batch costs one request per entry; over its limit none of it runs", async () => {
	const token = await issue(98, ["currency.add"]);
	const batch = (size: number, tag: string) =>
		request(t.base, "/v1/batch", {
			body: {
				requests: Array.from({ length: size }, (_, i) => ({
					userId: 98,
					idempotencyKey: `${tag}-${i}`,
					ops: [coins(1)],
				})),
			},
			auth: token,
		});
	const oversized = await batch(11, "big");
	assert.equal(oversized.status, 400, "more entries than the burst (10) can ever hold");
	assert.equal(oversized.body.error.code, "invalid_request");
	assert.equal((await batch(6, "first")).status, 200);
	const limited = await batch(6, "second");
	assert.equal(limited.status, 429, "6 + 1 + 6 requests within a second or two is over a burst of 10");
	assert.equal(limited.body.error.code, "rate_limited");
	assert.equal((await getPlayer(t.base, 98)).body.currencies.coins, 6, "only the first batch ran");
});

test("the rate limiter forgets the least recently seen scope when full, not the one being limited", () => {
	let time = 0;
	const limit = createRateLimiter(1, 1, () => time, 3);
	assert.equal(limit("a").allowed, true);
	assert.equal(limit("a").allowed, false);
	limit("b");
	limit("c");
	assert.equal(limit("a").allowed, false, "a is seen again, so b is now the oldest");
	limit("d");
	assert.equal(limit("a").allowed, false, "adding d made room by forgetting b, not a");
	time += 1000;
	assert.equal(limit("a").allowed, true, "a refills with time as usual");
});
