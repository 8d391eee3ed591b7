import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";

import type { Queryable } from "../src/db/types.js";
import { pruneOnce } from "../src/jobs/pruner.js";
import { createMetrics } from "../src/metrics.js";
import { ADMIN_KEY, type TestApp, startTestApp } from "./support/app.js";
import { coins, getPlayer, request, transact } from "./support/http.js";
import { ledgerMismatches, snapshot } from "./support/invariants.js";

let t: TestApp;
let failNextCommit = false;
before(async () => {
	t = await startTestApp({
		hooks: {
			beforeCommit: async (tx: Queryable) => {
				if (!failNextCommit) return;
				failNextCommit = false;
				await tx.query("SELECT 1 / 0");
			},
		},
	});
});
after(() => t.close());

function transfer(body: unknown, key: string = randomUUID()) {
	return request(t.base, "/v1/transfers", { body, headers: { "idempotency-key": key } });
}
function voidKey(key: string, players: number[], auth?: string) {
	return request(t.base, "/v1/transfers/void", { body: { idempotencyKey: key, players }, auth });
}
const grant = (id: string, count = 1) => ({ op: "item.grant", item: { id, def: "gem", count, attrs: {} } });
const trade = (a: number, b: number) => ({
	legs: [
		{ from: a, to: b, items: [{ id: `${a}-1` }], currencies: { coins: 30 } },
		{ from: b, to: a, items: [{ id: `${b}-1` }] },
	],
});
/**
 * A void's answer for an applied `trade(a, b)`: the transfer's versions, with what each player
 * the void listed received.
 */
function appliedTrade(a: number, b: number, versions: { userId: number }[], listed: number[]) {
	const received = new Map([
		[a, { items: [{ id: `${b}-1`, count: 1 }], currencies: {} }],
		[b, { items: [{ id: `${a}-1`, count: 1 }], currencies: { coins: 30 } }],
	]);
	return {
		status: "applied",
		players: versions.map((player) =>
			listed.includes(player.userId) ? { ...player, received: received.get(player.userId) } : player,
		),
	};
}
async function states(...ids: number[]): Promise<unknown[]> {
	return Promise.all(ids.map(async (id) => (await getPlayer(t.base, id)).body));
}

test("voiding an unused key answers voided; a transfer or transaction with it then gets 409 transfer_voided and moves nothing", async () => {
	await transact(t.base, 700, { ops: [coins(100), grant("700-1")] });
	await transact(t.base, 701, { ops: [grant("701-1")] });
	const before = await states(700, 701);
	const voided = await voidKey("v-unused", [700, 701]);
	assert.equal(voided.status, 200);
	assert.deepEqual(voided.body, { status: "voided" });
	const late = await transfer(trade(700, 701), "v-unused");
	assert.equal(late.status, 409);
	assert.equal(late.headers.get("idempotent-replayed"), "true");
	assert.deepEqual(late.body, {
		error: {
			code: "transfer_voided",
			message: "This Idempotency-Key was voided (POST /v1/transfers/void): no transfer with it applies.",
			details: { idempotencyKey: "v-unused" },
		},
	});
	const tx = await transact(t.base, 700, { ops: [coins(1)] }, { key: "v-unused" });
	assert.equal(tx.status, 409);
	assert.equal(tx.text, late.text, "the same stored body, not 422");
	const batch = await request(t.base, "/v1/batch", {
		body: { requests: [{ userId: 701, idempotencyKey: "v-unused", ops: [coins(1)] }] },
	});
	assert.equal(batch.body.results[0].status, 409);
	assert.equal(batch.body.results[0].body.error.code, "transfer_voided");
	assert.deepEqual(await states(700, 701), before, "items, balances and versions unchanged");
	assert.match(t.app.metrics.render(), /^hopsafe_transfer_voids_total\{status="voided"\} [1-9]/m);
});

