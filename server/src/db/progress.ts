import { type Queryable, sql } from "./types.js";

// Monotonic: the row only changes when the new value is higher.
const ADVANCE = sql(
	"progress_advance",
	`WITH cur AS (
		SELECT value FROM progress WHERE player_id = $1 AND name = $2
	), written AS (
		INSERT INTO progress AS p (player_id, name, value) VALUES ($1, $2, $3)
		ON CONFLICT (player_id, name) DO UPDATE SET value = excluded.value WHERE p.value < excluded.value
		RETURNING value
	)
	SELECT (SELECT value FROM cur) AS before, (SELECT value FROM written) AS written`,
);

/** Advances a progress counter to `to` if it is lower; returns the value before (null if new) and after. */
export async function advanceProgress(
	tx: Queryable,
	userId: number,
	name: string,
	to: number,
): Promise<{ before: number | null; after: number; advanced: boolean }> {
	const row = (await tx.query<{ before: number | null; written: number | null }>(ADVANCE, [userId, name, to]))[0]!;
	const advanced = row.written !== null;
	return { before: row.before, after: advanced ? to : (row.before ?? to), advanced };
}
