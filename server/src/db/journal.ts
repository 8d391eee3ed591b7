import { type Queryable, sql } from "./types.js";

/** One committed write as the change feed and the audit log show it. */
export interface JournalEntry {
	version: number;
	kind: "transaction" | "transfer";
	actor: string;
	reason: string | null;
	ops: unknown[];
	at: string;
}

/** A journal row looked up by its idempotency key. */
export interface JournaledWrite {
	userId: number;
	version: number;
	fingerprint: string;
	kind: "transaction" | "transfer";
	results: unknown[];
}

const SINCE = sql(
	"journal_since",
	`SELECT version, kind, actor, reason, ops, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
	FROM journal WHERE player_id = $1 AND version > $2 ORDER BY version LIMIT $3`,
);
const BEFORE = sql(
	"journal_before",
	`SELECT version, kind, actor, reason, ops, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
	FROM journal WHERE player_id = $1 AND version < $2 ORDER BY version DESC LIMIT $3`,
);
const BY_KEY = sql(
	"journal_by_key",
	`SELECT player_id AS "userId", version, fingerprint, kind, results
	FROM journal WHERE player_id = ANY ($1::bigint[]) AND principal = $2 AND idem_key = $3 AND kind = 'transfer'
	ORDER BY player_id`,
);

const TRANSACTION_BY_KEY = sql(
	"journal_transaction_by_key",
	`SELECT version FROM journal WHERE player_id = $1 AND principal = $2 AND idem_key = $3 AND kind = 'transaction'`,
);

/** The version at which this player's transaction with `key` applied, or undefined. */
export async function transactionVersion(
	q: Queryable,
	userId: number,
	principal: string,
	key: string,
): Promise<number | undefined> {
	const rows = await q.query<{ version: number | string }>(TRANSACTION_BY_KEY, [userId, principal, key]);
	return rows[0] === undefined ? undefined : Number(rows[0].version);
}

/** Up to `limit` writes after version `since`, oldest first. */
export async function journalSince(
	q: Queryable,
	userId: number,
	since: number,
	limit: number,
): Promise<JournalEntry[]> {
	return q.query<JournalEntry>(SINCE, [userId, since, limit]);
}

/** Up to `limit` writes before version `before`, newest first (audit paging). */
export async function journalBefore(
	q: Queryable,
	userId: number,
	before: number,
	limit: number,
): Promise<JournalEntry[]> {
	return q.query<JournalEntry>(BEFORE, [userId, before, limit]);
}

/** The transfer writes recorded for these players under a journal key (see `journalKey`). */
export async function journalByKey(
	q: Queryable,
	userIds: number[],
	principal: string,
	journalKey: string,
): Promise<JournaledWrite[]> {
	return q.query<JournaledWrite>(BY_KEY, [userIds, principal, journalKey]);
}
