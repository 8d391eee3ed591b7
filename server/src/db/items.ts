import { type Queryable, sql } from "./types.js";

/** An item row as the wire format shows it. */
export interface Item {
	id: string;
	def: string;
	count: number;
	attrs: Record<string, unknown>;
}

const GRANT = sql(
	"item_grant",
	`INSERT INTO items (id, player_id, def, count, attrs) VALUES ($1, $2, $3, $4, $5::jsonb)
	ON CONFLICT (id) DO NOTHING RETURNING id`,
);
const READ = sql("item_read", "SELECT id, def, count, attrs FROM items WHERE id = $1 AND player_id = $2");
// Removing the whole stack deletes the row; removing part decrements it. Only one branch matches.
const REMOVE = sql(
	"item_remove",
	`WITH cur AS (
		SELECT id, def, count, attrs FROM items WHERE id = $1 AND player_id = $2 AND count >= $3
	), gone AS (
		DELETE FROM items WHERE id = $1 AND player_id = $2 AND count = $3 RETURNING id
	), left_over AS (
		UPDATE items SET count = count - $3 WHERE id = $1 AND player_id = $2 AND count > $3 RETURNING count
	)
	SELECT cur.id, cur.def, cur.count, cur.attrs, (SELECT count FROM left_over) AS remaining FROM cur`,
);
const UPDATE_ATTRS = sql(
	"item_update_attrs",
	`WITH cur AS (
		SELECT attrs FROM items WHERE id = $1 AND player_id = $2
	), changed AS (
		UPDATE items SET attrs = $3::jsonb WHERE id = $1 AND player_id = $2 RETURNING id, def, count, attrs
	)
	SELECT cur.attrs AS before, changed.id, changed.def, changed.count, changed.attrs FROM cur, changed`,
);
const MOVE = sql("item_move", "UPDATE items SET player_id = $3 WHERE id = $1 AND player_id = $2 RETURNING id");
const DECREMENT = sql(
	"item_decrement",
	"UPDATE items SET count = count - $3 WHERE id = $1 AND player_id = $2 AND count > $3 RETURNING count",
);

/** Inserts a new item; false when the id exists anywhere (the primary key refuses duplicates). */
export async function grantItem(tx: Queryable, userId: number, item: Item): Promise<boolean> {
	const rows = await tx.query(GRANT, [item.id, userId, item.def, item.count, JSON.stringify(item.attrs)]);
	return rows.length > 0;
}

/** The player's item with this id, or undefined. */
export async function readItem(q: Queryable, userId: number, id: string): Promise<Item | undefined> {
	return (await q.query<Item>(READ, [id, userId]))[0];
}

/** Removes `count` of an item; returns the item before and what remains, or undefined if not owned. */
export async function removeItem(
	tx: Queryable,
	userId: number,
	id: string,
	count: number,
): Promise<{ before: Item; remaining: number } | undefined> {
	const row = (await tx.query<Item & { remaining: number | null }>(REMOVE, [id, userId, count]))[0];
	if (!row) return undefined;
	const { remaining, ...before } = row;
	return { before, remaining: remaining ?? 0 };
}

/** Replaces an item's attrs; returns before/after, or undefined if not owned. */
export async function updateItemAttrs(
	tx: Queryable,
	userId: number,
	id: string,
	attrs: Record<string, unknown>,
): Promise<{ before: Item; after: Item } | undefined> {
	const row = (
		await tx.query<Item & { before: Record<string, unknown> }>(UPDATE_ATTRS, [id, userId, JSON.stringify(attrs)])
	)[0];
	if (!row) return undefined;
	const { before, ...after } = row;
	return { before: { ...after, attrs: before }, after };
}

/** Gives a whole item (same id) to another player. */
export async function moveItem(tx: Queryable, from: number, to: number, id: string): Promise<boolean> {
	return (await tx.query(MOVE, [id, from, to])).length > 0;
}

/** Takes `count` from a stack that keeps more than that; returns what remains. */
export async function decrementItem(
	tx: Queryable,
	userId: number,
	id: string,
	count: number,
): Promise<number | undefined> {
	return (await tx.query<{ count: number }>(DECREMENT, [id, userId, count]))[0]?.count;
}
