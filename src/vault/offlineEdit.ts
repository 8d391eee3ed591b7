/* eslint-disable roblox-ts/no-user-defined-lua-tuple -- UpdateAsync's transform returns (value, userIds, metadata) as a LuaTuple. */
import { describeThrown, makeError, type HopsafeError } from "../core/errors";
import { retry, type RetryOptions } from "../core/retry";
import { errorCode, isThrottleError } from "../core/throttle";
import { inspectStoredValue, type Envelope } from "./envelope";
import { migrateEnvelope, type MigrationPlan } from "./migrations";
import { clearLock, idleWait, type DeadHolder } from "./orphanedLock";

/** What an offline edit did (see `Vault.editOffline`). */
export type OfflineEdit = "edited" | "unchanged" | "held" | "absent";

/** How a vault reads stored data: its migrations, schema and adoption of unversioned data. */
export interface StoredDataRules<T> {
	readonly plan: MigrationPlan;
	readonly schema: (value: unknown) => value is T;
	readonly adoptUnversioned?: (data: unknown) => unknown;
}

/** The parts of ProfileService's stored value an edit touches. */
interface StoredProfile {
	Data?: unknown;
	RobloxMetaData?: unknown;
	UserIds?: Array<number>;
	MetaData?: { LastUpdate?: number; ActiveSession?: unknown; SessionLoadCount?: number };
}

/** What one attempt found: the outcome, and the server holding the lock when it was `"held"`. */
interface EditAttempt {
	readonly write?: StoredProfile;
	readonly outcome: OfflineEdit | HopsafeError;
	readonly holder?: string;
}

/** Whether the lock of `stored`, held by `holder`, may be taken from that dead server. */
function isOrphaned(stored: StoredProfile, holder: string, dead?: DeadHolder): boolean {
	return dead !== undefined && holder === dead.jobId && idleWait(stored, dead) === 0;
}

/**
 * One attempt of the transform: the stored value edited in place (returned to be written), or
 * nothing to write and why. A lock held by `deadHolder` (a server found dead) is cleared by the
 * write, as a load would steal it.
 */
function editValue<T>(
	stored: StoredProfile | undefined,
	rules: StoredDataRules<T>,
	edit: (data: T) => boolean,
	deadHolder?: DeadHolder,
): EditAttempt {
	const inspected = inspectStoredValue(stored, rules.adoptUnversioned);
	if (!inspected.ok) return { outcome: inspected.error };
	const { envelope, holder } = inspected.value;
	if (stored === undefined || envelope === undefined) return { outcome: "absent" };
	// Only the session holding the lock may write: it would overwrite this edit.
	const orphaned = holder !== undefined && isOrphaned(stored, holder.jobId, deadHolder);
	if (holder !== undefined && !orphaned) return { outcome: "held", holder: holder.jobId };
	const migrated = migrateEnvelope(envelope, rules.plan, rules.schema);
	if (!migrated.ok) return { outcome: migrated.error };
	const [ran, changed] = pcall(edit, migrated.value.value as T);
	if (!ran) {
		const failure = makeError("CallbackFailed", `an offline edit threw: ${describeThrown(changed)}`, {
			callback: "editOffline",
		});
		return { outcome: failure };
	}
	if (changed !== true) return { outcome: "unchanged" };
	// The processed message ids are not part of what a read sees: keep them as stored.
	const processed = (stored.Data as Partial<Envelope>).processed;
	stored.Data = { ...migrated.value, processed };
	if (stored.MetaData !== undefined) {
		stored.MetaData.LastUpdate = os.time();
		// The dead session's saves and release find the lock gone: it writes nothing more.
		if (orphaned) clearLock(stored);
	}
	return { write: stored, outcome: "edited" };
}

/**
 * Applies `edit` to the data stored under `key` in one UpdateAsync, only while no session holds
 * the key's lock: a ProfileService session writes only while it holds the lock, so nothing
 * overwrites the edit, and the next load reads it. `edit` gets the data migrated and validated
 * as a load would, and may run more than once (the DataStore retries the transform).
 *
 * The write is tried as `policy` says: it should retry only failures that changed nothing
 * (throttling), as the edit applies again to what a write that errored may have stored.
 *
 * A lock held by `deadHolder` (a server whose liveness expired) and unwritten for its `idleFor`
 * counts as free and is cleared by the edit's write. `"held"` comes with the JobId holding the
 * lock (`holder`).
 */
export function editStoredProfile<T>(
	dataStore: DataStore,
	key: string,
	rules: StoredDataRules<T>,
	edit: (data: T) => boolean,
	policy: RetryOptions,
	deadHolder?: DeadHolder,
): { readonly outcome: OfflineEdit | HopsafeError; readonly holder?: string } {
	let outcome: OfflineEdit | HopsafeError = "absent";
	let holder: string | undefined;
	const [success, thrown] = retry(policy, () =>
		dataStore.UpdateAsync(key, (stored: StoredProfile | undefined) => {
			const attempt = editValue(stored, rules, edit, deadHolder);
			outcome = attempt.outcome;
			holder = attempt.holder;
			const write = attempt.write;
			if (write === undefined) return $tuple(undefined);
			// UpdateAsync clears user ids and metadata it is not given back.
			return $tuple(write, write.UserIds, write.RobloxMetaData as object | undefined);
		}),
	);
	if (success) return { outcome, holder };
	const failure = makeError("PlatformFailure", `could not edit ${key}: ${describeThrown(thrown)}`, {
		service: "DataStoreService",
		operation: "UpdateAsync",
		retryable: true,
		code: errorCode(thrown),
		throttled: isThrottleError(thrown) ? true : undefined,
	});
	return { outcome: failure };
}