test("a transfer that applied: the void answers applied with the versions of its 201 and what each listed player received, every time", async () => {
	await transact(t.base, 702, { ops: [coins(100), grant("702-1")] });
	await transact(t.base, 703, { ops: [grant("703-1")] });
	const applied = await transfer(trade(702, 703), "v-applied");
	assert.equal(applied.status, 201);
	const after = await states(702, 703);
	for (let i = 0; i < 2; i++) {
		const settled = await voidKey("v-applied", [703]);
		assert.equal(settled.status, 200);
		assert.deepEqual(settled.body, appliedTrade(702, 703, applied.body.players, [703]));
	}
	assert.deepEqual(await states(702, 703), after);
	const replay = await transfer(trade(702, 703), "v-applied");
	assert.equal(replay.status, 201, "the void stored nothing over the transfer's outcome");
	assert.equal(replay.text, applied.text);
});

test("a refused transfer: the void answers refused with the stored error", async () => {
	await transact(t.base, 704, { ops: [coins(100)] });
	const refused = await transfer({ legs: [{ from: 704, to: 705, items: [{ id: "704-1" }] }] }, "v-refused");
	assert.equal(refused.status, 409);
	assert.equal(refused.body.error.code, "item_not_owned");
	const settled = await voidKey("v-refused", [704, 705]);
	assert.deepEqual(settled.body, { status: "refused", error: refused.body.error });
	const replay = await transfer({ legs: [{ from: 704, to: 705, items: [{ id: "704-1" }] }] }, "v-refused");
	assert.equal(replay.text, refused.text, "still the stored refusal");
});

test("a refusal a void answered is kept past the retention: a later retry is still refused after the sender got the item", async () => {
	const body = { legs: [{ from: 712, to: 713, items: [{ id: "712-1" }] }] };
	const refused = await transfer(body, "v-refused-kept");
	assert.equal(refused.status, 409);
	assert.equal((await voidKey("v-refused-kept", [712, 713])).body.status, "refused");
	await t.db.query(
		"UPDATE idempotency_keys SET created_at = now() - interval '9000 hours' WHERE key = 'v-refused-kept'",
	);
	await pruneOnce(t.db, 168, createMetrics());
	assert.equal((await t.db.query("SELECT 1 FROM idempotency_keys WHERE key = 'v-refused-kept'")).length, 1);
	await transact(t.base, 712, { ops: [grant("712-1")] });
	const before = await states(712, 713);
	const late = await transfer(body, "v-refused-kept");
	assert.equal(late.status, 409, late.text);
	assert.equal(late.text, refused.text, "the settled refusal, replayed");
	assert.deepEqual(await states(712, 713), before, "nothing moved");
	assert.deepEqual((await voidKey("v-refused-kept", [712])).body, { status: "refused", error: refused.body.error });
});

test("received currencies named like Object's members (constructor, toString) are counted as any other", async () => {
	await transact(t.base, 714, { ops: [coins(100, "constructor"), coins(100, "toString")] });
	const legs: { from: number; to: number; currencies: Record<string, number> }[] = [
		{ from: 714, to: 715, currencies: { constructor: 3, toString: 4 } },
		{ from: 714, to: 715, currencies: { constructor: 5 } },
	];
	const applied = await transfer({ legs }, "v-names");
	assert.equal(applied.status, 201, applied.text);
	assert.deepEqual((await voidKey("v-names", [715])).body, {
		status: "applied",
		players: [
			{ userId: 714, version: applied.body.players[0].version },
			{
				userId: 715,
				version: applied.body.players[1].version,
				received: { items: [], currencies: { constructor: 8, toString: 4 } },
			},
		],
	});
});

test("a void is idempotent: voided both times, and a transfer afterwards is still 409", async () => {
	await transact(t.base, 706, { ops: [coins(50), grant("706-1")] });
	await transact(t.base, 707, { ops: [grant("707-1")] });
	const before = await states(706, 707);
	assert.deepEqual((await voidKey("v-twice", [706, 707])).body, { status: "voided" });
	const first = await transfer(trade(706, 707), "v-twice");
	assert.deepEqual((await voidKey("v-twice", [706])).body, { status: "voided" });
	const second = await transfer(trade(706, 707), "v-twice");
	assert.equal(first.status, 409);
	assert.equal(second.text, first.text);
	assert.deepEqual(await states(706, 707), before);
	const rows = await t.db.query<{ fingerprint: string }>("SELECT fingerprint FROM idempotency_keys WHERE key = $1", [
		"v-twice",
	]);
	assert.deepEqual(rows, [{ fingerprint: "void" }]);
});

