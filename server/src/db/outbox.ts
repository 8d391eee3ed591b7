import type { Queryable } from "./types.js";

/** A pending push invalidation: the newest version of one player. */
export interface OutboxRow {
	playerId: number;
	version: number;
	attempts: number;
}

/**
 * Leases up to `limit` due rows for `leaseSeconds`. SKIP LOCKED lets replicas drain side by side; the
 * lease (a later next_at) is committed at once, so no transaction stays open during HTTP calls.
 */
export async function leaseDue(q: Queryable, limit: number, leaseSeconds: number): Promise<OutboxRow[]> {
	return q.query<OutboxRow>(
		`UPDATE outbox AS o SET next_at = now() + make_interval(secs => $2)
		FROM (SELECT player_id FROM outbox WHERE next_at <= now() ORDER BY next_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
		WHERE o.player_id = due.player_id
		RETURNING o.player_id AS "playerId", o.version, o.attempts`,
		[limit, leaseSeconds],
	);
}

/** Removes a delivered row, unless a newer version arrived meanwhile (that one still needs sending). */
export async function ackDelivered(q: Queryable, playerId: number, version: number): Promise<void> {
	await q.query("DELETE FROM outbox WHERE player_id = $1 AND version = $2", [playerId, version]);
}

/** Schedules another attempt after `delayMs`, unless a newer version arrived meanwhile. */
export async function retryLater(q: Queryable, playerId: number, version: number, delayMs: number): Promise<void> {
	await q.query(
		`UPDATE outbox SET attempts = attempts + 1, next_at = now() + make_interval(secs => $3::float8 / 1000)
		WHERE player_id = $1 AND version = $2`,
		[playerId, version, delayMs],
	);
}

/** Deletes rows not touched for `seconds` (delivery is best effort; game servers also pull). */
export async function pruneOutbox(q: Queryable, seconds: number): Promise<number> {
	const rows = await q.query<{ n: number }>(
		`WITH gone AS (DELETE FROM outbox WHERE updated_at < now() - make_interval(secs => $1) RETURNING 1)
		SELECT count(*)::int AS n FROM gone`,
		[seconds],
	);
	return rows[0]?.n ?? 0;
}
