// Three API processes against one PostgreSQL under concurrent load (PostgreSQL only: PGlite is
// in-process and cannot be shared between processes).
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { readdirSync } from "node:fs";
import { after, before, test } from "node:test";

import { openPostgres } from "../src/db/pg.js";
import type { Db } from "../src/db/types.js";
import { startApiProcess, stopApiProcess } from "../scripts/apiProcess.js";
import { ADMIN_KEY, SERVER_KEY } from "./support/app.js";
import { createPostgresDatabase } from "./support/db.js";
import { coins, type Reply, request, transact } from "./support/http.js";
import { ledgerMismatches } from "./support/invariants.js";

const PROCESSES = 3;
const PLAYERS = Array.from({ length: 12 }, (_, i) => i + 1);
const SEED = 1000;

let children: ChildProcess[] = [];
let bases: string[] = [];
let db: Db;

before(async () => {
	const url = await createPostgresDatabase();
	db = openPostgres(url, 2);
	const started = await Promise.all(
		Array.from({ length: PROCESSES }, () =>
			startApiProcess(url, { PG_POOL_SIZE: "8", HOPSAFE_SERVER_KEY: SERVER_KEY, HOPSAFE_ADMIN_KEY: ADMIN_KEY }),
		),
	);
	children = started.map((api) => api.child);
	bases = started.map((api) => api.base);
});

after(async () => {
	await Promise.all(children.map(stopApiProcess));
	await db?.close();
});

// A small deterministic PRNG so a failure can be replayed.
function prng(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let x = Math.imul(state ^ (state >>> 15), 1 | state);
		x ^= x + Math.imul(x ^ (x >>> 7), 61 | x);
		return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
	};
}

test("three processes under concurrent load keep every ledger, version and item consistent", async () => {
	const random = prng(20261121);
	const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
	const base = () => pick(bases);
	let expectedCoins = 0;
	const granted = new Set<string>();
	const storms: { userId: number; key: string }[] = [];

	for (const id of PLAYERS) {
		assert.equal((await transact(base(), id, { ops: [coins(SEED)] })).status, 201);
		expectedCoins += SEED;
	}

	const counted = (reply: Reply, amount: number) => {
		if (reply.status === 201 && reply.headers.get("idempotent-replayed") === null) expectedCoins += amount;
	};
	const jobs: (() => Promise<void>)[] = [];
	for (let i = 0; i < 900; i++) {
		const roll = random();
		const userId = pick(PLAYERS);
		if (roll < 0.4) {
			const amount = Math.floor(random() * 500) - 300;
			jobs.push(async () => counted(await transact(base(), userId, { ops: [coins(amount)] }), amount));
		} else if (roll < 0.6) {
			const id = `g-${Math.floor(random() * 150)}`;
			jobs.push(async () => {
				const reply = await transact(base(), userId, {
					ops: [{ op: "item.grant", item: { id, def: "gem", count: 1, attrs: {} } }],
				});
				if (reply.status === 201) {
					assert.ok(!granted.has(id), `${id} granted twice`);
					granted.add(id);
				} else assert.equal(reply.body.error.code, "item_exists");
			});
		} else if (roll < 0.8) {
			const to = pick(PLAYERS.filter((id) => id !== userId));
			const leg =
				random() < 0.5
					? { from: userId, to, currencies: { coins: 1 + Math.floor(random() * 200) } }
					: { from: userId, to, items: [{ id: `g-${Math.floor(random() * 150)}` }], currencies: { coins: 1 } };
			jobs.push(async () => {
				const reply = await request(base(), "/v1/transfers", {
					body: { legs: [leg, { from: to, to: userId, currencies: { coins: 1 } }] },
					headers: { "idempotency-key": `tr-${i}` },
				});
				assert.ok([201, 409].includes(reply.status), `transfer ${reply.status} ${reply.text}`);
			});
		} else if (roll < 0.9) {
			const entries = Array.from({ length: 5 }, (_, j) => ({
				userId: pick(PLAYERS),
				idempotencyKey: `b-${i}-${j}`,
				ops: [coins(Math.floor(random() * 100) - 40)],
			}));
			jobs.push(async () => {
				const reply = await request(base(), "/v1/batch", { body: { requests: entries } });
				assert.equal(reply.status, 200);
				reply.body.results.forEach((result: { status: number; replayed: boolean }, j: number) => {
					if (result.status === 201 && !result.replayed) expectedCoins += entries[j]!.ops[0]!.amount;
				});
			});
		} else {
			const key = `storm-${i}`;
			const amount = 1 + Math.floor(random() * 20);
			storms.push({ userId, key });
			// The same request sent to every process at once applies once.
			jobs.push(async () => {
				const replies = await Promise.all(bases.map((b) => transact(b, userId, { ops: [coins(amount)] }, { key })));
				assert.ok(replies.every((reply) => reply.status === 201));
				assert.equal(replies.filter((reply) => reply.headers.get("idempotent-replayed") === null).length, 1);
				counted(
					replies.find((reply) => reply.headers.get("idempotent-replayed") === null)!,
					amount,
				);
			});
		}
	}
	let next = 0;
	await Promise.all(
		Array.from({ length: 24 }, async () => {
			while (next < jobs.length) await jobs[next++]!();
		}),
	);

	assert.deepEqual(await ledgerMismatches(db), [], "every balance equals the sum of its ledger");
	const [money] = await db.query<{ total: number; negative: number }>(
		"SELECT coalesce(sum(amount), 0)::bigint AS total, count(*) FILTER (WHERE amount < 0)::int AS negative FROM balances",
	);
	assert.equal(money!.negative, 0);
	assert.equal(money!.total, expectedCoins, "the coins in the database are exactly those of the applied requests");
	const items = await db.query<{ id: string; owners: number }>(
		"SELECT id, count(*)::int AS owners FROM items GROUP BY id",
	);
	assert.ok(
		items.every((item) => item.owners === 1),
		"every item id is owned once",
	);
	assert.deepEqual(items.map((item) => item.id).sort(), [...granted].sort(), "every granted item exists, nothing else");
	const versions = await db.query<{ id: number }>(
		`SELECT p.id FROM players p LEFT JOIN (SELECT player_id, count(*) AS n, max(version) AS top FROM journal GROUP BY player_id) j
		ON j.player_id = p.id WHERE p.version <> coalesce(j.n, 0) OR p.version <> coalesce(j.top, 0)`,
	);
	assert.deepEqual(versions, [], "each version has exactly one journal row");
	for (const storm of storms) {
		const rows = await db.query("SELECT 1 FROM journal WHERE player_id = $1 AND idem_key = $2", [
			storm.userId,
			storm.key,
		]);
		assert.equal(rows.length, 1, `${storm.key} applied once`);
	}
	const migrations = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM hopsafe_migrations");
	const shipped = readdirSync(new URL("../migrations/", import.meta.url)).filter((file) =>
		file.endsWith(".sql"),
	).length;
	assert.equal(migrations[0]!.n, shipped, "three processes started at once migrated once");
});
