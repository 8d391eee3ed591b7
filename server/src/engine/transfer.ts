import { storeKey } from "../db/idempotency.js";
import { decrementItem, grantItem, moveItem, readItem } from "../db/items.js";
import { journalByKey } from "../db/journal.js";
import { lockAndBump } from "../db/players.js";
import { journalKey, recordWrite } from "../db/record.js";
import { constraintOf, SQLSTATE, sqlState } from "../db/sqlstate.js";
import type { Queryable } from "../db/types.js";
import { BusinessError } from "../errors.js";
import type { TransferBody, TransferLeg } from "../schemas/ops.js";
import { type Applied, applyCurrency, emptyApplied } from "./accumulate.js";
import type { EngineDeps } from "./deps.js";
import { Abort, errorOutcome, type Outcome } from "./outcome.js";
import type { Principal } from "./principal.js";
import { reusedDetails, storedOutcome, storeRejection } from "./replay.js";
import { withRetries } from "./retry.js";

/** A validated, authorised transfer call. */
export interface TransferRequest {
	key: string;
	body: TransferBody;
	fingerprint: string;
}

/** Every player a transfer touches, ascending: the order rows are locked in, so crossing transfers cannot deadlock. */
export function transferPlayers(body: TransferBody): number[] {
	const ids = new Set<number>();
	for (const leg of body.legs) ids.add(leg.from).add(leg.to);
	return [...ids].sort((a, b) => a - b);
}

async function replayFromJournal(q: Queryable, principal: Principal, request: TransferRequest): Promise<Outcome> {
	const rows = await journalByKey(
		q,
		transferPlayers(request.body),
		principal.scope,
		journalKey("transfer", request.key),
	);
	if (rows.length === 0) return errorOutcome("conflict_in_progress", undefined, { retry: true });
	if (rows.some((row) => row.fingerprint !== request.fingerprint)) {
		return errorOutcome("idempotency_key_reused", undefined, reusedDetails(request.key, { status: 201 }));
	}
	const body = JSON.stringify({ players: rows.map((row) => ({ userId: row.userId, version: row.version })) });
	return { status: 201, body, replayed: true };
}

async function moveLegItems(
	tx: Queryable,
	leg: TransferLeg,
	legIndex: number,
	from: Applied,
	to: Applied,
): Promise<void> {
	for (const wanted of leg.items ?? []) {
		const item = await readItem(tx, leg.from, wanted.id);
		const count = wanted.count ?? item?.count ?? 0;
		if (!item || count > item.count) {
			throw new BusinessError("item_not_owned", undefined, {
				legIndex,
				userId: leg.from,
				id: wanted.id,
				count,
				have: item?.count ?? 0,
			});
		}
		let moved = item;
		if (count === item.count) {
			await moveItem(tx, leg.from, leg.to, item.id);
			from.ops.push({ op: "transfer.out", to: leg.to, id: item.id, count, before: item, after: null });
		} else {
			if (wanted.newId === undefined) {
				throw new BusinessError("split_requires_new_id", undefined, { legIndex, id: item.id, count, have: item.count });
			}
			moved = { ...item, id: wanted.newId, count };
			const remaining = (await decrementItem(tx, leg.from, item.id, count))!;
			if (!(await grantItem(tx, leg.to, moved))) {
				throw new BusinessError("item_exists", undefined, { legIndex, id: wanted.newId });
			}
			from.ops.push({
				op: "transfer.out",
				to: leg.to,
				id: item.id,
				count,
				before: item,
				after: { ...item, count: remaining },
			});
		}
		to.ops.push({ op: "transfer.in", from: leg.from, id: moved.id, count, before: null, after: moved });
		from.results.push({ op: "transfer.out", id: item.id, count });
		to.results.push({ op: "transfer.in", id: moved.id, count });
	}
}

async function moveLegCurrencies(
	tx: Queryable,
	leg: TransferLeg,
	legIndex: number,
	from: Applied,
	to: Applied,
): Promise<void> {
	for (const [currency, amount] of Object.entries(leg.currencies ?? {})) {
		const out = await applyCurrency(tx, leg.from, currency, -amount, from, { legIndex });
		const into = await applyCurrency(tx, leg.to, currency, amount, to, { legIndex });
		from.ops.push({ op: "transfer.out", to: leg.to, currency, amount, before: out.before, after: out.after });
		to.ops.push({ op: "transfer.in", from: leg.from, currency, amount, before: into.before, after: into.after });
		from.results.push({ op: "transfer.out", currency, amount, balance: out.after });
		to.results.push({ op: "transfer.in", currency, amount, balance: into.after });
	}
}

async function attempt(deps: EngineDeps, principal: Principal, request: TransferRequest): Promise<Outcome> {
	const { key, fingerprint, body } = request;
	return deps.db.transaction(async (tx) => {
		const stored = await storedOutcome(tx, principal.scope, key, fingerprint);
		if (stored) return stored;
		const players = transferPlayers(body);
		if ((await journalByKey(tx, players, principal.scope, journalKey("transfer", key))).length > 0) {
			throw new Abort(await replayFromJournal(tx, principal, request));
		}
		const versions = new Map<number, number>();
		const applied = new Map<number, Applied>();
		for (const id of players) {
			versions.set(id, await lockAndBump(tx, id));
			applied.set(id, emptyApplied());
		}
		for (const [legIndex, leg] of body.legs.entries()) {
			const from = applied.get(leg.from)!;
			const to = applied.get(leg.to)!;
			await moveLegCurrencies(tx, leg, legIndex, from, to);
			await moveLegItems(tx, leg, legIndex, from, to);
		}
		for (const id of players) {
			const write = applied.get(id)!;
			await recordWrite(tx, {
				userId: id,
				version: versions.get(id)!,
				principal: principal.scope,
				key,
				fingerprint,
				kind: "transfer",
				actor: principal.actor,
				reason: body.reason ?? null,
				ops: write.ops,
				results: write.results,
				ledger: write.ledger,
			});
		}
		const response = JSON.stringify({ players: players.map((id) => ({ userId: id, version: versions.get(id)! })) });
		await storeKey(tx, principal.scope, key, fingerprint, 201, response);
		await deps.hooks.beforeCommit?.(tx);
		return { status: 201, body: response, replayed: false };
	});
}

/**
 * Moves items and currency between players in one database transaction, all legs or none. Player rows
 * are locked in ascending id order. Same idempotency rules as a transaction.
 */
export async function executeTransfer(
	deps: EngineDeps,
	principal: Principal,
	request: TransferRequest,
): Promise<Outcome> {
	try {
		return await withRetries(
			() => attempt(deps, principal, request),
			() => deps.metrics.inc("hopsafe_db_retries_total"),
		);
	} catch (error) {
		if (error instanceof Abort) return error.outcome;
		if (error instanceof BusinessError) {
			deps.metrics.inc("hopsafe_business_rejections_total", { code: error.code });
			return storeRejection(deps.db, principal.scope, request.key, request.fingerprint, error);
		}
		if (sqlState(error) === SQLSTATE.uniqueViolation && constraintOf(error) === "journal_player_key_unique") {
			return replayFromJournal(deps.db, principal, request);
		}
		throw error;
	}
}
