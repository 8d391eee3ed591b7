import type { Queryable } from "../../src/db/types.js";

/** Balances that differ from the sum of their ledger rows (should be none). */
export async function ledgerMismatches(q: Queryable): Promise<unknown[]> {
	return q.query(
		`SELECT b.player_id, b.currency, b.amount, coalesce(l.total, 0) AS ledger
		FROM balances b
		LEFT JOIN (SELECT player_id, currency, sum(delta)::bigint AS total FROM ledger GROUP BY player_id, currency) l
			USING (player_id, currency)
		WHERE b.amount <> coalesce(l.total, 0)
		UNION ALL
		SELECT l.player_id, l.currency, NULL, l.total
		FROM (SELECT player_id, currency, sum(delta)::bigint AS total FROM ledger GROUP BY player_id, currency) l
		LEFT JOIN balances b USING (player_id, currency)
		WHERE b.player_id IS NULL AND l.total <> 0`,
	);
}

/** Counts of every state table, to show a request changed nothing. */
export async function snapshot(q: Queryable): Promise<string> {
	const rows = await q.query(
		`SELECT
			(SELECT coalesce(sum(version), 0) FROM players) AS versions,
			(SELECT count(*) FROM players) AS players,
			(SELECT coalesce(sum(amount), 0) FROM balances) AS balance_total,
			(SELECT count(*) FROM items) AS items,
			(SELECT count(*) FROM docs) AS docs,
			(SELECT count(*) FROM progress) AS progress,
			(SELECT count(*) FROM idempotency_keys) AS keys,
			(SELECT count(*) FROM journal) AS journal,
			(SELECT count(*) FROM ledger) AS ledger,
			(SELECT count(*) FROM outbox) AS outbox,
			(SELECT count(*) FROM companion_tokens) AS tokens`,
	);
	return JSON.stringify(rows[0]);
}
