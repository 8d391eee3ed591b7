// The two-way trade protocol on one profile's ledger, as pure functions (no engine, no I/O).
// Each returns the keys of the records it created, which must be saved before they are acted
// upon. The coordinator's ledger is where a trade is decided; see Leg in ledger/types.ts.
import type { StackBundle } from "../../inventory/service/transferStacks";
import { backId, deliverId, legId } from "../ledger/ids";
import { summarizeBundle } from "../ledger/summary";
import type { Leg, Parcel, TradeLedger } from "../ledger/types";
import { decisionKey, inboxKey, legKey, outboxKey } from "./keys";

/** What receiving a leg did at the coordinator. */
export type LegVerdict =
	/** Already received (the same leg again): nothing changed. */
	| "duplicate"
	/** Held until this coordinator escrows its own side (or the deadline passes). */
	| "waiting"
	| "committed"
	| "aborted"
	/** The trade was already decided without it: the leg goes back to its owner. */
	| "refunded"
	/**
	 * Unknown, and older than what this ledger has forgotten: it may belong to a trade decided
	 * and pruned since, so it is neither taken nor refunded (it stays escrowed with its owner).
	 */
	| "held";

/** The outcome of a ledger step: what it decided and which records must be saved. */
export interface LedgerStep<V extends string> {
	readonly verdict: V;
	readonly keys: ReadonlyArray<string>;
}

/**
 * Seconds by which two servers' clocks may disagree, generously: a leg's time is its owner's,
 * the times a coordinator forgets are its own. Far below any sensible retention.
 */
const CLOCK_MARGIN = 300;

function parcel(bundle: StackBundle, from: number, to: number, trade: string, now: number): Parcel {
	return { stacks: bundle.stacks, currency: bundle.currency, from, to, trade, at: now };
}

/** Records this player's escrowed side of a trade (its items already left the inventory). */
export function openLeg(ledger: TradeLedger, leg: Leg, now: number): ReadonlyArray<string> {
	ledger.legs[leg.trade] = leg;
	ledger.stamps[leg.trade] = now;
	return [legKey(leg.trade)];
}

/**
 * The coordinator decides a trade whose two legs it holds: both sides agree on the terms →
 * committed (its own side goes to the partner, the partner's comes into its inbox); otherwise
 * aborted (each side goes back).
 */
export function decide(
	ledger: TradeLedger,
	owner: number,
	own: Leg,
	theirs: Leg,
	now: number,
): LedgerStep<"committed" | "aborted"> {
	const trade = own.trade;
	const agreed = summarizeBundle(theirs.give) === own.expect && summarizeBundle(own.give) === theirs.expect;
	if (!agreed) return abortTrade(ledger, owner, trade, now, theirs);
	delete ledger.legs[trade];
	delete ledger.waiting[trade];
	const partner = theirs.from;
	const out = deliverId(trade, partner);
	const into = legId(trade, partner);
	ledger.outbox[out] = parcel(own.give, owner, partner, trade, now);
	ledger.inbox[into] = parcel(theirs.give, partner, owner, trade, now);
	ledger.decisions[trade] = { outcome: "committed", tookLeg: true, at: now };
	return { verdict: "committed", keys: [outboxKey(out), inboxKey(into), decisionKey(trade)] };
}

/**
 * The coordinator aborts a trade: its own escrowed side (if any) goes back into its inbox, the
 * partner's leg (held, or `theirs` just received) goes back to the partner.
 */
export function abortTrade(
	ledger: TradeLedger,
	owner: number,
	trade: string,
	now: number,
	theirs?: Leg,
): LedgerStep<"aborted"> {
	const keys = new Array<string>();
	const decision = { outcome: "aborted" as const, tookLeg: false, at: now };
	const own = ledger.legs[trade];
	if (own !== undefined) {
		const back = backId(trade, owner);
		ledger.inbox[back] = parcel(own.give, owner, owner, trade, now);
		ledger.stamps[back] = now;
		delete ledger.legs[trade];
		keys.push(inboxKey(back));
	}
	const held = theirs ?? ledger.waiting[trade];
	if (held !== undefined) {
		const back = backId(trade, held.from);
		ledger.outbox[back] = parcel(held.give, owner, held.from, trade, now);
		delete ledger.waiting[trade];
		decision.tookLeg = true;
		keys.push(outboxKey(back));
	}
	ledger.decisions[trade] = decision;
	keys.push(decisionKey(trade));
	return { verdict: "aborted", keys };
}

