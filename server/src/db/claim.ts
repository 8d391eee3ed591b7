import { type Queryable, sql } from "./types.js";

/** What claiming a key for a one-player transaction found. */
export interface Claim {
	/** False when the key already exists (a replay or a reuse). */
	claimed: boolean;
	/** The player's new version (already bumped and row-locked) when claimed. */
	version: number | null;
	/** Version of an earlier committed write with this key, kept after the key itself was pruned. */
	journaledVersion: number | null;
}

// One round trip: insert the key; only if that succeeded, create-or-lock the player row and bump its
// version (rolled back with everything else if the transaction fails). Also looks the key up in the
// permanent journal, which outlives the idempotency window.
const CLAIM = sql(
	"claim_and_lock",
	`WITH k AS (
		INSERT INTO idempotency_keys (principal, key, fingerprint) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING RETURNING 1
	), p AS (
		INSERT INTO players AS p (id, version) SELECT $4, 1 WHERE EXISTS (SELECT 1 FROM k)
		ON CONFLICT (id) DO UPDATE SET version = p.version + 1, updated_at = now()
		RETURNING version
	)
	SELECT EXISTS (SELECT 1 FROM k) AS claimed,
		(SELECT version FROM p) AS version,
		(SELECT version FROM journal WHERE player_id = $4 AND principal = $1 AND idem_key = $2) AS journaled_version`,
);

/** Claims `key` for `principal` and, if claimed, locks the player and bumps its version. */
export async function claimAndLock(
	tx: Queryable,
	principal: string,
	key: string,
	fingerprint: string,
	userId: number,
): Promise<Claim> {
	const rows = await tx.query<{ claimed: boolean; version: number | null; journaled_version: number | null }>(CLAIM, [
		principal,
		key,
		fingerprint,
		userId,
	]);
	const row = rows[0];
	return {
		claimed: row?.claimed ?? false,
		version: row?.version ?? null,
		journaledVersion: row?.journaled_version ?? null,
	};
}