test("after the transfer's key was pruned, the void answers applied from the journal and stores nothing", async () => {
	await transact(t.base, 708, { ops: [coins(100), grant("708-1")] });
	await transact(t.base, 709, { ops: [grant("709-1")] });
	const applied = await transfer(trade(708, 709), "v-pruned");
	assert.equal(applied.status, 201);
	await t.db.query("UPDATE idempotency_keys SET created_at = now() - interval '200 hours' WHERE key = 'v-pruned'");
	await pruneOnce(t.db, 168, createMetrics());
	assert.deepEqual(await t.db.query("SELECT 1 FROM idempotency_keys WHERE key = 'v-pruned'"), []);
	assert.deepEqual(
		(await voidKey("v-pruned", [708, 709])).body,
		appliedTrade(708, 709, applied.body.players, [708, 709]),
	);
	assert.deepEqual(
		(await voidKey("v-pruned", [709, 1])).body,
		appliedTrade(708, 709, [applied.body.players[1]], [709]),
	);
	assert.deepEqual(await t.db.query("SELECT 1 FROM idempotency_keys WHERE key = 'v-pruned'"), []);
	const again = await transfer(trade(708, 709), "v-pruned");
	assert.equal(again.status, 201, "the transfer is still answered from the journal, not voided");
	assert.deepEqual(again.body, applied.body);
});

test("the pruner keeps voids: a transfer with a voided key is refused long after the retention", async () => {
	await transact(t.base, 710, { ops: [coins(100), grant("710-1")] });
	await transact(t.base, 711, { ops: [grant("711-1")] });
	assert.deepEqual((await voidKey("v-kept", [710, 711])).body, { status: "voided" });
	const unused = await transfer(trade(710, 711), "v-ordinary");
	assert.equal(unused.status, 201);
	await t.db.query(
		"UPDATE idempotency_keys SET created_at = now() - interval '9000 hours' WHERE key IN ('v-kept', 'v-ordinary')",
	);
	const report = await pruneOnce(t.db, 168, createMetrics());
	assert.ok(report.keys >= 1, "the ordinary key past retention went");
	assert.deepEqual(await t.db.query("SELECT key FROM idempotency_keys WHERE key IN ('v-kept', 'v-ordinary')"), [
		{ key: "v-kept" },
	]);
	const before = await states(710, 711);
	const late = await transfer({ legs: [{ from: 711, to: 710, items: [{ id: "710-1" }] }] }, "v-kept");
	assert.equal(late.status, 409);
	assert.equal(late.body.error.code, "transfer_voided");
	assert.deepEqual(await states(710, 711), before, "nothing moved");
});

test("a void and a transfer racing with one key always agree, and items are conserved", async () => {
	const rounds = 20;
	const pair = (i: number) => [720 + 2 * i, 721 + 2 * i] as const;
	for (let i = 0; i < rounds; i++) {
		const [a, b] = pair(i);
		await transact(t.base, a, { ops: [coins(100), grant(`${a}-1`)] });
		await transact(t.base, b, { ops: [grant(`${b}-1`)] });
	}
	const replies = await Promise.all(
		Array.from({ length: rounds }, async (_, i) => {
			const [a, b] = pair(i);
			const key = `v-race-${i}`;
			const send = () => transfer(trade(a, b), key);
			// Alternate which request goes first, and whether the void names both players or one.
			if (i % 2 === 0) {
				const [sent, voided] = await Promise.all([send(), voidKey(key, [a, b])]);
				return { sent, voided };
			}
			const [voided, sent] = await Promise.all([voidKey(key, [b]), send()]);
			return { sent, voided };
		}),
	);
	const outcomes = { applied: 0, voided: 0 };
	for (const [i, { sent, voided }] of replies.entries()) {
		const [a, b] = pair(i);
		assert.equal(voided.status, 200);
		if (sent.status === 201) {
			outcomes.applied++;
			const listed = i % 2 === 0 ? [a, b] : [b];
			assert.deepEqual(voided.body, appliedTrade(a, b, sent.body.players, listed), `round ${i}`);
		} else {
			outcomes.voided++;
			assert.equal(sent.status, 409, `round ${i}: ${sent.text}`);
			assert.equal(sent.body.error.code, "transfer_voided");
			assert.deepEqual(voided.body, { status: "voided" }, `round ${i}`);
		}
		const moved = sent.status === 201;
		const [stateA, stateB] = (await states(a, b)) as { items: { id: string }[]; currencies: { coins?: number } }[];
		assert.deepEqual(
			stateA!.items.map((item) => item.id),
			[moved ? `${b}-1` : `${a}-1`],
		);
		assert.deepEqual(
			stateB!.items.map((item) => item.id),
			[moved ? `${a}-1` : `${b}-1`],
		);
		assert.equal((stateA!.currencies.coins ?? 0) + (stateB!.currencies.coins ?? 0), 100);
		// A later void gives the same answer.
		assert.equal((await voidKey(`v-race-${i}`, [a, b])).body.status, moved ? "applied" : "voided");
	}
	const items = await t.db.query<{ n: number }>(
		"SELECT count(*)::int AS n FROM items WHERE player_id BETWEEN 720 AND $1",
		[721 + 2 * (rounds - 1)],
	);
	assert.equal(items[0]!.n, 2 * rounds);
	assert.deepEqual(await ledgerMismatches(t.db), []);
	assert.equal(outcomes.applied + outcomes.voided, rounds);
});

