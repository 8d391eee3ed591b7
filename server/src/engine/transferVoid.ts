import { keepKey, lockKey, readKeyLocked, type StoredKey, storeKey } from "../db/idempotency.js";
import { type JournaledWrite, journalByKey } from "../db/journal.js";
import { journalKey } from "../db/record.js";
import type { Queryable } from "../db/types.js";
import { BusinessError, type ErrorBody } from "../errors.js";
import type { EngineDeps } from "./deps.js";
import { VOID_FINGERPRINT } from "./fingerprint.js";
import type { Outcome } from "./outcome.js";
import type { Principal } from "./principal.js";
import { withRetries } from "./retry.js";

/** A validated transfer void call. */
export interface TransferVoidRequest {
	key: string;
	/** Players the transfer touches (any of them finds its journal rows). */
	players: number[];
}

/** What a player received in a transfer: item ids (as they are now) with counts, and currencies. */
interface Received {
	items: { id: string; count: number }[];
	currencies: Record<string, number>;
}

/** One player's version after the write, and what they received when the journal shows it. */
interface PlayerVersion {
	userId: number;
	version: number;
	received?: Received;
}

/** A journal row's results of a transfer: `transfer.in` entries are what the player received. */
function receivedOf(results: unknown[]): Received {
	const items: Received["items"] = [];
	// A Map: currency names are the caller's, and `constructor` or `toString` must not read Object's.
	const currencies = new Map<string, number>();
	for (const result of results as { op?: string; id?: string; count?: number; currency?: string; amount?: number }[]) {
		if (result.op !== "transfer.in") continue;
		if (result.id !== undefined) items.push({ id: result.id, count: result.count ?? 0 });
		else if (result.currency !== undefined) {
			currencies.set(result.currency, (currencies.get(result.currency) ?? 0) + (result.amount ?? 0));
		}
	}
	return { items, currencies: Object.fromEntries(currencies) };
}

function withReceived(players: PlayerVersion[], rows: JournaledWrite[]): PlayerVersion[] {
	return players.map((player) => {
		const row = rows.find((candidate) => candidate.userId === player.userId);
		return row === undefined ? player : { ...player, received: receivedOf(row.results) };
	});
}

/** What a void answers: the key's transfer applied, was refused, or never applies. */
export type TransferVoidAnswer =
	| { status: "applied"; players: PlayerVersion[] }
	| { status: "refused"; error: ErrorBody["error"] }
	| { status: "voided" };

function appliedPlayers(response: string): PlayerVersion[] {
	// A transfer's body lists its players; a transaction that took the key names its one player.
	const body = JSON.parse(response) as { players?: PlayerVersion[]; userId?: number; version?: number };
	const players = body.players ?? [{ userId: body.userId!, version: body.version! }];
	return players.map((player) => ({ userId: player.userId, version: player.version }));
}

/**
 * A refusal stored under the key, now its answer for good: kept from the pruner, since a retry of the
 * key once the refusal was gone could apply.
 */
async function settleRefusal(
	deps: EngineDeps,
	tx: Queryable,
	scope: string,
	key: string,
	stored: StoredKey,
): Promise<TransferVoidAnswer> {
	await keepKey(tx, scope, key);
	await deps.hooks.beforeCommit?.(tx);
	return { status: "refused", error: (JSON.parse(stored.response) as ErrorBody).error };
}

async function attempt(
	deps: EngineDeps,
	principal: Principal,
	request: TransferVoidRequest,
): Promise<TransferVoidAnswer> {
	const { key, players } = request;
	return deps.db.transaction(async (tx) => {
		// The lock a transfer (and a transaction) with this key takes before anything else: whichever
		// comes second finds the outcome the first committed.
		await lockKey(tx, principal.scope, key);
		// Locked too, against the pruner: a refusal it deletes meanwhile must not be answered (and kept)
		// after it is gone, or a retry of the transfer could apply after the void said it was refused.
		const stored = await readKeyLocked(tx, principal.scope, key);
		if (stored?.fingerprint === VOID_FINGERPRINT) return { status: "voided" };
		if (stored && stored.status !== 201) return settleRefusal(deps, tx, principal.scope, key, stored);
		// The transfer's journal rows (kept forever, also once the key was pruned) say what each
		// listed player received.
		const rows = await journalByKey(tx, players, principal.scope, journalKey("transfer", key));
		if (stored) return { status: "applied", players: withReceived(appliedPlayers(stored.response), rows) };
		if (rows.length > 0) {
			const found = rows.map((row) => ({ userId: row.userId, version: row.version }));
			return { status: "applied", players: withReceived(found, rows) };
		}
		const voided = new BusinessError("transfer_voided", undefined, { idempotencyKey: key });
		await storeKey(tx, principal.scope, key, VOID_FINGERPRINT, voided.status, JSON.stringify(voided.toBody()));
		await deps.hooks.beforeCommit?.(tx);
		return { status: "voided" };
	});
}

/**
 * Settles a transfer key for good, in one database transaction under the key's lock: the outcome
 * stored under it, else the transfer's journal rows (its key was pruned), else a void stored under
 * the key, which every later request with it replays as 409 `transfer_voided`. The pruner keeps voids
 * and the refusals a void answered.
 * Always 200 with the answer.
 */
export async function voidTransfer(
	deps: EngineDeps,
	principal: Principal,
	request: TransferVoidRequest,
): Promise<Outcome> {
	const answer = await withRetries(
		() => attempt(deps, principal, request),
		() => deps.metrics.inc("hopsafe_db_retries_total"),
	);
	deps.metrics.inc("hopsafe_transfer_voids_total", { status: answer.status });
	return { status: 200, body: JSON.stringify(answer), replayed: false };
}
