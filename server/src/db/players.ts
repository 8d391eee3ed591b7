import { type Queryable, sql } from "./types.js";

/** A player's full state as the wire format shows it. */
export interface PlayerState {
	userId: number;
	version: number;
	currencies: Record<string, number>;
	items: { id: string; def: string; count: number; attrs: Record<string, unknown> }[];
	docs: Record<string, Record<string, unknown>>;
	progress: Record<string, number>;
}

const LOCK = sql(
	"player_lock_bump",
	`INSERT INTO players AS p (id, version) VALUES ($1, 1)
	ON CONFLICT (id) DO UPDATE SET version = p.version + 1, updated_at = now()
	RETURNING version`,
);

// One statement, so every part comes from the same snapshot.
const READ = sql(
	"player_read",
	`SELECT
		coalesce((SELECT version FROM players WHERE id = $1), 0) AS version,
		coalesce((SELECT jsonb_object_agg(currency, amount) FROM balances WHERE player_id = $1), '{}'::jsonb) AS currencies,
		coalesce((SELECT jsonb_agg(jsonb_build_object('id', id, 'def', def, 'count', count, 'attrs', attrs) ORDER BY id)
			FROM items WHERE player_id = $1), '[]'::jsonb) AS items,
		coalesce((SELECT jsonb_object_agg(name, value) FROM docs WHERE player_id = $1), '{}'::jsonb) AS docs,
		coalesce((SELECT jsonb_object_agg(name, value) FROM progress WHERE player_id = $1), '{}'::jsonb) AS progress`,
);

/**
 * Creates the player if needed, locks its row until the transaction ends and bumps its version.
 * Returns the new version. Callers lock several players in ascending id order.
 */
export async function lockAndBump(tx: Queryable, userId: number): Promise<number> {
	const rows = await tx.query<{ version: number }>(LOCK, [userId]);
	return rows[0]!.version;
}

/** Reads a player's state; an unknown player reads as empty at version 0. */
export async function readPlayer(q: Queryable, userId: number): Promise<PlayerState> {
	const row = (await q.query<Omit<PlayerState, "userId">>(READ, [userId]))[0]!;
	return { userId, ...row };
}

/** The player's current version (0 when unknown). */
export async function readVersion(q: Queryable, userId: number): Promise<number> {
	const rows = await q.query<{ version: number }>("SELECT version FROM players WHERE id = $1", [userId]);
	return rows[0]?.version ?? 0;
}
