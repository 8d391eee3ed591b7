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
		return errorOutcome("idempotency_key_reused", undefined, reusedDetails(key, stored));
	return replayOutcome(stored.status, stored.response);
}

/**
 * What a 422 tells about the request that took the key: its status, and its error code when it was
 * refused. A caller whose retry differs from its first attempt (a server that lost its copy) learns
 * whether that attempt applied.
 */
export function reusedDetails(key: string, stored: { status: number; response?: string }): Record<string, unknown> {
	const details: Record<string, unknown> = { idempotencyKey: key, storedStatus: stored.status };
	if (stored.status >= 400 && stored.response !== undefined) {
		try {
			const code = (JSON.parse(stored.response) as { error?: { code?: unknown } }).error?.code;
			if (typeof code === "string") details.storedCode = code;
		} catch {
			// A stored body is always JSON; without a code the status still says it was refused.
		}
	}
	return details;
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
