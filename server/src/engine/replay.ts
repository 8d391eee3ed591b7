import { readKey, storeKey } from "../db/idempotency.js";
import type { Queryable } from "../db/types.js";
import type { BusinessError } from "../errors.js";
import { errorOutcome, type Outcome, replayOutcome } from "./outcome.js";

/** The stored outcome of a key that is already taken: a replay, or 422 when the request differs. */
export async function replayStored(q: Queryable, scope: string, key: string, fingerprint: string): Promise<Outcome> {
	const stored = await readKey(q, scope, key);
	if (!stored || stored.status === null || stored.response === null) {
		return errorOutcome("conflict_in_progress", undefined, { retry: true });
	}
	if (stored.fingerprint !== fingerprint) {
		return errorOutcome("idempotency_key_reused", undefined, { idempotencyKey: key });
	}
	return replayOutcome(stored.status, stored.response);
}

/**
 * Stores a business rejection (409) under the key after its transaction rolled back, so a retry
 * replays it. If a concurrent twin took the key in between, its outcome is the one answered.
 */
export async function storeRejection(
	q: Queryable,
	scope: string,
	key: string,
	fingerprint: string,
	error: BusinessError,
): Promise<Outcome> {
	const body = JSON.stringify(error.toBody());
	if (await storeKey(q, scope, key, fingerprint, error.status, body)) {
		return { status: error.status, body, replayed: false };
	}
	return replayStored(q, scope, key, fingerprint);
}
