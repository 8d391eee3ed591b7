/** A read-only look at a player's stored profile, for support tools and dashboards. */
export interface ProfileView<T> {
	/**
	 * The stored data brought to this server's schema and validated: a copy, so changing it
	 * changes nothing. Undefined when the player has no profile.
	 */
	readonly data?: T;
	/** The schema version the data is stored at. */
	readonly storedSchemaVersion?: number;
	/** The JobId of the server holding the player's session lock, if one does. */
	readonly heldBy?: string;
}

/** One saved version of a profile (every save writes one). */
export interface ProfileVersion {
	/** The DataStore version id, for `vault.view(userId, version)`. */
	readonly version: string;
	/** When it was written, in Unix seconds. */
	readonly savedAt: number;
	/** Whether this version is a deletion. */
	readonly deleted: boolean;
}
