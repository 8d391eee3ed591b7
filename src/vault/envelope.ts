import { makeError, type HopsafeError } from "../core/errors";
import { err, ok, type Result } from "../core/result";

/** How hopsafe stores a player's data inside a ProfileService profile (`profile.Data`). */
export interface Envelope {
	schemaVersion: number;
	/** The oldest schema version whose servers may still write this data. */
	lastCompatibleVersion: number;
	value: unknown;
	/** Ids of vault messages already applied, with the Unix time they were applied. */
	processed?: Record<string, number>;
}

/** The session lock as ProfileService stores it: `[placeId, jobId]`. */
export interface Holder {
	readonly placeId: number;
	readonly jobId: string;
}

/** What a raw stored value says before anything is loaded for writing. */
export interface Inspection {
	/** Undefined for a player with no stored profile. */
	readonly envelope?: Envelope;
	/** The server holding the session lock, if any. */
	readonly holder?: Holder;
}

const isPositiveInteger = (value: unknown): value is number =>
	typeIs(value, "number") && value >= 1 && value % 1 === 0 && value < 2 ** 31;

function corrupted(reason: string): HopsafeError<"CorruptedData"> {
	return makeError("CorruptedData", `stored value is not a hopsafe profile: ${reason}`, { reason });
}

function readHolder(metaData: Record<string, unknown>): Holder | undefined {
	const session = metaData.ActiveSession;
	if (!typeIs(session, "table")) return undefined;
	const [placeId, jobId] = session as [unknown, unknown];
	if (!typeIs(jobId, "string")) return undefined;
	return { placeId: typeIs(placeId, "number") ? placeId : 0, jobId };
}

/** Reads an envelope out of `profile.Data`, adopting unversioned data when allowed. */
export function readEnvelope(
	data: unknown,
	adoptUnversioned?: (data: unknown) => unknown,
): Result<Envelope, HopsafeError> {
	if (!typeIs(data, "table")) return err(corrupted(`Data is a ${typeOf(data)}`));
	const candidate = data as Partial<Envelope>;
	if (candidate.schemaVersion === undefined) {
		if (adoptUnversioned === undefined) return err(corrupted("Data has no schemaVersion"));
		const [adopted, value] = pcall(adoptUnversioned, data);
		if (!adopted) return err(corrupted(`adoptUnversioned rejected it: ${tostring(value)}`));
		return ok({ schemaVersion: 1, lastCompatibleVersion: 1, value });
	}
	if (!isPositiveInteger(candidate.schemaVersion)) return err(corrupted("schemaVersion is not a positive integer"));
	const lastCompatible = candidate.lastCompatibleVersion ?? candidate.schemaVersion;
	if (!isPositiveInteger(lastCompatible) || lastCompatible > candidate.schemaVersion) {
		return err(corrupted("lastCompatibleVersion is invalid"));
	}
	if (candidate.value === undefined) return err(corrupted("Data has no value"));
	// The ids of applied messages are what keeps a message that comes back locked from being
	// applied again: dropping them here would lose them at the next save.
	if (candidate.processed !== undefined && !typeIs(candidate.processed, "table")) {
		return err(corrupted("processed is not a table"));
	}
	return ok({
		schemaVersion: candidate.schemaVersion,
		lastCompatibleVersion: lastCompatible,
		value: candidate.value,
		processed: candidate.processed,
	});
}

/**
 * Checks a raw DataStore value in ProfileService's format (`{ Data, MetaData, ... }`) without
 * changing anything: a value that is not a profile is never loaded, so it is never overwritten.
 */
export function inspectStoredValue(
	raw: unknown,
	adoptUnversioned?: (data: unknown) => unknown,
): Result<Inspection, HopsafeError> {
	if (raw === undefined) return ok({});
	if (!typeIs(raw, "table")) return err(corrupted(`the key holds a ${typeOf(raw)}`));
	const profile = raw as { Data?: unknown; MetaData?: unknown; GlobalUpdates?: unknown };
	// A profile that was never loaded but has messages waiting holds only GlobalUpdates.
	if (profile.Data === undefined && profile.MetaData === undefined && typeIs(profile.GlobalUpdates, "table")) {
		return ok({});
	}
	if (!typeIs(profile.MetaData, "table")) return err(corrupted("MetaData is missing"));
	// ProfileService silently replaces a profile without GlobalUpdates by a new one.
	if (!typeIs(profile.GlobalUpdates, "table")) return err(corrupted("GlobalUpdates is missing"));
	const envelope = readEnvelope(profile.Data, adoptUnversioned);
	if (!envelope.ok) return envelope;
	return ok({ envelope: envelope.value, holder: readHolder(profile.MetaData as Record<string, unknown>) });
}
