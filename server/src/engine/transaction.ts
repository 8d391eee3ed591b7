import { claimAndLock } from "../db/claim.js";
import { journalByKey } from "../db/journal.js";
import { recordWriteAndComplete } from "../db/record.js";
import { constraintOf, SQLSTATE, sqlState } from "../db/sqlstate.js";
import type { Queryable } from "../db/types.js";
import { BusinessError } from "../errors.js";
import type { TransactionBody } from "../schemas/ops.js";
import { applyOps } from "./applyOps.js";
import type { EngineDeps } from "./deps.js";
import { Abort, errorOutcome, type Outcome } from "./outcome.js";
import type { Principal } from "./principal.js";
import { replayStored, storeRejection } from "./replay.js";
import { withRetries } from "./retry.js";

/** A validated, authorised transaction call. */
export interface TransactionRequest {
	userId: number;
	key: string;
	/** Version the caller expects (If-Match), if given. */
	ifMatch: number | undefined;
	body: TransactionBody;
	fingerprint: string;
}

/** A write that committed before its key was pruned is answered from the permanent journal. */
async function replayFromJournal(q: Queryable, principal: Principal, request: TransactionRequest): Promise<Outcome> {
	const rows = await journalByKey(q, [request.userId], principal.scope, request.key);
	const row = rows[0];
	if (!row) return errorOutcome("conflict_in_progress", undefined, { retry: true });
	if (row.kind !== "transaction" || row.fingerprint !== request.fingerprint) {
		return errorOutcome("idempotency_key_reused", undefined, { idempotencyKey: request.key });
	}
	const body = JSON.stringify({ userId: request.userId, version: row.version, results: row.results });
	return { status: 201, body, replayed: true, etag: row.version };
}

async function attempt(deps: EngineDeps, principal: Principal, request: TransactionRequest): Promise<Outcome> {
	const { userId, key, fingerprint } = request;
	return deps.db.transaction(async (tx) => {
		const claim = await claimAndLock(tx, principal.scope, key, fingerprint, userId);
		if (!claim.claimed) return replayStored(tx, principal.scope, key, fingerprint);
		if (claim.journaledVersion !== null) throw new Abort(await replayFromJournal(tx, principal, request));
		const version = claim.version!;
		if (request.ifMatch !== undefined && request.ifMatch !== version - 1) {
			throw new Abort(errorOutcome("version_mismatch", undefined, { expected: request.ifMatch, current: version - 1 }));
		}
		const applied = await applyOps(tx, userId, request.body.ops);
		const body = JSON.stringify({ userId, version, results: applied.results });
		await recordWriteAndComplete(
			tx,
			{
				userId,
				version,
				principal: principal.scope,
				key,
				fingerprint,
				kind: "transaction",
				actor: principal.actor,
				reason: request.body.reason ?? null,
				ops: applied.ops,
				results: applied.results,
				ledger: applied.ledger,
			},
			201,
			body,
		);
		await deps.hooks.beforeCommit?.(tx);
		return { status: 201, body, replayed: false, etag: version };
	});
}

/**
 * Runs one player's transaction as one database transaction: claim the key, lock the player and bump
 * its version, apply the operations, record journal/ledger/outbox and the response, commit.
 * Replays, 412 and 422 are answered without storing; 409 rejections are stored; errors store nothing.
 */
export async function executeTransaction(
	deps: EngineDeps,
	principal: Principal,
	request: TransactionRequest,
): Promise<Outcome> {
	try {
		return await withRetries(
			() => attempt(deps, principal, request),
			() => deps.metrics.inc("hopsafe_db_retries_total"),
		);
	} catch (error) {
		if (error instanceof Abort) return error.outcome;
		if (error instanceof BusinessError) {
			return storeRejection(deps.db, principal.scope, request.key, request.fingerprint, error);
		}
		if (sqlState(error) === SQLSTATE.uniqueViolation && constraintOf(error) === "journal_player_key_unique") {
			return replayFromJournal(deps.db, principal, request);
		}
		throw error;
	}
}
