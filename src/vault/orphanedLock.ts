/* eslint-disable roblox-ts/no-user-defined-lua-tuple -- UpdateAsync's transform returns (value, userIds, metadata) as a LuaTuple. */

/** A server found dead, and how long its profile must have gone unwritten before its lock is taken. */
export interface DeadHolder {
	readonly jobId: string;
	/** Seconds (the liveness TTL): a session that loaded or saved since cannot be told dead yet. */
	readonly idleFor: number;
	/**
	 * How long the caller has itself seen the stored `LastUpdate` unchanged (by its own clock),
	 * so that a holder whose clock runs ahead of this server's is not waited for without end.
	 */
	readonly unchanged?: { readonly lastUpdate: number; readonly seconds: number };
}

/** The parts of ProfileService's stored value a takeover reads or clears. */
export interface StoredLock {
	UserIds?: Array<number>;
	RobloxMetaData?: unknown;
	MetaData?: { LastUpdate?: number; ActiveSession?: unknown; SessionLoadCount?: number };
}

/**
 * Seconds until the lock of `stored` has gone unwritten for `dead.idleFor`: 0 once it has. A
 * server that just loaded the profile may not have stored its first heartbeat yet (a failed one
 * is written again a second later): its missing liveness key does not make it dead.
 */
export function idleWait(stored: StoredLock, dead: DeadHolder): number {
	const lastUpdate = stored.MetaData?.LastUpdate;
	if (!typeIs(lastUpdate, "number")) return 0;
	// A write stamped ahead of this server's clock counts as made now.
	let wait = math.clamp(dead.idleFor - (os.time() - lastUpdate), 0, dead.idleFor);
	if (dead.unchanged !== undefined && dead.unchanged.lastUpdate === lastUpdate) {
		wait = math.min(wait, math.max(0, dead.idleFor - dead.unchanged.seconds));
	}
	return wait;
}

/** Clears the lock of `stored` for good: the dead session's saves and release find it gone. */
export function clearLock(stored: StoredLock): void {
	if (stored.MetaData === undefined) return;
	stored.MetaData.LastUpdate = os.time();
	stored.MetaData.ActiveSession = undefined;
	// The load count moves on, so the dead session's release cannot take the cleared lock for its own.
	stored.MetaData.SessionLoadCount = (stored.MetaData.SessionLoadCount ?? 0) + 1;
}

/** What a takeover found (see {@link takeOrphanedLock}). */
export type Takeover =
	| { readonly kind: "taken" }
	| { readonly kind: "notHeld" }
	| { readonly kind: "recent"; readonly wait: number; readonly lastUpdate: number }
	| { readonly kind: "failed"; readonly thrown: unknown };

/**
 * Clears, in one UpdateAsync, the lock `dead.jobId` holds on `key` once the profile has gone
 * unwritten for `dead.idleFor`; the check and the write are one transform, so a save the holder
 * makes meanwhile is never overwritten. `"recent"`: written too lately (nothing written; `wait`
 * more seconds). `"notHeld"`: that server holds no lock there (anymore).
 */
export function takeOrphanedLock(dataStore: DataStore, key: string, dead: DeadHolder): Takeover {
	let found: Takeover = { kind: "notHeld" };
	const [success, thrown] = pcall(() =>
		dataStore.UpdateAsync(key, (stored: StoredLock | undefined) => {
			found = { kind: "notHeld" };
			if (!typeIs(stored, "table") || !typeIs(stored.MetaData, "table")) return $tuple(undefined);
			const session = stored.MetaData.ActiveSession;
			if (!typeIs(session, "table") || (session as Array<unknown>)[1] !== dead.jobId) return $tuple(undefined);
			const wait = idleWait(stored, dead);
			if (wait > 0) {
				found = { kind: "recent", wait, lastUpdate: stored.MetaData.LastUpdate ?? 0 };
				return $tuple(undefined);
			}
			clearLock(stored);
			found = { kind: "taken" };
			// UpdateAsync clears user ids and metadata it is not given back.
			return $tuple(stored, stored.UserIds, stored.RobloxMetaData as object | undefined);
		}),
	);
	return success ? found : { kind: "failed", thrown };
}
