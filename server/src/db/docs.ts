import { type Queryable, sql } from "./types.js";

const SET = sql(
	"doc_set",
	`WITH cur AS (
		SELECT value FROM docs WHERE player_id = $1 AND name = $2
	), written AS (
		INSERT INTO docs (player_id, name, value) VALUES ($1, $2, $3::jsonb)
		ON CONFLICT (player_id, name) DO UPDATE SET value = excluded.value
		RETURNING value
	)
	SELECT (SELECT value FROM cur) AS before, (SELECT value FROM written) AS after`,
);

/** Writes a whole document; returns the value before (null if new) and after. */
export async function setDoc(
	tx: Queryable,
	userId: number,
	name: string,
	value: Record<string, unknown>,
): Promise<{ before: unknown; after: unknown }> {
	const row = (await tx.query<{ before: unknown; after: unknown }>(SET, [userId, name, JSON.stringify(value)]))[0]!;
	return { before: row.before, after: row.after };
}
