import { type Queryable, sql } from "./types.js";

/** A stored idempotency record. */
export interface StoredKey {
	fingerprint: string;
	status: number | null;
	response: string | null;
}

const CLAIM = sql(
	"key_claim",
	"INSERT INTO idempotency_keys (principal, key, fingerprint) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1 AS ok",
);
const READ = sql(
	"key_read",
	"SELECT fingerprint, status, response FROM idempotency_keys WHERE principal = $1 AND key = $2",
);
const COMPLETE = sql(
	"key_complete",
	"UPDATE idempotency_keys SET status = $3, response = $4 WHERE principal = $1 AND key = $2",
);
const STORE = sql(
	"key_store",
	`INSERT INTO idempotency_keys (principal, key, fingerprint, status, response) VALUES ($1, $2, $3, $4, $5)
	ON CONFLICT DO NOTHING RETURNING 1 AS ok`,
);

/** Inserts a key with no outcome yet; false if the key exists (a concurrent twin waits here first). */
export async function claimKey(tx: Queryable, principal: string, key: string, fingerprint: string): Promise<boolean> {
	return (await tx.query(CLAIM, [principal, key, fingerprint])).length > 0;
}

/** Reads a stored key, or undefined. */
export async function readKey(q: Queryable, principal: string, key: string): Promise<StoredKey | undefined> {
	return (await q.query<StoredKey>(READ, [principal, key]))[0];
}

/** Records the outcome of a claimed key, in the transaction that claimed it. */
export async function completeKey(
	tx: Queryable,
	principal: string,
	key: string,
	status: number,
	response: string,
): Promise<void> {
	await tx.query(COMPLETE, [principal, key, status, response]);
}

/** Stores a final outcome under a key not yet claimed; false if another request holds the key. */
export async function storeKey(
	q: Queryable,
	principal: string,
	key: string,
	fingerprint: string,
	status: number,
	response: string,
): Promise<boolean> {
	return (await q.query(STORE, [principal, key, fingerprint, status, response])).length > 0;
}

/** Deletes up to `limit` keys older than `hours`; returns how many went. */
export async function pruneKeys(q: Queryable, hours: number, limit: number): Promise<number> {
	const rows = await q.query<{ n: number }>(
		`WITH gone AS (
			DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY(
				SELECT ctid FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1) LIMIT $2
			)) RETURNING 1
		) SELECT count(*)::int AS n FROM gone`,
		[hours, limit],
	);
	return rows[0]?.n ?? 0;
}
