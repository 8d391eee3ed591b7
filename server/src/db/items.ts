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
