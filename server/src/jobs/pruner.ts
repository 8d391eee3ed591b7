import { pruneKeys } from "../db/idempotency.js";
import { pruneOutbox } from "../db/outbox.js";
import { pruneTokens } from "../db/tokens.js";
import type { Queryable } from "../db/types.js";
import { VOID_FINGERPRINT } from "../engine/fingerprint.js";
import type { Metrics } from "../metrics.js";

const CHUNK = 5000;
/** Outbox rows untouched this long are dropped (delivered, given up, or never to be sent). */
export const OUTBOX_RETENTION_SECONDS = 3600;

/** What one pruning pass removed. */
export interface PruneReport {
	keys: number;
	tokens: number;
	outbox: number;
}

/**
 * Removes idempotency keys past retention (in chunks), expired tokens and stale outbox rows. Voided
 * transfer keys stay, and so do refusals a void answered (kept): either must outlive any retry of its
 * transfer, and there is one per abandoned trade.
 */
export async function pruneOnce(db: Queryable, retentionHours: number, metrics: Metrics): Promise<PruneReport> {
	let keys = 0;
	for (;;) {
		const removed = await pruneKeys(db, retentionHours, CHUNK, VOID_FINGERPRINT);
		keys += removed;
		if (removed < CHUNK) break;
	}
	const tokens = await pruneTokens(db);
	const outbox = await pruneOutbox(db, OUTBOX_RETENTION_SECONDS);
	metrics.inc("hopsafe_pruned_total", { table: "idempotency_keys" }, keys);
	metrics.inc("hopsafe_pruned_total", { table: "companion_tokens" }, tokens);
	metrics.inc("hopsafe_pruned_total", { table: "outbox" }, outbox);
	return { keys, tokens, outbox };
}
