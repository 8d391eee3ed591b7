import { legId } from "../ledger/ids";
import type { TradeLedger } from "../ledger/types";

/** Ids and trades a record still in the ledger refers to: their stamps and decisions are kept. */
function liveIds(ledger: TradeLedger): Set<string> {
	const live = new Set<string>();
	for (const [trade] of pairs(ledger.legs)) live.add(trade);
	for (const [trade, leg] of pairs(ledger.waiting)) {
		live.add(trade);
		live.add(legId(trade, leg.from));
	}
	for (const [id, parcel] of pairs(ledger.outbox)) {
		live.add(id);
		if (parcel.trade !== undefined) live.add(parcel.trade);
	}
	for (const [id, parcel] of pairs(ledger.inbox)) {
		live.add(id);
		if (parcel.trade !== undefined) live.add(parcel.trade);
	}
	return live;
}

/**
 * Forgets stamps and decisions older than `retention` seconds, except those a record still in
 * the ledger refers to, and moves `ledger.forgotten` up to the newest one forgotten. A repeat of
 * a forgotten id would apply again, so the retention must be longer than anything can take to
 * come back (default 180 days; a vault message id is remembered 60 days); a coordinator holds
 * back a leg older than `forgotten` instead (see `receiveLeg`).
 */
export function pruneLedger(ledger: TradeLedger, now: number, retention: number): number {
	const cutoff = now - retention;
	const live = liveIds(ledger);
	let removed = 0;
	let newest = ledger.forgotten ?? 0;
	for (const [id, at] of pairs(ledger.stamps)) {
		if (at < cutoff && !live.has(id)) {
			delete ledger.stamps[id];
			removed += 1;
			newest = math.max(newest, at);
		}
	}
	for (const [trade, decision] of pairs(ledger.decisions)) {
		if (decision.at < cutoff && !live.has(trade)) {
			delete ledger.decisions[trade];
			removed += 1;
			newest = math.max(newest, decision.at);
		}
	}
	if (removed > 0) ledger.forgotten = newest;
	return removed;
}
