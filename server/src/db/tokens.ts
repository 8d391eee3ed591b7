import type { Queryable } from "./types.js";

/** A live companion token, looked up by the hash of its secret. */
export interface TokenRow {
	id: number;
	userId: number;
	ops: string[];
}

/** Stores a token by its hash; returns its id and expiry. */
export async function insertToken(
	q: Queryable,
	tokenHash: string,
	userId: number,
	ops: string[],
	ttlSeconds: number,
): Promise<{ id: number; expiresAt: string }> {
	const rows = await q.query<{ id: number; expiresAt: string }>(
		`INSERT INTO companion_tokens (token_hash, user_id, ops, expires_at)
		VALUES ($1, $2, $3::text[], now() + make_interval(secs => $4))
		RETURNING id, to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "expiresAt"`,
		[tokenHash, userId, ops, ttlSeconds],
	);
	return rows[0]!;
}

/** The unexpired token with this hash, or undefined. */
export async function findToken(q: Queryable, tokenHash: string): Promise<TokenRow | undefined> {
	const rows = await q.query<TokenRow>(
		`SELECT id, user_id AS "userId", ops FROM companion_tokens WHERE token_hash = $1 AND expires_at > now()`,
		[tokenHash],
	);
	return rows[0];
}

/** Deletes expired tokens; returns how many went. */
export async function pruneTokens(q: Queryable): Promise<number> {
	const rows = await q.query<{ n: number }>(
		"WITH gone AS (DELETE FROM companion_tokens WHERE expires_at <= now() RETURNING 1) SELECT count(*)::int AS n FROM gone",
	);
	return rows[0]?.n ?? 0;
}
