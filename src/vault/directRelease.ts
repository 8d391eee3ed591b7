/* eslint-disable roblox-ts/no-user-defined-lua-tuple -- UpdateAsync's transform returns (value, userIds, metadata) as a LuaTuple. */
import type { Profile } from "@rbxts/profileservice/globals";
import type { Envelope } from "./envelope";

/** The parts of ProfileService's stored value a release touches. */
interface StoredProfile {
	Data: unknown;
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
	_pending_update_lock?: Array<unknown>;
	_pending_update_clear?: Array<unknown>;
}

/**
 * Writes a profile's final save and clears its session lock in one UpdateAsync, the way
 * ProfileService's own release does, but at once: ProfileService spaces every call on a key
 * at least 7 s apart (for a DataStore cooldown Roblox removed in 2023), so a player who hops
 * soon after an auto-save would wait for it. The transform only writes while this server's
 * session (same JobId, same load count) still holds the lock, so it can never overwrite a
 * newer owner; ProfileService's queued release later finds the lock gone and writes nothing
 * new. Profiles with unsaved global-update locks or clears are left to ProfileService, which
 * owns that bookkeeping. Returns whether the release was saved.
 */
export function releaseDirectly(
	profile: Profile<Envelope>,
	dataStore: DataStore,
	key: string,
	placeId: number,
	jobId: string,
): boolean {
	const globalUpdates = profile.GlobalUpdates as unknown as GlobalUpdatesInternals;
	if ((globalUpdates._pending_update_lock?.size() ?? 0) > 0) return false;
	if ((globalUpdates._pending_update_clear?.size() ?? 0) > 0) return false;
	const loadCount = profile.MetaData.SessionLoadCount;
	let released = false;
	const [success] = pcall(() =>
		dataStore.UpdateAsync(key, (stored: StoredProfile | undefined) => {
			released = false;
			if (stored === undefined || !typeIs(stored.MetaData, "table")) return $tuple(undefined);
			const session = stored.MetaData.ActiveSession;
			if (!session || session[0] !== placeId || session[1] !== jobId) return $tuple(undefined);
			if (stored.MetaData.SessionLoadCount !== loadCount) return $tuple(undefined);
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
	return success && released;
}