/** Whether the ledger may have taken `leg`, decided its trade and forgotten both since. */
function mayHaveForgotten(ledger: TradeLedger, leg: Leg): boolean {
	const forgotten = ledger.forgotten;
	return forgotten !== undefined && leg.at <= forgotten + CLOCK_MARGIN;
}

/**
 * The coordinator receives a partner's leg (by message, or handed over on the same server).
 * Applied at most once per leg: its id is stamped.
 */
export function receiveLeg(ledger: TradeLedger, owner: number, leg: Leg, now: number): LedgerStep<LegVerdict> {
	const id = legId(leg.trade, leg.from);
	if (ledger.stamps[id] !== undefined) return { verdict: "duplicate", keys: [] };
	const decision = ledger.decisions[leg.trade];
	const mine = leg.coordinator === owner && leg.from !== owner;
	// Refunding a leg taken and forgotten would duplicate it: its trade may have committed.
	if (decision === undefined && mine && ledger.legs[leg.trade] === undefined && mayHaveForgotten(ledger, leg)) {
		return { verdict: "held", keys: [] };
	}
	ledger.stamps[id] = now;
	if (decision !== undefined || !mine) {
		if (decision !== undefined && decision.tookLeg) return { verdict: "duplicate", keys: [] };
		// Decided without it (or not this profile's to decide): it goes back to its owner.
		const back = backId(leg.trade, leg.from);
		ledger.outbox[back] = parcel(leg.give, owner, leg.from, leg.trade, now);
		if (decision !== undefined) decision.tookLeg = true;
		return { verdict: "refunded", keys: [outboxKey(back)] };
	}
	const own = ledger.legs[leg.trade];
	if (own !== undefined) return decide(ledger, owner, own, leg, now);
	if (now >= leg.deadline) return abortTrade(ledger, owner, leg.trade, now, leg);
	ledger.waiting[leg.trade] = leg;
	return { verdict: "waiting", keys: [] };
}

/**
 * The coordinator hears that the partner `from` was refused its side of `trade` on its own
 * server: the trade cannot happen, so a side the coordinator holds escrowed for it is aborted
 * (it comes back) rather than held until the deadline. Nothing changes when the trade is
 * decided, the partner's leg arrived after all (it governs), or no such side is held here; the
 * decision then makes a leg the partner escrows later under the same id go back to it.
 */
export function receiveRefusal(
	ledger: TradeLedger,
	owner: number,
	trade: string,
	from: number,
	now: number,
): LedgerStep<"aborted"> | undefined {
	if (ledger.decisions[trade] !== undefined || ledger.waiting[trade] !== undefined) return undefined;
	const own = ledger.legs[trade];
	if (own === undefined || own.coordinator !== owner || own.partner !== from) return undefined;
	return abortTrade(ledger, owner, trade, now);
}

/**
 * The coordinator escrowed its own side (`openLeg` ran): decides at once if the partner's leg
 * is already waiting. Returns undefined when it is not.
 */
export function decideIfReady(
	ledger: TradeLedger,
	owner: number,
	trade: string,
	now: number,
): LedgerStep<"committed" | "aborted"> | undefined {
	const own = ledger.legs[trade];
	const theirs = ledger.waiting[trade];
	if (own === undefined || theirs === undefined) return undefined;
	return decide(ledger, owner, own, theirs, now);
}

/**
 * Turns a commit that was never saved into an abort: the coordinator's side comes back into its
 * inbox and the partner's goes back to the partner. Only valid while neither record was acted
 * upon (they are acted upon only once saved); returns false, changing nothing, otherwise.
 */
