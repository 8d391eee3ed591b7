import { type Queryable, sql } from "./types.js";

/** A stored idempotency record. */
export interface StoredKey {
	fingerprint: string;
	status: number;
	response: string;
}

const LOCK = sql("key_lock", "SELECT hopsafe_lock_key($1, $2)");
const READ = sql(
	"key_read",
	"SELECT fingerprint, status, response FROM idempotency_keys WHERE principal = $1 AND key = $2",
);
const READ_LOCKED = sql(
	"key_read_locked",
	"SELECT fingerprint, status, response FROM idempotency_keys WHERE principal = $1 AND key = $2 FOR UPDATE",
);
const STORE = sql(
	"key_store",
	`INSERT INTO idempotency_keys (principal, key, fingerprint, status, response) VALUES ($1, $2, $3, $4, $5)
	ON CONFLICT DO NOTHING RETURNING 1 AS ok`,
);
const KEEP = sql("key_keep", "UPDATE idempotency_keys SET kept = true WHERE principal = $1 AND key = $2 AND NOT kept");

/**
 * Serialises requests using this key until the transaction ends (a transaction-scoped advisory lock):
 * a concurrent twin waits here, then reads the outcome the first one stored.
 */
export async function lockKey(tx: Queryable, principal: string, key: string): Promise<void> {
	await tx.query(LOCK, [principal, key]);
}

/** Reads a stored key, or undefined. */
export async function readKey(q: Queryable, principal: string, key: string): Promise<StoredKey | undefined> {
	return (await q.query<StoredKey>(READ, [principal, key]))[0];
}

/**
 * Reads a stored key and locks its row until the transaction ends, so that the pruner (which does not
 * take the key's lock) cannot delete it behind the caller's back: a row it is deleting reads as gone.
 */
export async function readKeyLocked(q: Queryable, principal: string, key: string): Promise<StoredKey | undefined> {
	return (await q.query<StoredKey>(READ_LOCKED, [principal, key]))[0];
}

/**
 * Stores a final outcome under a key. Callers hold the key's lock and found it free, so a key that
 * already holds an outcome means that check was wrong: this throws, and rolling back keeps the first.
 */
export async function storeKey(
	q: Queryable,
	principal: string,
	key: string,
	fingerprint: string,
	status: number,
	response: string,
): Promise<void> {
	if ((await q.query(STORE, [principal, key, fingerprint, status, response])).length === 0) {
		throw new Error(`idempotency key ${JSON.stringify(key)} already holds an outcome`);
	}
}

/** Exempts a stored key from pruning: its outcome now settles the key for good. */
export async function keepKey(q: Queryable, principal: string, key: string): Promise<void> {
	await q.query(KEEP, [principal, key]);
}

/**
 * Deletes up to `limit` keys older than `hours`, except kept ones and those whose fingerprint is
 * `keep`; returns how many went.
 */
export async function pruneKeys(q: Queryable, hours: number, limit: number, keep: string): Promise<number> {
	const rows = await q.query<{ n: number }>(
		`WITH gone AS (
			DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY(
				SELECT ctid FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1) AND fingerprint <> $3 AND NOT kept
				LIMIT $2
			)) RETURNING 1
		) SELECT count(*)::int AS n FROM gone`,
		[hours, limit, keep],
	);
	return rows[0]?.n ?? 0;
}
