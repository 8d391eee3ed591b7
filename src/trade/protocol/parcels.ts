// Parcels (gifts, delivered sides, refunds) on one profile's ledger, as pure functions.
import { backId, deliverId } from "../ledger/ids";
import type { Parcel, TradeLedger } from "../ledger/types";
import { inboxKey, outboxKey } from "./keys";

/** What receiving a parcel did. */
export interface ParcelReceipt {
	/** False when the parcel was already received (nothing changed). */
	readonly applied: boolean;
	/** The trade whose escrowed leg the parcel settled, if any, and how it ended for this player. */
	readonly settled?: { readonly trade: string; readonly outcome: "completed" | "failed" };
	readonly keys: ReadonlyArray<string>;
}

/** Sends a parcel: stamps its id (a second send with the same id is refused by the caller) and puts it in the outbox. */
export function sendParcel(ledger: TradeLedger, id: string, parcel: Parcel, now: number): ReadonlyArray<string> {
	ledger.stamps[id] = now;
	ledger.outbox[id] = parcel;
	return [outboxKey(id)];
}

/**
 * Receives a parcel into the inbox, at most once per id. A delivered side or a refund settles
 * the recipient's escrowed leg of that trade.
 */
export function receiveParcel(
	ledger: TradeLedger,
	owner: number,
	id: string,
	parcel: Parcel,
	now: number,
): ParcelReceipt {
	if (ledger.stamps[id] !== undefined) return { applied: false, keys: [] };
	ledger.stamps[id] = now;
	ledger.inbox[id] = parcel;
	const keys = [inboxKey(id)];
	const trade = parcel.trade;
	if (trade === undefined) return { applied: true, keys };
	const leg = ledger.legs[trade];
	if (leg === undefined || leg.from !== owner || leg.coordinator === owner) return { applied: true, keys };
	if (id !== deliverId(trade, owner) && id !== backId(trade, owner)) return { applied: true, keys };
	delete ledger.legs[trade];
	const outcome = id === deliverId(trade, owner) ? "completed" : "failed";
	return { applied: true, settled: { trade, outcome }, keys };
}

/**
 * Takes back a parcel that was never sent on (its save was not confirmed): it goes to the
 * sender's own inbox under a stamped id. Returns the keys, or undefined if it is not there.
 */
export function cancelParcel(
	ledger: TradeLedger,
	owner: number,
	id: string,
	now: number,
): ReadonlyArray<string> | undefined {
	const parcel = ledger.outbox[id];
	if (parcel === undefined) return undefined;
	delete ledger.outbox[id];
	const back = backId(id, owner);
	ledger.inbox[back] = { stacks: parcel.stacks, currency: parcel.currency, from: owner, to: owner, at: now };
	ledger.stamps[back] = now;
	return [inboxKey(back)];
}

/** Removes parcels delivered by someone else from the outbox; returns whether any was there. */
export function retireParcels(ledger: TradeLedger, ids: ReadonlyArray<string>): boolean {
	let retired = false;
	for (const id of ids) {
		if (ledger.outbox[id] === undefined) continue;
		delete ledger.outbox[id];
		retired = true;
	}
	return retired;
}
