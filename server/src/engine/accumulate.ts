import { addCurrency } from "../db/currencies.js";
import { setDoc } from "../db/docs.js";
import { grantItem, readItem, removeItem, updateItemAttrs } from "../db/items.js";
import { advanceProgress } from "../db/progress.js";
import type { LedgerRows } from "../db/record.js";
import type { Queryable } from "../db/types.js";
import { BusinessError } from "../errors.js";
import type { Op } from "../schemas/ops.js";

/** What applying a player's operations produced, ready to be recorded. */
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

async function applyOne(tx: Queryable, userId: number, op: Op, opIndex: number, into: Applied): Promise<void> {
	switch (op.op) {
		case "currency.add": {
			const { before, after } = await applyCurrency(tx, userId, op.currency, op.amount, into, { opIndex });
			into.ops.push({ ...op, before, after });
			into.results.push({ op: op.op, currency: op.currency, balance: after });
			return;
		}
		case "item.grant": {
			const item = { id: op.item.id, def: op.item.def, count: op.item.count, attrs: op.item.attrs };
			if (!(await grantItem(tx, userId, item))) {
				throw new BusinessError("item_exists", undefined, { opIndex, id: item.id });
			}
			into.ops.push({ ...op, before: null, after: item });
			into.results.push({ op: op.op, id: item.id, count: item.count });
			return;
		}
		case "item.remove": {
			const count = op.count ?? 1;
			const removed = await removeItem(tx, userId, op.id, count);
			if (!removed) {
				const have = (await readItem(tx, userId, op.id))?.count ?? 0;
				throw new BusinessError("item_not_owned", undefined, { opIndex, id: op.id, count, have });
			}
			const after = removed.remaining > 0 ? { ...removed.before, count: removed.remaining } : null;
			into.ops.push({ ...op, count, before: removed.before, after });
			into.results.push({ op: op.op, id: op.id, count, remaining: removed.remaining });
			return;
		}
		case "item.update": {
			const updated = await updateItemAttrs(tx, userId, op.id, op.attrs);
			if (!updated) throw new BusinessError("item_not_owned", undefined, { opIndex, id: op.id });
			into.ops.push({ ...op, before: updated.before, after: updated.after });
			into.results.push({ op: op.op, id: op.id });
			return;
		}
		case "doc.set": {
			const { before, after } = await setDoc(tx, userId, op.name, op.value);
			into.ops.push({ ...op, before, after });
			into.results.push({ op: op.op, name: op.name });
			return;
		}
		case "progress.advance": {
			const { before, after, advanced } = await advanceProgress(tx, userId, op.name, op.to);
			into.ops.push({ ...op, before, after });
			into.results.push({ op: op.op, name: op.name, value: after, advanced });
			return;
		}
	}
}

/** Applies a transaction's operations in order; the first refusal throws a {@link BusinessError}. */
export async function applyOps(tx: Queryable, userId: number, ops: Op[]): Promise<Applied> {
	const applied = emptyApplied();
	for (const [index, op] of ops.entries()) await applyOne(tx, userId, op, index, applied);
	return applied;
}