export function revertCommit(ledger: TradeLedger, owner: number, trade: string, partner: number, now: number): boolean {
	const decision = ledger.decisions[trade];
	const out = ledger.outbox[deliverId(trade, partner)];
	const into = ledger.inbox[legId(trade, partner)];
	if (decision === undefined || decision.outcome !== "committed" || out === undefined || into === undefined) {
		return false;
	}
	delete ledger.outbox[deliverId(trade, partner)];
	delete ledger.inbox[legId(trade, partner)];
	const home = backId(trade, owner);
	ledger.inbox[home] = parcel(out, owner, owner, trade, now);
	ledger.stamps[home] = now;
	ledger.outbox[backId(trade, partner)] = parcel(into, owner, partner, trade, now);
	ledger.decisions[trade] = { outcome: "aborted", tookLeg: true, at: now };
	return true;
}

/** The keys `revertCommit` creates. */
export function revertKeys(owner: number, trade: string, partner: number): ReadonlyArray<string> {
	return [inboxKey(backId(trade, owner)), outboxKey(backId(trade, partner)), decisionKey(trade)];
}

/**
 * A player takes back its own escrowed side before handing it to anyone (its save was not
 * confirmed): the items go to its inbox under the id a refund would carry, so a refund that
 * arrives later anyway (after a crash) is recognised and not applied twice. A coordinator's
 * cancel is an abort.
 */
export function cancelLeg(ledger: TradeLedger, owner: number, trade: string, now: number): ReadonlyArray<string> {
	const own = ledger.legs[trade];
	if (own === undefined) return [];
	if (own.coordinator === owner) return abortTrade(ledger, owner, trade, now).keys;
	const back = backId(trade, owner);
	ledger.inbox[back] = parcel(own.give, owner, owner, trade, now);
	ledger.stamps[back] = now;
	delete ledger.legs[trade];
	return [inboxKey(back)];
}

/** The coordinator aborts every trade whose deadline passed without the other leg; returns their ids. */
export function expireLegs(
	ledger: TradeLedger,
	owner: number,
	now: number,
	skip?: (trade: string) => boolean,
): { readonly trades: ReadonlyArray<string>; readonly keys: ReadonlyArray<string> } {
	const trades = new Array<string>();
	const keys = new Array<string>();
	const expired = new Set<string>();
	for (const [trade, leg] of pairs(ledger.legs)) {
		if (leg.coordinator === owner && leg.deadline <= now) expired.add(trade);
	}
	for (const [trade, leg] of pairs(ledger.waiting)) if (leg.deadline <= now) expired.add(trade);
	for (const trade of expired) {
		if (skip?.(trade) === true) continue;
		trades.push(trade);
		for (const key of abortTrade(ledger, owner, trade, now).keys) keys.push(key);
	}
	return { trades, keys };
}

/** What settling a partner's leg in an absent coordinator's ledger did. */
export interface AbsentSettlement {
	readonly changed: boolean;
	/** The parcels of the trade the coordinator's outbox holds for the partner (delivery or refund). */
	readonly parcels: ReadonlyArray<[string, Parcel]>;
}

/**
 * The partner settles its leg, once the deadline passed, in the stored ledger of a coordinator
 * no server holds, as the coordinator's own server would: the leg is received (unless it was)
 * and a trade still open is aborted. The parcels returned are for the partner to receive; they
 * stay in the coordinator's outbox until retired.
 */
export function settleForAbsent(ledger: TradeLedger, leg: Leg, now: number): AbsentSettlement {
	const owner = leg.coordinator;
	let changed = false;
	if (ledger.stamps[legId(leg.trade, leg.from)] === undefined) {
		changed = receiveLeg(ledger, owner, leg, now).verdict !== "held";
	}
	const open = ledger.legs[leg.trade] !== undefined || ledger.waiting[leg.trade] !== undefined;
	if (open && now >= leg.deadline) {
		abortTrade(ledger, owner, leg.trade, now);
		changed = true;
	}
	const parcels = new Array<[string, Parcel]>();
	for (const id of [deliverId(leg.trade, leg.from), backId(leg.trade, leg.from)]) {
		const waiting = ledger.outbox[id];
		if (waiting !== undefined) parcels.push([id, waiting]);
	}
	return { changed, parcels };
}
