import { ackDelivered, leaseDue, type OutboxRow, retryLater } from "../db/outbox.js";
import type { Queryable } from "../db/types.js";
import type { Metrics } from "../metrics.js";
import { PUBLISH_TIMEOUT_MS, type Publisher } from "./publisher.js";

/** How the drainer batches, retries and gives up. */
export interface DrainOptions {
	batch: number;
	concurrency: number;
	/** The publisher's timeout: the lease ({@link leaseSeconds}) is derived from it. */
	publishTimeoutMs: number;
	maxAttempts: number;
	baseDelayMs: number;
	maxDelayMs: number;
}

export const DEFAULT_DRAIN: DrainOptions = {
	batch: 100,
	concurrency: 8,
	publishTimeoutMs: PUBLISH_TIMEOUT_MS,
	maxAttempts: 10,
	baseDelayMs: 500,
	maxDelayMs: 60_000,
};

/** Allowance for the database write that records each publish's outcome. */
const RECORD_MS = 1000;

/**
 * How long a leased batch stays out of other replicas' reach: the worst time to work through it, each
 * worker publishing ceil(batch / concurrency) rows, each up to the publish timeout and then recorded.
 * A shorter lease would let another replica lease rows still being published, and send them twice.
 */
export function leaseSeconds(options: DrainOptions): number {
	const rounds = Math.ceil(options.batch / options.concurrency);
	return Math.ceil((rounds * (options.publishTimeoutMs + RECORD_MS)) / 1000);
}

/** Exponential backoff with jitter (50-100% of the step). */
export function backoffMs(attempts: number, options: DrainOptions): number {
	const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempts);
	return Math.round(step * (0.5 + Math.random() / 2));
}

async function deliver(db: Queryable, publish: Publisher, row: OutboxRow, metrics: Metrics, options: DrainOptions) {
	const result = await publish(row.playerId, row.version);
	if (result.ok) {
		metrics.inc("hopsafe_outbox_published_total");
		await ackDelivered(db, row.playerId, row.version);
		return;
	}
	metrics.inc("hopsafe_outbox_failures_total", { reason: result.reason });
	if (row.attempts + 1 >= options.maxAttempts) {
		// Best effort: game servers also pull changes on a timer, so a lost nudge only delays a refresh.
		metrics.inc("hopsafe_outbox_failures_total", { reason: "gave_up" });
		await ackDelivered(db, row.playerId, row.version);
		return;
	}
	await retryLater(db, row.playerId, row.version, result.retryAfterMs ?? backoffMs(row.attempts, options));
}

/** Leases due rows and publishes them; returns how many rows were handled. */
export async function drainOnce(
	db: Queryable,
	publish: Publisher,
	metrics: Metrics,
	options: DrainOptions = DEFAULT_DRAIN,
): Promise<number> {
	const rows = await leaseDue(db, options.batch, leaseSeconds(options));
	let next = 0;
	const worker = async () => {
		while (next < rows.length) await deliver(db, publish, rows[next++]!, metrics, options);
	};
	await Promise.all(Array.from({ length: Math.min(options.concurrency, rows.length) }, worker));
	return rows.length;
}
