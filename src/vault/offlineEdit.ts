/* eslint-disable roblox-ts/no-user-defined-lua-tuple -- UpdateAsync's transform returns (value, userIds, metadata) as a LuaTuple. */
import { describeThrown, makeError, type HopsafeError } from "../core/errors";
import { inspectStoredValue, type Envelope } from "./envelope";
import { migrateEnvelope, type MigrationPlan } from "./migrations";

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
	MetaData?: { LastUpdate?: number };
}

/**
 * One attempt of the transform: the stored value edited in place (returned to be written), or
 * nothing to write and why.
 */
function editValue<T>(
	stored: StoredProfile | undefined,
	rules: StoredDataRules<T>,
	edit: (data: T) => boolean,
): { write?: StoredProfile; outcome: OfflineEdit | HopsafeError } {
	const inspected = inspectStoredValue(stored, rules.adoptUnversioned);
	if (!inspected.ok) return { outcome: inspected.error };
	const { envelope, holder } = inspected.value;
	if (stored === undefined || envelope === undefined) return { outcome: "absent" };
	// Only the session holding the lock may write: it would overwrite this edit.
	if (holder !== undefined) return { outcome: "held" };
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
	if (stored.MetaData !== undefined) stored.MetaData.LastUpdate = os.time();
	return { write: stored, outcome: "edited" };
}

/**
 * Applies `edit` to the data stored under `key` in one UpdateAsync, only while no session holds
 * the key's lock: a ProfileService session writes only while it holds the lock, so nothing
 * overwrites the edit, and the next load reads it. `edit` gets the data migrated and validated
 * as a load would, and may run more than once (the DataStore retries the transform).
 */
export function editStoredProfile<T>(
	dataStore: DataStore,
	key: string,
	rules: StoredDataRules<T>,
	edit: (data: T) => boolean,
): OfflineEdit | HopsafeError {
	let outcome: OfflineEdit | HopsafeError = "absent";
	const [success, thrown] = pcall(() =>
		dataStore.UpdateAsync(key, (stored: StoredProfile | undefined) => {
			const attempt = editValue(stored, rules, edit);
			outcome = attempt.outcome;
			const write = attempt.write;
			if (write === undefined) return $tuple(undefined);
			// UpdateAsync clears user ids and metadata it is not given back.
			return $tuple(write, write.UserIds, write.RobloxMetaData as object | undefined);
		}),
	);
	if (success) return outcome;
	return makeError("PlatformFailure", `could not edit ${key}: ${describeThrown(thrown)}`, {
		service: "DataStoreService",
		operation: "UpdateAsync",
		retryable: true,
	});
}
