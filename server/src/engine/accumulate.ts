import { addCurrency } from "../db/currencies.js";
import type { LedgerRows } from "../db/record.js";
import type { Queryable } from "../db/types.js";
import { BusinessError } from "../errors.js";

/** What a transfer did to one player, ready to be recorded. */
export interface Applied {
	/** Each operation with `before` and `after` (journal, change feed, audit). */
	ops: unknown[];
	/** Per-operation results for the response. */
	results: unknown[];
	ledger: LedgerRows;
}

/** An empty accumulator for one player's writes. */
export function emptyApplied(): Applied {
	return { ops: [], results: [], ledger: { currency: [], delta: [], after: [] } };
}

/** Applies a guarded currency delta and records it; throws a 409 when refused. */
export async function applyCurrency(
	tx: Queryable,
	userId: number,
	currency: string,
	delta: number,
	into: Applied,
	details: Record<string, unknown>,
): Promise<{ before: number; after: number }> {
	const result = await addCurrency(tx, userId, currency, delta);
	if (!result.ok) {
		throw new BusinessError(result.reason, undefined, {
			...details,
			userId,
			currency,
			amount: delta,
			balance: result.balance,
		});
	}
	into.ledger.currency.push(currency);
	into.ledger.delta.push(delta);
	into.ledger.after.push(result.after);
	return result;
}
