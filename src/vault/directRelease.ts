/* eslint-disable roblox-ts/no-user-defined-lua-tuple -- UpdateAsync's transform returns (value, userIds, metadata) as a LuaTuple. */
import type { Profile } from "@rbxts/profileservice/globals";
import { isThrottleError } from "../core/throttle";
import type { Envelope } from "./envelope";

/**
 * What a direct release did: wrote the release (or found this session's release already
 * written), found the lock not this session's, left it to ProfileService (global updates it has
 * not saved yet), failed (the write may still have been applied), or was throttled (refused
 * before it was written: the server's request budget and queue, or the key, were full).
 */
export type DirectRelease = "released" | "notHeld" | "deferred" | "failed" | "throttled";

/** A stored global update: `[id, version, locked, data]`. */
type StoredUpdate = [number, number, boolean, unknown];

/** The parts of ProfileService's stored value a release touches. */
interface StoredProfile {
	Data: unknown;
	GlobalUpdates?: [number, Array<StoredUpdate>];
	RobloxMetaData?: unknown;
	UserIds?: Array<number>;
	MetaData: {
		ActiveSession?: [number, string];
		SessionLoadCount?: number;
		MetaTags?: unknown;
		LastUpdate?: number;
	};
}

/** ProfileService's private global-update queues, which a direct release must not skip. */
interface GlobalUpdatesInternals {
	_pending_update_lock?: Array<number>;
	_pending_update_clear?: Array<number>;
}

/** Applies the locks and clears a profile has not saved yet to the stored updates, as ProfileService's saves do. */
function applyPendingUpdates(updates: Array<StoredUpdate>, internals: GlobalUpdatesInternals): void {
	for (const update of updates) {
		if (internals._pending_update_lock?.includes(update[0])) update[2] = true;
	}
	for (const id of internals._pending_update_clear ?? []) {
		const index = updates.findIndex((update) => update[0] === id && update[2]);
		if (index >= 0) updates.remove(index);
	}
}

/**
 * Writes a profile's final save and clears its session lock in one UpdateAsync, the way
 * ProfileService's own release does, but at once: ProfileService spaces every call on a key
 * at least 7 s apart (for a DataStore cooldown Roblox removed in 2023), so a player who hops
 * soon after an auto-save would wait for it. The transform only writes while this server's
 * session (same JobId, same load count) still holds the lock, so it can never overwrite a
 * newer owner; ProfileService's queued release later finds the lock gone and writes nothing
 * new. Profiles with unsaved global-update locks or clears are left to ProfileService, which
 * owns that bookkeeping (`"deferred"`: nothing written), unless `withUpdates` (a release
 * ProfileService no longer writes): then the write applies them as ProfileService's own release
 * would. A lock this session's release already cleared counts as released: a release whose
 * call errored after the DataStore applied it must not read as lost once another server loads
 * (`afterFailure`: a write of this release failed, so look even when the release is deferred).
 */
export function releaseDirectly(
	profile: Profile<Envelope>,
	dataStore: DataStore,
	key: string,
	placeId: number,
	jobId: string,
	withUpdates = false,
	afterFailure = false,
): DirectRelease {
	const globalUpdates = profile.GlobalUpdates as unknown as GlobalUpdatesInternals;
	const leftToProfileService =
		!withUpdates &&
		((globalUpdates._pending_update_lock?.size() ?? 0) > 0 ||
			(globalUpdates._pending_update_clear?.size() ?? 0) > 0);
	// Only after a failed write is it worth a request to see whether that write was applied.
	if (leftToProfileService && !afterFailure) return "deferred";
	const loadCount = profile.MetaData.SessionLoadCount;
	let released = false;
	let alreadyReleased = false;
	let deferred = false;
	const [success, thrown] = pcall(() =>
		dataStore.UpdateAsync(key, (stored: StoredProfile | undefined) => {
			released = false;
			alreadyReleased = false;
			deferred = false;
			if (stored === undefined || !typeIs(stored.MetaData, "table")) return $tuple(undefined);
			const session = stored.MetaData.ActiveSession;
			// No lock, and no load since this session's: only this session's own release (an
			// earlier write whose call errored after it was applied) clears it that way.
			if (session === undefined && stored.MetaData.SessionLoadCount === loadCount) {
				alreadyReleased = true;
				return $tuple(undefined);
			}
			if (!session || session[0] !== placeId || session[1] !== jobId) return $tuple(undefined);
			if (stored.MetaData.SessionLoadCount !== loadCount) return $tuple(undefined);
			if (leftToProfileService) {
				deferred = true;
				return $tuple(undefined);
			}
			if (withUpdates && typeIs(stored.GlobalUpdates, "table")) {
				applyPendingUpdates(stored.GlobalUpdates[1], globalUpdates);
			}
			stored.Data = profile.Data;
			stored.RobloxMetaData = profile.RobloxMetaData;
			stored.UserIds = profile.UserIds;
			stored.MetaData.MetaTags = profile.MetaData.MetaTags;
			stored.MetaData.LastUpdate = os.time();
			stored.MetaData.ActiveSession = undefined;
			released = true;
			// UpdateAsync clears user ids and metadata it is not given back.
			return $tuple(stored, stored.UserIds, stored.RobloxMetaData as object | undefined);
		}),
	);
	if (!success) return isThrottleError(thrown) ? "throttled" : "failed";
	if (released || alreadyReleased) return "released";
	return deferred ? "deferred" : "notHeld";
}

/**
 * Adds `userId` to the user ids of the profile stored under `key` (in the value, where
 * ProfileService keeps them, and on the key), leaving everything else as it is. Returns whether
 * the write succeeded.
 */
export function addUserId(dataStore: DataStore, key: string, userId: number): boolean {
	const [success] = pcall(() =>
		dataStore.UpdateAsync(key, (stored: StoredProfile | undefined) => {
			if (!typeIs(stored, "table")) return $tuple(undefined);
			const userIds = typeIs(stored.UserIds, "table") ? stored.UserIds : [];
			if (!userIds.includes(userId)) userIds.push(userId);
			stored.UserIds = userIds;
			return $tuple(stored, stored.UserIds, stored.RobloxMetaData as object | undefined);
		}),
	);
	return success;
}
