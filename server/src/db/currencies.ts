import { MAX_INT } from "../schemas/common.js";
import { type Queryable, sql } from "./types.js";

/** Result of a guarded delta: the balance before and after, or why it was refused. */
export type DeltaResult =
	| { ok: true; before: number; after: number }
	| { ok: false; reason: "insufficient_funds" | "limit_exceeded"; balance: number };

// Credits upsert; the WHERE keeps the sum storable. Debits only update an existing row and only if
// the result stays non-negative. Both re-check the WHERE after waiting on a concurrent writer.
const CREDIT = sql(
	"balance_credit",
	`INSERT INTO balances AS b (player_id, currency, amount) VALUES ($1, $2, $3)
	ON CONFLICT (player_id, currency) DO UPDATE SET amount = b.amount + excluded.amount
	WHERE b.amount + excluded.amount <= ${MAX_INT}
	RETURNING amount`,
);
const DEBIT = sql(
	"balance_debit",
	"UPDATE balances SET amount = amount + $3 WHERE player_id = $1 AND currency = $2 AND amount + $3 >= 0 RETURNING amount",
);
const READ = sql("balance_read", "SELECT amount FROM balances WHERE player_id = $1 AND currency = $2");

/** Applies `delta` to a balance, guarded in SQL: never below zero, never above 2^53 - 1. */
export async function addCurrency(
	tx: Queryable,
	userId: number,
	currency: string,
	delta: number,
): Promise<DeltaResult> {
	const rows = await tx.query<{ amount: number }>(delta >= 0 ? CREDIT : DEBIT, [userId, currency, delta]);
	const after = rows[0]?.amount;
	if (after !== undefined) return { ok: true, before: after - delta, after };
	const current = (await tx.query<{ amount: number }>(READ, [userId, currency]))[0]?.amount ?? 0;
	return { ok: false, reason: delta >= 0 ? "limit_exceeded" : "insufficient_funds", balance: current };
}
