import { lockKey, readKey, storeKey } from "../db/idempotency.js";
import type { Db, Queryable } from "../db/types.js";
import type { BusinessError } from "../errors.js";
import { VOID_FINGERPRINT } from "./fingerprint.js";
import { errorOutcome, type Outcome, replayOutcome } from "./outcome.js";

/**
 * The stored outcome of a key that is taken: a replay, or 422 when the request differs. A voided key
 * replays its 409 `transfer_voided` to every request, whatever it asks.
 */
export function replayOf(
	stored: { fingerprint: string; status: number; response: string },
	key: string,
	fingerprint: string,
): Outcome {
	if (stored.fingerprint !== fingerprint && stored.fingerprint !== VOID_FINGERPRINT)
		return errorOutcome("idempotency_key_reused", undefined, { idempotencyKey: key });
	return replayOutcome(stored.status, stored.response);
}

/** The stored outcome under `key` (after taking the key's lock), or undefined when the key is free. */
export async function storedOutcome(
	tx: Queryable,
	scope: string,
	key: string,
	fingerprint: string,
): Promise<Outcome | undefined> {
	await lockKey(tx, scope, key);
	const stored = await readKey(tx, scope, key);
	return stored ? replayOf(stored, key, fingerprint) : undefined;
}

/**
 * Stores a business rejection (409) under the key after its transaction rolled back, so a retry
 * replays it. If a concurrent twin stored an outcome in between, that outcome is the answer.
 */
export async function storeRejection(
	db: Db,
	scope: string,
	key: string,
	fingerprint: string,
	error: BusinessError,
): Promise<Outcome> {
	const body = JSON.stringify(error.toBody());
	return db.transaction(async (tx) => {
		const existing = await storedOutcome(tx, scope, key, fingerprint);
		if (existing) return existing;
		await storeKey(tx, scope, key, fingerprint, error.status, body);
		return { status: error.status, body, replayed: false };
	});
}
