import type { HopsafeError } from "../core/errors";
import type { Platform } from "../platform";

/**
 * A migration step: takes data at version N and returns it at version N + 1. It must not yield:
 * a step that yields fails like one that throws.
 */
export type MigrationStep = (data: unknown) => unknown;

/**
 * One entry of a vault's ordered migrations. Entry `i` (1-based) upgrades version `i` to
 * `i + 1`; data from the template is at version `migrations.size() + 1`.
 */
export type Migration =
	| MigrationStep
	| {
			readonly migrate: MigrationStep;
			/**
			 * Servers that predate this step may still load and write data that went through it
			 * (it only adds optional fields). Lets an older server run during a rolling update.
			 */
			readonly backwardsCompatible?: boolean;
	  };

/** Why a session ended. */
export type ReleaseReason = "left" | "teleport" | "requested" | "shutdown" | "lockLost" | "erased" | "manual";

/** What a vault does with a player whose data cannot be loaded safely. */
export type LoadFailurePolicy = "kick" | "hold";

/**
 * Points where a layer above the vault joins a session's life, used by the external-authority
 * mode (the save API is the truth, the profile its cache and outbox). Both may yield.
 */
export interface SessionHooks<T extends object> {
	/**
	 * After the lock is taken and the data migrated, before the session starts (before `loaded`
	 * fires): replay work left by a crashed session, pull the authority's state into
	 * `session.data`. Return a hopsafe error (or throw) to hold the player: the lock is released.
	 */
	readonly beforeStart?: (session: Session<T>) => HopsafeError | void;
	/** Before the release is written (flush an outbox); given at most `releaseDeadline` seconds. */
	readonly beforeRelease?: (session: Session<T>, reason: ReleaseReason) => void;
}

/** Options of {@link createVault}. */
export interface VaultOptions<T extends object> {
	/** The DataStore name the profiles live in. */
	readonly name: string;
	/** The data a new player starts with (at the newest schema version). */
	readonly template: T;
	/** Validates data after migration (an `@rbxts/t` check). */
	readonly schema: (value: unknown) => value is T;
	/** Ordered migrations; see {@link Migration}. */
	readonly migrations?: ReadonlyArray<Migration>;
	/** The DataStore key of a player (default `player_<userId>`). */
	readonly keyForUser?: (userId: number) => string;
	/**
	 * Data stored without a hopsafe envelope (for example by plain ProfileService usage before
	 * adopting hopsafe): return it as version-1 data, or throw to treat it as corrupted. Without
	 * this option such data is treated as corrupted and never overwritten.
	 */
	readonly adoptUnversioned?: (data: unknown) => unknown;
	/** Kick (default) or hold a player whose data fails to load, migrate or validate. */
	readonly onLoadFailure?: LoadFailurePolicy;
	/** Load players automatically when they join and release them when they leave (default true). */
	readonly bindPlayers?: boolean;
	/**
	 * Seconds to wait for a live holder to release before retrying through ProfileService
	 * (default 15; never less than `heartbeatTtl` + 3, so a dead holder is recognised first).
	 */
	readonly handoffTimeout?: number;
	/**
	 * Seconds after which a load that keeps meeting a live holder (`SessionLocked`), or whose
	 * lock write keeps failing (a DataStore outage or throttling: a `PlatformFailure` naming the
	 * last error), gives up (default 300). A lock that write takes later is given back at once.
	 */
	readonly loadTimeout?: number;
	/**
	 * Seconds a read keeps being retried while the DataStore throttles it (the server's request
	 * budget is spent and its request queue full, as in a join burst), backing off between tries
	 * (1 s, doubling, at most 8 s), before the load fails with a `PlatformFailure` marked
	 * `throttled` (default 120). Other DataStore errors are tried 3 times. `view`, `versions` and
	 * `editOffline` wait out throttling as long, for the whole call, then reject the same way.
	 */
	readonly throttleTimeout?: number;
	/** Seconds between liveness heartbeats (default 3). */
	readonly heartbeatInterval?: number;
	/** Seconds a heartbeat stays valid; a holder whose heartbeat expired is dead (default 12). */
	readonly heartbeatTtl?: number;
	/** Fires `budgetLow` when a DataStore request budget drops below this (default 10). */
	readonly budgetLowThreshold?: number;
	/** The services to use (default: the real ones). */
	readonly platform?: Platform;
	/** Hooks into each session's start and release (external authority). */
	readonly hooks?: SessionHooks<T>;
	/**
	 * Seconds `hooks.beforeRelease` (and the hooks of `addReleaseHook`) may take before the
	 * release goes ahead (default 10).
	 */
	readonly releaseDeadline?: number;
	/**
	 * Seconds after `prepareTeleport` after which a player still on this server gets their
	 * session back: the teleport never happened or failed without `TeleportInitFailed` (default
	 * 30). `TeleportInitFailed` brings it back at once. Only with `bindPlayers`.
	 */
	readonly teleportGrace?: number;
}

/** A loaded, session-locked player profile. */
export interface Session<T extends object> {
	readonly userId: number;
	readonly key: string;
	readonly player: Player;
	/** The player's data. Mutate it only on this server, only while the session is active. */
	readonly data: T;
	/** The schema version the data is at. */
	readonly schemaVersion: number;
	/**
	 * Which session of this profile this is (ProfileService's load count, written with the lock):
	 * no two sessions of a profile share it, even when one crashed before saving. Absent from
	 * sessions that do not come from a vault.
	 */
	readonly generation?: number;
	/** Whether this server still holds the session lock. */
	isActive(): boolean;
	/** Asks for an early save (coalesced; the regular auto-save still runs). */
	save(): void;
	/**
	 * Saves now and resolves once every change made before the call is in the DataStore; rejects
	 * with a `SessionLost` or `Timeout` error. Use it before acknowledging something valuable.
	 */
	saveAsync(timeout?: number): Promise<void>;
	/** Ends the session and releases the lock; resolves when the release is saved. */
	release(reason?: ReleaseReason): Promise<void>;
}

/** A load failure, with the error that caused it. */
export interface LoadFailure {
	readonly userId: number;
	readonly key: string;
	readonly error: HopsafeError;
}
