// Races between two API replicas (two apps, each with its own connection pool) and the background
// jobs on one PostgreSQL (PostgreSQL only: PGlite has a single connection, so nothing interleaves).
// Each race is forced in one order with barriers: a transaction held open on a connection of the
// test's own, and a wait until the replica's statement is blocked behind it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { openPostgres } from "../src/db/pg.js";
import type { Db, Queryable } from "../src/db/types.js";
import { pruneOnce } from "../src/jobs/pruner.js";
import { createMetrics } from "../src/metrics.js";
import { type TestApp, startTestApp } from "./support/app.js";
import { createPostgresDatabase } from "./support/db.js";
import { getPlayer, request, transact } from "./support/http.js";

let control: Db;
let replicaA: TestApp;
let replicaB: TestApp;
/** Replica A's test-only hook between a request's writes and its COMMIT, when set. */
let atCommitA: ((tx: Queryable) => Promise<void>) | undefined;

before(async () => {
	const url = await createPostgresDatabase();
	control = openPostgres(url, 4);
	replicaA = await startTestApp({
		db: openPostgres(url, 4),
		hooks: { beforeCommit: (tx) => atCommitA?.(tx) },
	});
	replicaB = await startTestApp({ db: openPostgres(url, 4) });
});
after(async () => {
	await replicaA?.close();
	await replicaB?.close();
	await control?.close();
});

/** Resolves once some backend waits for a lock held by the backend `pid`. */
async function blockedBehind(pid: number): Promise<void> {
	const deadline = Date.now() + 10_000;
	for (;;) {
		const rows = await control.query<{ n: number }>(
			"SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))",
			[pid],
		);
		if (rows[0]!.n > 0) return;
		assert.ok(Date.now() < deadline, "nothing waited for the held transaction");
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

/**
 * Runs `hold` in a transaction on the test's own connection, then `race` while that transaction is
 * still open; commits once `race` is blocked behind it, and returns what `race` answered.
 */
async function whileHeld<T>(hold: (tx: Queryable) => Promise<unknown>, race: () => Promise<T>): Promise<T> {
	let raced: Promise<T> | undefined;
	await control.transaction(async (tx) => {
		const pid = (await tx.query<{ pid: number }>("SELECT pg_backend_pid() AS pid"))[0]!.pid;
		await hold(tx);
		raced = race();
		await blockedBehind(pid);
	});
	return raced!;
}

const voidKey = (base: string, key: string, players: number[]) =>
	request(base, "/v1/transfers/void", { body: { idempotencyKey: key, players } });
const transfer = (base: string, body: unknown, key: string) =>
	request(base, "/v1/transfers", { body, headers: { "idempotency-key": key } });
const grant = (id: string) => ({ op: "item.grant", item: { id, def: "gem", count: 1, attrs: {} } });

test("a void that answers refused while the pruner deletes that refusal keeps its answer: a later retry is still refused", async () => {
	const body = { legs: [{ from: 100, to: 101, items: [{ id: "100-1" }] }] };
	const refused = await transfer(replicaA.base, body, "prune-void");
	assert.equal(refused.status, 409);
	assert.equal(refused.body.error.code, "item_not_owned");
	await control.query("UPDATE idempotency_keys SET created_at = now() - interval '200 hours' WHERE key = 'prune-void'");
	// Replica B's pruner deletes the stored refusal and has not committed when replica A's void reads it.
	const settled = await whileHeld(
		(tx) => pruneOnce(tx, 168, createMetrics()),
		() => voidKey(replicaA.base, "prune-void", [100, 101]),
	);
	assert.equal(settled.status, 200, settled.text);
	// The sender gets the item; its retry of the transfer must still get the answer the void gave.
	assert.equal((await transact(replicaB.base, 100, { ops: [grant("100-1")] })).status, 201);
	const retried = await transfer(replicaB.base, body, "prune-void");
	assert.equal(retried.status, 409, `the void answered ${settled.text}, and the retry got ${retried.text}`);
	if (settled.body.status === "refused") {
		assert.deepEqual(settled.body.error, refused.body.error);
		assert.equal(retried.text, refused.text);
	} else {
		assert.deepEqual(settled.body, { status: "voided" });
		assert.equal(retried.body.error.code, "transfer_voided");
	}
	assert.deepEqual(
		(await getPlayer(replicaA.base, 100)).body.items.map((item: { id: string }) => item.id),
		["100-1"],
		"nothing moved",
	);
	assert.deepEqual((await voidKey(replicaB.base, "prune-void", [100])).body, settled.body, "the same answer again");
});

test("a pruner that reaches a refusal while a void is keeping it leaves the refusal in place", async () => {
	const body = { legs: [{ from: 102, to: 103, items: [{ id: "102-1" }] }] };
	const refused = await transfer(replicaB.base, body, "void-prune");
	assert.equal(refused.status, 409);
	await control.query("UPDATE idempotency_keys SET created_at = now() - interval '200 hours' WHERE key = 'void-prune'");
	// Replica A's void has marked the refusal kept and not committed when replica B's pruner runs.
	let voidPid!: (pid: number) => void;
	const atCommit = new Promise<number>((resolve) => (voidPid = resolve));
	let release!: () => void;
	const released = new Promise<void>((resolve) => (release = resolve));
	atCommitA = async (tx) => {
		atCommitA = undefined;
		voidPid((await tx.query<{ pid: number }>("SELECT pg_backend_pid() AS pid"))[0]!.pid);
		await released;
	};
	const settling = voidKey(replicaA.base, "void-prune", [102, 103]);
	const pid = await atCommit;
	const pruning = pruneOnce(control, 168, createMetrics());
	await blockedBehind(pid);
	release();
	const settled = await settling;
	await pruning;
	assert.deepEqual(settled.body, { status: "refused", error: refused.body.error });
	assert.deepEqual(await control.query("SELECT kept FROM idempotency_keys WHERE key = 'void-prune'"), [{ kept: true }]);
	assert.equal((await transact(replicaA.base, 102, { ops: [grant("102-1")] })).status, 201);
	const retried = await transfer(replicaA.base, body, "void-prune");
	assert.equal(retried.text, refused.text, "still the refusal the void answered");
});
