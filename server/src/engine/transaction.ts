import { sqlState } from "../db/sqlstate.js";
import { applyTransaction, TRANSACTION_STATES, type TransactionArgs, type TransactionRow } from "../db/transactions.js";
import { BusinessError, type ErrorCode, ERRORS } from "../errors.js";
import type { TransactionBody } from "../schemas/ops.js";
import type { EngineDeps } from "./deps.js";
import { compactJson, errorOutcome, type Outcome } from "./outcome.js";
import type { Principal } from "./principal.js";
import { replayOf, storeRejection } from "./replay.js";
import { withRetries } from "./retry.js";

/** A validated, authorised transaction call. */
export interface TransactionRequest {
	userId: number;
	key: string;
	/** Version the caller expects (If-Match), if given. */
	ifMatch: number | undefined;
	body: TransactionBody;
	fingerprint: string;
	/** Do not announce this write through push invalidation (see `parsePush`). */
	quiet: boolean;
}

function details(error: unknown): Record<string, unknown> {
	try {
		return JSON.parse((error as { detail?: string }).detail ?? "{}") as Record<string, unknown>;
	} catch {
		return {};
	}
}

function outcomeOfRow(row: TransactionRow, request: TransactionRequest): Outcome {
	if (row.outcome === "done") {
		return { status: 201, body: compactJson(row.body!), replayed: false, etag: row.version! };
	}
	// A stored outcome, or a write kept in the journal after its key was pruned; 422 if the request differs.
	return replayOf(
		{ fingerprint: row.fingerprint!, status: row.status!, response: row.body! },
		request.key,
		request.fingerprint,
	);
}

async function attempt(deps: EngineDeps, args: TransactionArgs): Promise<TransactionRow> {
	const beforeCommit = deps.hooks.beforeCommit;
	// One statement is its own transaction. Only the test-only fault hook needs an explicit one, to run
	// between the writes and COMMIT.
	if (!beforeCommit) return applyTransaction(deps.db, args);
	return deps.db.transaction(async (tx) => {
		const row = await applyTransaction(tx, args);
		if (row.outcome === "done") await beforeCommit(tx);
		return row;
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
	const args: TransactionArgs = {
		principal: principal.scope,
		key: request.key,
		fingerprint: request.fingerprint,
		userId: request.userId,
		ifMatch: request.ifMatch,
		ops: request.body.ops,
		reason: request.body.reason,
		actor: principal.actor,
		quiet: request.quiet,
	};
	try {
		const row = await withRetries(
			() => attempt(deps, args),
			() => deps.metrics.inc("hopsafe_db_retries_total"),
		);
		return outcomeOfRow(row, request);
	} catch (error) {
		const state = sqlState(error);
		if (state === TRANSACTION_STATES.versionMismatch) {
			return errorOutcome("version_mismatch", undefined, details(error));
		}
		if (state === TRANSACTION_STATES.rejected) {
			const message = (error as Error).message;
			const code: ErrorCode = Object.hasOwn(ERRORS, message) ? (message as ErrorCode) : "invalid_request";
			const rejection = new BusinessError(code, undefined, details(error));
			deps.metrics.inc("hopsafe_business_rejections_total", { code: rejection.code });
			return storeRejection(deps.db, principal.scope, request.key, request.fingerprint, rejection);
		}
		throw error;
	}
}