test("a void that fails before commit stores nothing; the key stays free", async () => {
	await transact(t.base, 760, { ops: [coins(10)] });
	const before = await snapshot(t.db);
	failNextCommit = true;
	const failed = await voidKey("v-fault", [760, 761]);
	assert.equal(failed.status, 500);
	assert.equal(failed.body.error.code, "internal");
	assert.equal(await snapshot(t.db), before);
	assert.equal((await transfer({ legs: [{ from: 760, to: 761, currencies: { coins: 4 } }] }, "v-fault")).status, 201);
});

test("only game servers may void (companion and admin get 403), and a refused void claims nothing", async () => {
	await transact(t.base, 762, { ops: [coins(10)] });
	const issued = await request(t.base, "/v1/companion/tokens", {
		body: { userId: 762, ops: ["currency.add", "transfer"] },
		auth: ADMIN_KEY,
	});
	const companion = await voidKey("v-auth", [762], issued.body.token);
	assert.equal(companion.status, 403);
	assert.equal(companion.body.error.code, "forbidden");
	assert.equal((await voidKey("v-auth", [762], ADMIN_KEY)).status, 403);
	assert.equal((await voidKey("v-auth", [762], "nope")).status, 401);
	assert.equal((await transfer({ legs: [{ from: 762, to: 763, currencies: { coins: 3 } }] }, "v-auth")).status, 201);
});

test("malformed void bodies are 400 and store nothing", async () => {
	const key = "v-malformed";
	const bodies: unknown[] = [
		{ players: [764] },
		{ idempotencyKey: key },
		{ idempotencyKey: key, players: [] },
		{ idempotencyKey: key, players: [764.5] },
		{ idempotencyKey: key, players: ["764"] },
		{ idempotencyKey: key, players: [0] },
		{ idempotencyKey: key, players: [-764] },
		{ idempotencyKey: key, players: [2 ** 53] },
		{ idempotencyKey: key, players: Array.from({ length: 41 }, (_, i) => 764 + i) },
		{ idempotencyKey: key, players: 764 },
		{ idempotencyKey: key, players: [764], extra: true },
		{ idempotencyKey: "has space", players: [764] },
		{ idempotencyKey: '"quoted"', players: [764] },
		{ idempotencyKey: "", players: [764] },
		{ idempotencyKey: "k".repeat(256), players: [764] },
		{ idempotencyKey: 7, players: [764] },
		[],
		null,
	];
	await transact(t.base, 764, { ops: [coins(10)] });
	const before = await snapshot(t.db);
	for (const body of bodies) {
		const reply = await request(t.base, "/v1/transfers/void", { raw: JSON.stringify(body) });
		assert.equal(reply.status, 400, `${JSON.stringify(body)}: ${reply.text}`);
		assert.equal(reply.body.error.code, "invalid_request");
	}
	assert.equal(await snapshot(t.db), before);
	assert.equal((await transfer({ legs: [{ from: 764, to: 765, currencies: { coins: 2 } }] }, key)).status, 201);
	const most = await voidKey(
		"v-forty",
		Array.from({ length: 40 }, (_, i) => 800 + i),
	);
	assert.deepEqual(most.body, { status: "voided" }, "40 players is the limit, not past it");
});
