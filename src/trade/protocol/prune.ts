import type { TradeLedger } from "../ledger/types";

/**
 * Forgets stamps and decisions older than `retention` seconds, except those a record still in
 * the ledger refers to. A repeat of a forgotten id would apply again, so the retention must be
 * longer than anything can take to come back (default 180 days; a vault message id is
 * remembered 60 days).
 */
export function pruneLedger(ledger: TradeLedger, now: number, retention: number): number {
	const cutoff = now - retention;
	const live = new Set<string>();
	for (const [trade] of pairs(ledger.legs)) live.add(trade);
	for (const [trade] of pairs(ledger.waiting)) live.add(trade);
	for (const [id, parcel] of pairs(ledger.outbox)) {
		live.add(id);
		if (parcel.trade !== undefined) live.add(parcel.trade);
	}
	for (const [id, parcel] of pairs(ledger.inbox)) {
		live.add(id);
		if (parcel.trade !== undefined) live.add(parcel.trade);
	}
	let removed = 0;
	for (const [id, at] of pairs(ledger.stamps)) {
		if (at < cutoff && !live.has(id)) {
			delete ledger.stamps[id];
			removed += 1;
		}
	}
	for (const [trade, decision] of pairs(ledger.decisions)) {
		if (decision.at < cutoff && !live.has(trade)) {
			delete ledger.decisions[trade];
			removed += 1;
		}
	}
	return removed;
}
