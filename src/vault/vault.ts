import ProfileService from "@rbxts/profileservice";
import type { Profile, ProfileStore } from "@rbxts/profileservice/globals";
import type Signal from "@rbxts/signal";
import { immediateSignal } from "../core/signal";
import { deepCopy } from "../core/deepCopy";
import { describeThrown, makeError, type HopsafeError } from "../core/errors";
import { retry } from "../core/retry";
import { errorCode, isThrottleError, throttledRetry } from "../core/throttle";
import { defaultPlatform, type Platform } from "../platform";
import { inspectStoredValue, readEnvelope, type Envelope, type Inspection } from "./envelope";
import { addUserId, releaseDirectly } from "./directRelease";
import { giveUpOn } from "./giveUpOn";
import { Handoff } from "./handoff";
import { livenessFor, type LivenessMonitor } from "./liveness";
import { hasPending, isVaultMessage, processedIds, type MessageHandler, type VaultMessage } from "./messages";
import { migrateEnvelope, planMigrations, type MigrationPlan } from "./migrations";
import { editStoredProfile, type OfflineEdit } from "./offlineEdit";
import { takeOrphanedLock } from "./orphanedLock";
import { ProfileSession } from "./session";
import type { LoadFailure, ReleaseReason, Session, VaultOptions } from "./types";
import type { ProfileVersion, ProfileView } from "./view";

const KICK_MESSAGES: Partial<Record<HopsafeError["kind"], string>> = {
	SessionLost: "Your data was loaded on another server. Please rejoin.",
	NewerSchema: "This server is older than your saved data. Please rejoin to reach an updated server.",
};
const KICK_MESSAGES_ERASED = "Your data was erased.";
/** How often a release with nothing unsaved looks whether its turn has come (seconds). */
const RELEASE_TURN_POLL = 0.5;
const DEFAULT_KICK = "Your data could not be loaded safely, so nothing was changed. Please rejoin in a moment.";

/**
 * A player data vault: session-locked profiles over ProfileService. See {@link createVault}.
 * The listeners of its signals start inside `Fire`, each on its own thread, also where
 * `Workspace.SignalBehavior` is Deferred.
 */
export interface Vault<T extends object> {
	readonly name: string;
	/** A player's session started (data loaded, migrated, validated, locked). */
	readonly loaded: Signal<(session: Session<T>) => void>;
	/** A session ended and its release was saved (or the lock was lost). */
	readonly released: Signal<(userId: number, reason: ReleaseReason) => void>;
	/** Another server took this server's lock; the player was kicked and no write followed. */
	readonly lockLost: Signal<(userId: number) => void>;
	/** A load failed (corrupted data, migration or validation failure, DataStore outage). */
	readonly loadFailed: Signal<(failure: LoadFailure) => void>;
	/** A migration or validation failed; the stored value was left unchanged. */
	readonly migrationFailed: Signal<(failure: LoadFailure) => void>;
	/** A DataStore save failed (ProfileService retries on its own). */
	readonly saveFailed: Signal<(userId: number | undefined, failure: HopsafeError) => void>;
	/**
	 * A DataStore request budget dropped below the configured threshold (once per drop: it fires
	 * again for that request type after the budget has recovered).
	 */
	readonly budgetLow: Signal<(requestType: string, budget: number) => void>;
	/** Loads (or joins the load already running for) a player. Rejects with a HopsafeError. */
	load(player: Player): Promise<Session<T>>;
	/** The player's active session on this server, if any. */
	getSession(player: Player | number): Session<T> | undefined;
	/** Resolves with the player's session once it is loaded. */
	waitForSession(player: Player, timeout?: number): Promise<Session<T>>;
	/** Ends a player's session; resolves when the release is saved. */
	release(player: Player | number, reason?: ReleaseReason): Promise<void>;
	/**
	 * Releases the player before a teleport, so the destination loads at its first attempt.
	 * If the teleport fails (`TeleportInitFailed`), or the player is still here `teleportGrace`
	 * seconds later, the player's session is loaded again once the release is saved.
	 */
	prepareTeleport(player: Player): Promise<void>;
	/**
	 * GDPR erasure: ends the player's session wherever it is held (another server is asked to
	 * release it and kicks the player), then removes the stored profile. Rejects with
	 * `SessionLocked` when a live server keeps the session, `PlatformFailure` when the
	 * DataStore fails.
	 */
	erase(userId: number): Promise<void>;
	/**
	 * Reads a player's stored profile without loading it or touching the lock, online anywhere
	 * or offline: the data migrated and validated on a copy, as a load would see it. Give a
	 * `version` from {@link Vault.versions} to read an older save. Rejects with a HopsafeError
	 * (`PlatformFailure`, `CorruptedData`, `MigrationFailed`, `NewerSchema`).
	 *
	 * @example
	 * ```ts
	 * import { Vault } from "@rbxts/hopsafe";
	 *
	 * function coinsYesterday(vault: Vault<{ coins: number }>, userId: number) {
	 * 	const yesterday = os.time() - 86400;
	 * 	return vault.versions(userId, 50).andThen((versions) => {
	 * 		const saved = versions.find((entry) => entry.savedAt <= yesterday && !entry.deleted);
	 * 		return saved ? vault.view(userId, saved.version).then((view) => view.data?.coins) : undefined;
	 * 	});
	 * }
	 * ```
	 */
	view(userId: number, version?: string): Promise<ProfileView<T>>;
	/**
	 * The saved versions of a player's profile, newest first, at most `limit` (default 20, clamped
	 * to 1..1000; NaN rejects with `InvalidArgument`).
	 */
	versions(userId: number, limit?: number): Promise<Array<ProfileVersion>>;
	/** Releases every session and stops the vault (BindToClose calls this). */
	close(): Promise<void>;
	/**
	 * Posts a message to a player's profile, online anywhere or offline. It is applied exactly
	 * once by a message handler of the server that holds (or next loads) the player. Resolves
	 * `true` when posted, `false` when a message with the same id is already waiting. Rejects
	 * when the write is not confirmed: `PlatformFailure`, or `Closed` once the server is shutting
	 * down. The message may still have been written (a write can commit and report an error), so
	 * post it again with the same id rather than undo what it stands for: it applies once.
	 */
	postMessage(userId: number, message: VaultMessage): Promise<boolean>;
	/**
	 * Changes the stored data of a player no server holds (offline), in one DataStore write.
	 * `edit` gets the data migrated and validated as a load would see it, and returns `true` when
	 * it changed it; it must not yield, and may run more than once (the DataStore retries).
	 * Resolves `"edited"`, `"unchanged"`, `"absent"` (nothing stored), or `"held"` when a server
	 * holds the session (then nothing is written: that server is the only writer). A lock left by
	 * a crashed server (its liveness key expired, and the profile unwritten for `heartbeatTtl`)
	 * holds no session: the edit's write clears it, as a load would take it, and that server can
	 * write nothing more. Rejects with a
	 * HopsafeError (`PlatformFailure`, `CorruptedData`, `MigrationFailed`, `ValidationFailed`,
	 * `NewerSchema`, `CallbackFailed`).
	 *
	 * @example
	 * ```ts
	 * import { Vault } from "@rbxts/hopsafe";
	 *
	 * function compensate(vault: Vault<{ coins: number }>, userId: number) {
	 * 	return vault.editOffline(userId, (data) => {
	 * 		data.coins += 100;
	 * 		return true;
	 * 	});
	 * }
	 * ```
	 */
	editOffline(userId: number, edit: (data: T) => boolean): Promise<OfflineEdit>;
	/**
	 * Handles posted messages of one `kind`. Return `false` to leave a message for later (it is
	 * offered to the next handler of its kind, and again at the player's next load); anything
	 * else marks it applied, in the same save as the changes the handler made. Messages of a kind
	 * nobody handles wait in the profile; a handler connected later is offered them at once.
	 * Messages waiting at a load are offered right after `loaded` fires, so what starts with the
	 * session (the inventory service) already serves the player.
	 * A handler should not yield: the session may end before it returns, and then the message is
	 * offered again at the next load. In external authority a handler's inventory changes reach
	 * the save API before the save that marks the message applied: pass `"message:" + message.id`
	 * as the `key` of `inventory.transact` so that a crash in between does not apply them twice.
	 *
	 * @example
	 * ```ts
	 * import { Vault } from "@rbxts/hopsafe";
	 *
	 * function acceptGifts(vault: Vault<{ coins: number }>) {
	 * 	return vault.onMessage("gift", (session, message) => {
	 * 		const body = message.body;
	 * 		if (!typeIs(body, "table") || !typeIs((body as { coins?: unknown }).coins, "number")) return false;
	 * 		session.data.coins += (body as { coins: number }).coins;
	 * 	});
	 * }
	 * ```
	 */
	onMessage(kind: string, handler: MessageHandler<T>): RBXScriptConnection;
	/**
	 * Runs `hook` whenever a session is about to end, before its release is written: beside
	 * `hooks.beforeRelease` and within the same `releaseDeadline`. The lock is still held, so the
	 * hook may save (`session.saveAsync`) and hand on what the player leaves behind; what it
	 * changes in the data before the deadline is in the release. It may yield. A lost lock runs
	 * no hook.
	 */
	addReleaseHook(hook: ReleaseHook<T>): RBXScriptConnection;
}

/** A hook run before a session's release is written (see {@link Vault.addReleaseHook}). */
export type ReleaseHook<T extends object> = (session: Session<T>, reason: ReleaseReason) => void;

/** A connection whose Disconnect takes `item` out of the list `listOf` returns then (once). */
function connectionRemoving<V extends defined>(listOf: () => Array<V> | undefined, item: V): RBXScriptConnection {
	let connected = true;
	return {
		Connected: true,
		Disconnect: () => {
			if (!connected) return;
			connected = false;
			const list = listOf();
			const index = list?.indexOf(item) ?? -1;
			if (index >= 0) list!.remove(index);
		},
	} as unknown as RBXScriptConnection;
}

class VaultImpl<T extends object> implements Vault<T> {
	readonly loaded = immediateSignal<(session: Session<T>) => void>();
	readonly released = immediateSignal<(userId: number, reason: ReleaseReason) => void>();
	readonly lockLost = immediateSignal<(userId: number) => void>();
	readonly loadFailed = immediateSignal<(failure: LoadFailure) => void>();
	readonly migrationFailed = immediateSignal<(failure: LoadFailure) => void>();
	readonly saveFailed = immediateSignal<(userId: number | undefined, failure: HopsafeError) => void>();
	readonly budgetLow = immediateSignal<(requestType: string, budget: number) => void>();

	readonly name: string;
	private readonly platform: Platform;
	private readonly plan: MigrationPlan;
	private readonly store: ProfileStore<Envelope>;
	private readonly dataStore: DataStore;
	private readonly liveness: LivenessMonitor;
	private readonly handoff: Handoff;
	private readonly sessions = new Map<number, ProfileSession<T>>();
	/** Loads in progress by UserId, with the Player object each is for. */
	private readonly loading = new Map<number, { player: Player; promise: Promise<Session<T>> }>();
	/** Message handlers by message kind, in the order they were connected. */
	private readonly messageHandlers = new Map<string, Array<MessageHandler<T>>>();
	/** Hooks added with addReleaseHook, in the order they were added. */
	private readonly releaseHooks = new Array<ReleaseHook<T>>();
	/** Messages a handler is applying now (`userId:id`). */
	private readonly delivering = new Set<string>();
	/** Players released for a teleport, until they leave or get their session back. */
	private readonly teleporting = new Map<number, { player: Player; released: Promise<void> }>();
	/**
	 * Ended sessions by key until ProfileService has written its own release, which follows a
	 * direct release by up to its write cooldown: an erase waits for it.
	 */
	private readonly releaseWrites = new Map<string, ProfileSession<T>>();
	/** Sessions being released with unsaved changes, until their release ends. */
	private readonly releasingChanged = new Set<ProfileSession<T>>();
	/** Keys whose lock a load is taking now, with the last error ProfileService met writing it ("": none). */
	private readonly lockFailures = new Map<string, string>();
	private closing = false;
	/** The close in progress or done (BindToClose and the game may both close the vault). */
	private closed?: Promise<void>;

	constructor(private readonly options: VaultOptions<T>) {
		this.name = options.name;
		this.platform = options.platform ?? defaultPlatform();
		this.plan = planMigrations(options.migrations);
		const template: Envelope = {
			schemaVersion: this.plan.currentVersion,
			lastCompatibleVersion: this.plan.lastCompatibleVersion,
			value: deepCopy(options.template),
		};
		if (!options.schema(options.template)) {
			throw makeError("InvalidArgument", `the template of vault "${options.name}" fails its own schema`, {
				argument: "template",
			});
		}
		this.store = ProfileService.GetProfileStore<Envelope>(options.name, template);
		this.dataStore = this.platform.dataStoreService.GetDataStore(options.name);
		this.liveness = livenessFor(this.platform, options.heartbeatInterval ?? 3, options.heartbeatTtl ?? 12);
		this.handoff = new Handoff(
			this.platform,
			options.name,
			(key, requester, erasing) => this.onReleaseRequested(key, requester, erasing),
			(key) => this.findByKey(key)?.save(),
		);
	}

	start(): void {
		this.liveness.acquire();
		this.handoff.start();
		ProfileService.IssueSignal.Connect((message, storeName, key) => {
			if (storeName !== this.name) return;
			const session = this.findByKey(key);
			if (session === undefined && this.lockFailures.has(key)) {
				// A load's lock write: nothing was saved, and `loadFailed` reports it if it gives up.
				this.lockFailures.set(key, message);
				return;
			}
			if (this.lockFailures.has(key)) this.lockFailures.set(key, message);
			session?.writeFailed();
			this.saveFailed.Fire(
				session?.userId,
				makeError("PlatformFailure", message, {
					service: "DataStoreService",
					operation: "UpdateAsync",
					retryable: true,
				}),
			);
		});
		if (this.options.bindPlayers !== false) {
			const players = this.platform.players;
			players.PlayerAdded.Connect((player) => {
				void this.loadOnJoin(player);
			});
			players.PlayerRemoving.Connect((player) => {
				this.teleporting.delete(player.UserId);
				void this.release(player, "left");
			});
			for (const player of players.GetPlayers()) void this.loadOnJoin(player);
			this.platform.teleportService.TeleportInitFailed.Connect((player) => this.teleportFailed(player));
		}
		game.BindToClose(() => {
			this.close().await();
		});
		task.spawn(() => this.watchBudget());
	}

	/** Seconds a throttled DataStore call is tried again for (see VaultOptions.throttleTimeout). */
	private throttleTimeout(): number {
		return this.options.throttleTimeout ?? 120;
	}

	keyFor(userId: number): string {
		return this.options.keyForUser ? this.options.keyForUser(userId) : `player_${userId}`;
	}

	load(player: Player): Promise<Session<T>> {
		const userId = player.UserId;
		const existing = this.sessions.get(userId);
		if (existing && existing.isActive() && existing.player === player) return Promise.resolve(existing);
		const pending = this.loading.get(userId);
		if (pending && pending.player === player) return pending.promise;
		const promise = new Promise<Session<T>>((resolve, reject) => {
			const [success, outcome] = pcall(() => {
				this.settlePrevious(player, pending?.promise);
				return this.loadNow(player);
			});
			if (!success) {
				const thrown = makeError("CallbackFailed", describeThrown(outcome), { callback: "load" }, outcome);
				reject(this.fail(player, thrown));
			} else if (typeIs(outcome, "table") && (outcome as { kind?: unknown }).kind !== undefined) {
				reject(this.report(player, outcome as HopsafeError));
			} else {
				resolve(outcome as Session<T>);
			}
		}).finally(() => {
			if (this.loading.get(userId)?.promise === promise) this.loading.delete(userId);
		}) as Promise<Session<T>>;
		if (promise.getStatus() === Promise.Status.Started) this.loading.set(userId, { player, promise });
		return promise;
	}

	/**
	 * Waits for what an earlier Player object of this user (who left and came back), or an
	 * earlier session of this one, still has going on this server: ProfileService cannot load a
	 * key it still holds here, and a load for a Player who left gives up at its end.
	 */
	private settlePrevious(player: Player, pending?: Promise<Session<T>>): void {
		if (pending) pending.await();
		const previous = this.sessions.get(player.UserId);
		if (previous === undefined) return;
		// A user is on a server once: a session of another Player object belongs to one who left.
		if (previous.player !== player && previous.isActive()) void previous.release("left");
		previous.whenReleased()?.await();
	}

	getSession(player: Player | number): Session<T> | undefined {
		const userId = typeIs(player, "number") ? player : player.UserId;
		const session = this.sessions.get(userId);
		return session && session.isActive() ? session : undefined;
	}

	waitForSession(player: Player, timeout = 60): Promise<Session<T>> {
		return this.load(player).timeout(
			timeout,
			makeError("Timeout", "session not loaded in time", { operation: "load", seconds: timeout }),
		);
	}

	release(player: Player | number, reason: ReleaseReason = "manual"): Promise<void> {
		const userId = typeIs(player, "number") ? player : player.UserId;
		// Given a Player, only its own session or load: the user may be back as a new Player.
		const owns = (owner: Player) => typeIs(player, "number") || owner === player;
		const session = this.sessions.get(userId);
		if (session && owns(session.player)) return session.release(reason);
		const pending = this.loading.get(userId);
		// A load still running when the player leaves releases itself when it completes.
		if (pending && owns(pending.player)) {
			return pending.promise.then(() => this.release(player, reason)).catch(() => undefined);
		}
		return Promise.resolve();
	}

	prepareTeleport(player: Player): Promise<void> {
		const released = this.release(player, "teleport");
		if (this.options.bindPlayers !== false) {
			const teleport = { player, released };
			this.teleporting.set(player.UserId, teleport);
			task.delay(this.options.teleportGrace ?? 30, () => {
				if (this.teleporting.get(player.UserId) === teleport) this.teleportFailed(player);
			});
		}
		return released;
	}

	/** A player released for a teleport is still here: loads them again once the release is saved. */
	private teleportFailed(player: Player): void {
		const teleport = this.teleporting.get(player.UserId);
		if (teleport === undefined || teleport.player !== player) return;
		this.teleporting.delete(player.UserId);
		void teleport.released.finally(() => {
			if (!this.closing && player.Parent !== undefined) void this.loadOnJoin(player);
		});
	}

	view(userId: number, version?: string): Promise<ProfileView<T>> {
		return new Promise<ProfileView<T>>((resolve, reject) => {
			const inspected = this.inspect(this.keyFor(userId), version);
			if (!inspected.ok) return reject(inspected.failure);
			const { envelope, holder } = inspected.inspection;
			if (envelope === undefined) return resolve({ heldBy: holder?.jobId });
			const migrated = migrateEnvelope(envelope, this.plan, this.options.schema);
			if (!migrated.ok) return reject(migrated.error);
			resolve({
				data: migrated.value.value as T,
				storedSchemaVersion: envelope.schemaVersion,
				heldBy: holder?.jobId,
			});
		});
	}

	versions(userId: number, limit = 20): Promise<Array<ProfileVersion>> {
		return new Promise<Array<ProfileVersion>>((resolve, reject) => {
			// NaN passes math.clamp unchanged and would reach the DataStore as a page size.
			if (!typeIs(limit, "number") || limit !== limit) {
				return reject(makeError("InvalidArgument", "versions: limit must be a number", { argument: "limit" }));
			}
			const wanted = math.clamp(math.floor(limit), 1, 1000);
			const key = this.keyFor(userId);
			const failed = (thrown: unknown) =>
				reject(
					makeError(
						"PlatformFailure",
						`could not list the versions of ${key}: ${describeThrown(thrown)}`,
						{
							service: "DataStoreService",
							operation: "ListVersionsAsync",
							retryable: true,
							code: errorCode(thrown),
							throttled: isThrottleError(thrown) ? true : undefined,
						},
						thrown,
					),
				);
			// Throttled pages are waited out as a load's reads are, within throttleTimeout for the whole list.
			const started = this.platform.clock();
			const policy = () =>
				throttledRetry(3, math.max(0, this.throttleTimeout() - (this.platform.clock() - started)));
			const [listed, pages] = retry(policy(), () =>
				this.dataStore.ListVersionsAsync(
					key,
					Enum.SortDirection.Descending,
					undefined,
					undefined,
					math.min(wanted, 100),
				),
			);
			if (!listed) return failed(pages);
			const found = new Array<ProfileVersion>();
			while (found.size() < wanted) {
				for (const info of pages.GetCurrentPage()) {
					if (found.size() >= wanted) break;
					found.push({ version: info.Version, savedAt: info.CreatedTime / 1000, deleted: info.IsDeleted });
				}
				if (found.size() >= wanted || pages.IsFinished) break;
				const [advanced, thrown] = retry(policy(), () => pages.AdvanceToNextPageAsync());
				if (!advanced) return failed(thrown);
			}
			resolve(found);
		});
	}

	erase(userId: number): Promise<void> {
		const key = this.keyFor(userId);
		return this.release(userId, "erased").then(
			() =>
				new Promise<void>((resolve, reject) => {
					// ProfileService's own release of a session that ended here may still be
					// queued: written after the key is removed, it would fail and be retried for
					// as long as the server runs.
					const ended = this.releaseWrites.get(key);
					if (ended) {
						void new Promise<void>((written) => ended.profile.ListenToHopReady(() => written()))
							.timeout(30)
							.await();
					}
					// The holder's release waits out its hooks and ProfileService's write cooldown.
					const heartbeatTtl = this.options.heartbeatTtl ?? 12;
					const timeout =
						math.max(this.options.handoffTimeout ?? 15, heartbeatTtl + 3) +
						(this.options.releaseDeadline ?? 10) +
						10;
					// The same holds on a server that released the player moments ago: it is
					// asked, and answers once ProfileService has written that release.
					const releaser = this.handoff.lastReleaser(key);
					if (releaser !== undefined && releaser !== this.platform.jobId) {
						void this.liveness.ready().await();
						const previous = { placeId: 0, jobId: releaser };
						this.handoff.waitForRelease(key, previous, this.liveness, timeout, true, false);
					}
					// A session another server holds would outlive its profile: its saves would
					// fail and its release never be written. That server releases first.
					const inspected = this.inspect(key);
					if (!inspected.ok && inspected.failure.kind === "PlatformFailure") return reject(inspected.failure);
					const holder = inspected.ok ? inspected.inspection.holder : undefined;
					if (holder && holder.jobId !== this.platform.jobId) {
						void this.liveness.ready().await();
						const outcome = this.handoff.waitForRelease(key, holder, this.liveness, timeout, true);
						// Read again after a release: a notice may be stale, and the player may have
						// joined yet another server since.
						const after = outcome === "released" ? this.inspect(key) : undefined;
						if (after && !after.ok && after.failure.kind === "PlatformFailure")
							return reject(after.failure);
						const still = after?.ok ? after.inspection.holder : undefined;
						if (outcome === "timeout" || still !== undefined) {
							return reject(
								makeError("SessionLocked", `could not erase ${key}: a server still holds it`, {
									key,
									holderJobId: (still ?? holder).jobId,
								}),
							);
						}
					}
					const [success, wiped] = pcall(() => this.store.WipeProfileAsync(key));
					if (success && wiped) resolve();
					else
						reject(
							makeError("PlatformFailure", `could not erase ${key}`, {
								service: "DataStoreService",
								operation: "RemoveAsync",
								retryable: true,
							}),
						);
				}),
		);
	}

	close(): Promise<void> {
		if (this.closed) return this.closed;
		this.closing = true;
		const releases = new Array<Promise<void>>();
		for (const [, session] of this.sessions) releases.push(session.release("shutdown"));
		// A load running now takes the lock and, finding the vault closing, releases it: the
		// heartbeat must outlive that release (not just the load, which ends as it begins the
		// release), or another server would take this live lock.
		for (const [userId, loading] of this.loading) {
			const loaded = loading.promise.then(
				() => undefined,
				() => undefined,
			);
			releases.push(loaded.then(() => this.sessions.get(userId)?.whenReleased()));
		}
		this.closed = Promise.all(releases).then(() => {
			this.handoff.stop();
			this.liveness.release();
		});
		return this.closed;
	}

	postMessage(userId: number, message: VaultMessage): Promise<boolean> {
		const key = this.keyFor(userId);
		return new Promise<boolean>((resolve, reject) => {
			// Set once any attempt of this call adds the message. ProfileService retries a write
			// whose call errored, and one that was applied anyway finds the message waiting: it
			// was still this call that posted it.
			let posted = false;
			const [success, written] = pcall(() =>
				this.store.GlobalUpdateProfileAsync(key, (updates) => {
					if (hasPending(updates, message.id)) return;
					updates.AddActiveUpdate(message as unknown as { Type: string });
					posted = true;
				}),
			);
			if (!success) {
				reject(
					makeError("PlatformFailure", `could not post to ${key}: ${tostring(written)}`, {
						service: "DataStoreService",
						operation: "UpdateAsync",
						retryable: true,
					}),
				);
				return;
			}
			// ProfileService gives nothing back when it wrote nothing: it is shutting down (it
			// stops writing, and stops retrying, at BindToClose). The caller keeps the message.
			if (written === undefined) {
				reject(
					makeError("Closed", `could not post to ${key}: the server is shutting down`, {
						reason: "shutdown",
					}),
				);
				return;
			}
			// The holder only sees new messages when it saves; ask it to save now. (The post is
			// written: a throttled read does not hold its answer back.)
			const inspected = this.inspect(key, undefined, undefined, false);
			// GDPR: a post to a player who never played creates the key, without their user id.
			if (inspected.ok && !inspected.userIds.includes(userId)) addUserId(this.dataStore, key, userId);
			const holder = inspected.ok ? inspected.inspection.holder : undefined;
			if (holder) {
				const held = this.findByKey(key);
				if (holder.jobId === this.platform.jobId) held?.save();
				else this.handoff.requestSave(holder.jobId, key);
			}
			resolve(posted);
		});
	}

	editOffline(userId: number, edit: (data: T) => boolean): Promise<OfflineEdit> {
		const rules = { plan: this.plan, schema: this.options.schema, adoptUnversioned: this.options.adoptUnversioned };
		return new Promise<OfflineEdit>((resolve, reject) => {
			const key = this.keyFor(userId);
			// A throttled write changed nothing: it is tried again, within throttleTimeout for the
			// whole edit. Any other failure may have been applied, so it is not.
			const started = this.platform.clock();
			const policy = () =>
				throttledRetry(1, math.max(0, this.throttleTimeout() - (this.platform.clock() - started)));
			let attempt = editStoredProfile(this.dataStore, key, rules, edit, policy());
			// A lock left by a crashed server holds nobody's session: it is taken over (cleared by
			// the edit's write) as a load would steal it, instead of waiting for the player's return.
			const holder = attempt.holder;
			if (attempt.outcome === "held" && holder !== undefined && holder !== this.platform.jobId) {
				if (this.liveness.check(holder) === "dead") {
					const idleFor = this.options.heartbeatTtl ?? 12;
					attempt = editStoredProfile(this.dataStore, key, rules, edit, policy(), { jobId: holder, idleFor });
				}
			}
			const outcome = attempt.outcome;
			if (typeIs(outcome, "string")) resolve(outcome);
			else reject(outcome);
		});
	}

	onMessage(kind: string, handler: MessageHandler<T>): RBXScriptConnection {
		let handlers = this.messageHandlers.get(kind);
		if (handlers === undefined) {
			handlers = [];
			this.messageHandlers.set(kind, handlers);
		}
		handlers.push(handler);
		// Sessions loaded before this handler existed hold its kind's messages locked and waiting.
		task.defer(() => {
			for (const [, session] of this.sessions) this.redeliver(session, kind);
		});
		return connectionRemoving(() => this.messageHandlers.get(kind), handler);
	}

	addReleaseHook(hook: ReleaseHook<T>): RBXScriptConnection {
		this.releaseHooks.push(hook);
		return connectionRemoving(() => this.releaseHooks, hook);
	}

	/**
	 * Runs every release hook side by side and returns once all are done, then lets a session
	 * with nothing new wait its turn (the session bounds the whole wait by `releaseDeadline`).
	 */
	private beforeRelease(session: ProfileSession<T>, reason: ReleaseReason): void {
		if (session.hasUnsavedChanges()) this.releasingChanged.add(session);
		this.runReleaseHooks(session, reason);
		this.awaitReleaseTurn(session);
	}

	/**
	 * When the write budget cannot cover every session this vault holds (a shutdown or a leave
	 * burst on a spent budget), a release with nothing unsaved waits while releases with unsaved
	 * changes are still being written, so that the writes the budget allows save changes first.
	 * Its lock stays held meanwhile: released later, or left to expire with this server's
	 * liveness, it only delays the player's next load.
	 */
	private awaitReleaseTurn(session: ProfileSession<T>): void {
		if (!this.writesScarce() || session.hasUnsavedChanges()) return;
		// A frame first: the other releases of the same leave burst (a shutdown's PlayerRemoving
		// calls) are registered by then.
		task.wait();
		while (this.releasingChanged.size() > 0 && this.writesScarce() && session.profile.IsActive()) {
			task.wait(RELEASE_TURN_POLL);
		}
	}

	/** Whether the DataStore write budget is below one write per session this vault holds or releases. */
	private writesScarce(): boolean {
		const [success, budget] = pcall(() =>
			this.platform.dataStoreService.GetRequestBudgetForRequestType(Enum.DataStoreRequestType.SetIncrementAsync),
		);
		return success && budget < this.sessions.size() + this.releaseWrites.size();
	}

	/** Runs every release hook side by side and returns once all are done. */
	private runReleaseHooks(session: ProfileSession<T>, reason: ReleaseReason): void {
		const hooks = [...this.releaseHooks];
		const given = this.options.hooks?.beforeRelease;
		if (given !== undefined) hooks.unshift(given);
		let running = hooks.size();
		for (const hook of hooks) {
			task.spawn(() => {
				pcall(hook, session, reason);
				running -= 1;
			});
		}
		while (running > 0) task.wait(0.05);
	}

	/** Offers a session's waiting (locked) messages of `kind` again. */
	private redeliver(session: ProfileSession<T>, kind: string): void {
		if (!session.isActive()) return;
		for (const [updateId, data] of session.profile.GlobalUpdates.GetLockedUpdates()) {
			if (isVaultMessage(data) && data.kind === kind) this.deliver(session, updateId, data);
		}
	}

	/**
	 * Applies messages as soon as the session sees them, before the player can act on the
	 * data at load: the processed id saved with the data makes that exactly once, even when
	 * the same message later comes back as a locked update (which is then only cleared).
	 */
	private listenForMessages(session: ProfileSession<T>): void {
		const updates = session.profile.GlobalUpdates;
		const arrive = (updateId: number, data: unknown) => {
			updates.LockActiveUpdate(updateId);
			this.deliver(session, updateId, data);
			session.save();
		};
		for (const [updateId, data] of updates.GetActiveUpdates()) arrive(updateId, data);
		updates.ListenToNewActiveUpdate(arrive);
		for (const [updateId, data] of updates.GetLockedUpdates()) this.deliver(session, updateId, data);
		updates.ListenToNewLockedUpdate((updateId, data) => this.deliver(session, updateId, data));
	}

	private deliver(session: ProfileSession<T>, updateId: number, data: unknown): void {
		// Updates hopsafe did not post (another tool's) are left for their owner.
		if (!isVaultMessage(data) || !session.isActive()) return;
		const updates = session.profile.GlobalUpdates;
		const processed = processedIds(session.profile.Data, os.time());
		if (processed[data.id] !== undefined) {
			updates.ClearLockedUpdate(updateId);
			return;
		}
		const handlers = this.messageHandlers.get(data.kind);
		if (handlers === undefined) return;
		// The same message can be offered again while a handler of it yields (it arrives as
		// active, then as locked; a late handler connects): one delivery at a time.
		const delivery = `${session.userId}:${data.id}`;
		if (this.delivering.has(delivery)) return;
		this.delivering.add(delivery);
		// A copy: a handler may disconnect itself.
		for (const handler of [...handlers]) {
			const [success, verdict] = pcall(handler, session, data);
			if (!success) {
				this.saveFailed.Fire(
					session.userId,
					makeError("CallbackFailed", `message handler threw: ${tostring(verdict)}`, {
						callback: "onMessage",
					}),
				);
				break;
			}
			if (verdict !== false) {
				if (session.isActive()) {
					processed[data.id] = os.time();
					updates.ClearLockedUpdate(updateId);
					session.save();
				}
				break;
			}
		}
		this.delivering.delete(delivery);
	}

	private loadOnJoin(player: Player): Promise<void> {
		return this.load(player)
			.then(() => undefined)
			.catch(() => undefined);
	}

	/** Reports a load's failure, unless the player left during it (nothing to tell anyone). */
	private report(player: Player, failure: HopsafeError): HopsafeError {
		if (failure.kind === "Closed" && failure.details.reason === "left") return failure;
		return this.fail(player, failure);
	}

	/** Fires a load failure and kicks the player or holds them, per `onLoadFailure`. */
	private fail(player: Player, failure: HopsafeError): HopsafeError {
		const report: LoadFailure = { userId: player.UserId, key: this.keyFor(player.UserId), error: failure };
		if (
			failure.kind === "MigrationFailed" ||
			failure.kind === "ValidationFailed" ||
			failure.kind === "NewerSchema"
		) {
			this.migrationFailed.Fire(report);
		}
		this.loadFailed.Fire(report);
		if ((this.options.onLoadFailure ?? "kick") === "kick" && player.Parent !== undefined) {
			player.Kick(KICK_MESSAGES[failure.kind] ?? DEFAULT_KICK);
		}
		return failure;
	}

	/** The load itself, on the caller's thread; returns the session or the failure (not yet reported). */
	private loadNow(player: Player): Session<T> | HopsafeError {
		const userId = player.UserId;
		const key = this.keyFor(userId);
		if (this.closing) return makeError("Closed", "the vault is closing", { reason: "shutdown" });

		// 1. Read the stored value without writing anything: a value that cannot be migrated
		//    or validated is left byte-for-byte as it is.
		const inspected = this.inspect(key, undefined, () => player.Parent === undefined);
		if (!inspected.ok) {
			if (player.Parent === undefined)
				return makeError("Closed", "the player left during the load", { reason: "left" });
			return inspected.failure;
		}
		if (inspected.inspection.envelope) {
			const dryRun = migrateEnvelope(inspected.inspection.envelope, this.plan, this.options.schema);
			if (!dryRun.ok) return dryRun.error;
		}

		// 2. If another server holds the lock, ask it to release and wait for the notice, so
		//    ProfileService's first attempt succeeds instead of waiting out its 7 s retries.
		const holder = inspected.inspection.holder;
		// (A lock held by this very server is a fast rejoin: ProfileService handles it.)
		if (holder && holder.jobId !== this.platform.jobId) {
			void this.liveness.ready().await();
			// Wait at least until a dead holder's liveness has surely expired, so a crashed
			// holder is always recognised here rather than after ProfileService's retries.
			const heartbeatTtl = this.options.heartbeatTtl ?? 12;
			const timeout = math.max(this.options.handoffTimeout ?? 15, heartbeatTtl + 3);
			const outcome = this.handoff.waitForRelease(key, holder, this.liveness, timeout);
			// A load whose player left takes nothing: the player may have moved to a server
			// that took the lock meanwhile.
			if (outcome === "dead" && player.Parent === undefined) {
				return makeError("Closed", "the player left during the load", { reason: "left" });
			}
			if (outcome === "dead")
				this.takeOverFromDead(key, holder.jobId, timeout, () => player.Parent === undefined);
		}

		// 3. Lock and load. A dead holder's lock was cleared above (or is taken over by the
		//    handler); a live holder is asked again and waited for, never stolen from.
		const started = this.platform.clock();
		const loadTimeout = this.options.loadTimeout ?? 300;
		const timedOut = () => this.platform.clock() - started > loadTimeout;
		const cancelled = () => timedOut() || this.closing || player.Parent === undefined;
		// ProfileService retries a lock write that fails (DataStore errors, throttling) every 7 s
		// for as long as the server runs: the load stops waiting for it at the same deadline, and
		// a lock it takes after that is given back at once. (Before the deadline, a load whose
		// player left or whose vault closes goes on: what it takes is released as a session.)
		this.lockFailures.set(key, "");
		const [finished, profile] = giveUpOn(
			() =>
				this.store.LoadProfileAsync(key, (_placeId, jobId) => {
					if (cancelled()) return "Cancel";
					if (this.liveness.check(jobId) === "dead") {
						this.takeOverFromDead(key, jobId, 5, cancelled);
					} else {
						this.handoff.waitForRelease(key, { placeId: 0, jobId }, this.liveness, 5);
					}
					return "Repeat";
				}),
			timedOut,
			(late) => late?.Release(),
		);
		const lockFailure = this.lockFailures.get(key) ?? "";
		this.lockFailures.delete(key);
		if (profile === undefined) {
			if (player.Parent === undefined)
				return makeError("Closed", "the player left during the load", { reason: "left" });
			if (!finished && lockFailure !== "") {
				return makeError("PlatformFailure", `could not lock ${key} within ${loadTimeout} s: ${lockFailure}`, {
					service: "DataStoreService",
					operation: "UpdateAsync",
					retryable: true,
					code: errorCode(lockFailure),
					throttled: isThrottleError(lockFailure) ? true : undefined,
				});
			}
			return makeError("SessionLocked", "another server kept the session lock", { key });
		}

		// 4. Migrate what was actually locked (it may differ from step 1's read).
		const envelope = readEnvelope(profile.Data, this.options.adoptUnversioned);
		const migrated = envelope.ok ? migrateEnvelope(envelope.value, this.plan, this.options.schema) : envelope;
		if (!migrated.ok) {
			profile.Release();
			return migrated.error;
		}
		// What the DataStore holds now: a session unchanged since counts as saved.
		const stored = profile.Data;
		profile.Data = migrated.value;
		profile.AddUserId(userId);

		const session = new ProfileSession<T>(
			userId,
			key,
			player,
			profile as Profile<Envelope>,
			(ended, reason) => this.onSessionEnded(ended, reason),
			(released, withUpdates, afterFailure) =>
				releaseDirectly(
					released,
					this.dataStore,
					key,
					this.platform.placeId,
					this.platform.jobId,
					withUpdates,
					afterFailure,
				),
			(releasing, reason) => this.beforeRelease(releasing, reason),
			this.options.releaseDeadline,
		);
		session.noteStored(stored);
		profile.ListenToRelease(() => this.profileReleased(session));
		const beforeStart = this.options.hooks?.beforeStart;
		if (beforeStart) {
			const [success, verdict] = pcall(beforeStart, session);
			const failure = !success
				? makeError("CallbackFailed", `beforeStart threw: ${tostring(verdict)}`, { callback: "beforeStart" })
				: verdict;
			if (failure !== undefined) {
				session.markEnded();
				profile.Release();
				return failure as HopsafeError;
			}
		}
		this.sessions.set(userId, session);
		if (player.Parent === undefined || this.closing) {
			const reason = player.Parent === undefined ? "left" : "shutdown";
			void session.release(reason);
			return makeError("Closed", "the player left or the server closed during the load", { reason });
		}
		this.loaded.Fire(session);
		// After `loaded`, in the same frame: handlers find the systems that start with the
		// session (an inventory served, a trade book) ready, and the player has not acted yet.
		// (A `loaded` listener may have ended the session already.)
		if (session.isActive()) this.listenForMessages(session);
		return session;
	}

	/**
	 * Reads and checks the stored value of `key` (at `version`, when given) without changing it.
	 * A throttled read is retried with backoff for up to `throttleTimeout` seconds, or until
	 * `abandon` says the caller no longer wants it; unless `patient` is false (a read that only
	 * helps, after the work is done): then it gets the three tries of any other failure.
	 */
	private inspect(
		key: string,
		version?: string,
		abandon?: () => boolean,
		patient = true,
	): { ok: true; inspection: Inspection; userIds: Array<number> } | { ok: false; failure: HopsafeError } {
		const options = new Instance("DataStoreGetOptions");
		options.UseCache = false;
		const operation = version === undefined ? "GetAsync" : "GetVersionAsync";
		let userIds = new Array<number>();
		const policy = throttledRetry(3, patient ? (this.options.throttleTimeout ?? 120) : undefined, abandon);
		const [read, raw] = retry(policy, () => {
			const [value, keyInfo] =
				version === undefined
					? this.dataStore.GetAsync(key, options)
					: this.dataStore.GetVersionAsync(key, version);
			userIds = keyInfo?.GetUserIds() ?? [];
			return value;
		});
		if (!read) {
			return {
				ok: false,
				failure: makeError(
					"PlatformFailure",
					`could not read ${key}: ${describeThrown(raw)}`,
					{
						service: "DataStoreService",
						operation,
						retryable: true,
						code: errorCode(raw),
						throttled: isThrottleError(raw) ? true : undefined,
					},
					raw,
				),
			};
		}
		const inspection = inspectStoredValue(raw, this.options.adoptUnversioned);
		return inspection.ok
			? { ok: true, inspection: inspection.value, userIds }
			: { ok: false, failure: inspection.error };
	}

	/**
	 * Clears the lock a server found dead holds on `key`, once the profile has gone unwritten for
	 * `heartbeatTtl`: a server that just loaded it may not have stored its first heartbeat yet.
	 * Until then the holder may still release (it was asked to), or show itself alive; gives up
	 * after `timeout` seconds or when `abandon` says so, leaving the lock to the load's handler.
	 */
	private takeOverFromDead(key: string, jobId: string, timeout: number, abandon: () => boolean): void {
		const idleFor = this.options.heartbeatTtl ?? 12;
		const started = this.platform.clock();
		/** The stored LastUpdate as first seen here, and when: idle by this server's own clock. */
		let seen: { lastUpdate: number; at: number } | undefined;
		while (!abandon()) {
			const unchanged = seen && { lastUpdate: seen.lastUpdate, seconds: this.platform.clock() - seen.at };
			const found = takeOrphanedLock(this.dataStore, key, { jobId, idleFor, unchanged });
			if (found.kind !== "recent") return;
			if (seen?.lastUpdate !== found.lastUpdate)
				seen = { lastUpdate: found.lastUpdate, at: this.platform.clock() };
			const left = timeout - (this.platform.clock() - started);
			if (left <= 0) return;
			const holder = { placeId: 0, jobId };
			if (this.handoff.waitForRelease(key, holder, undefined, math.min(found.wait, left)) === "released") return;
			if (this.liveness.check(jobId) !== "dead") return;
		}
	}

	/** ProfileService ended a session the vault did not release. */
	private profileReleased(session: ProfileSession<T>): void {
		if (session.reason() !== undefined) return;
		// At shutdown ProfileService releases every profile itself, possibly before the vault's
		// BindToClose and before PlayerRemoving: this server's own release, not a lost lock.
		if (ProfileService.ServiceLocked || this.closing) void session.endAtShutdown();
		else session.markLost();
	}

	private onSessionEnded(session: ProfileSession<T>, reason: ReleaseReason): void {
		this.releasingChanged.delete(session);
		if (this.sessions.get(session.userId) === session) this.sessions.delete(session.userId);
		this.releaseWrites.set(session.key, session);
		session.profile.ListenToHopReady(() => {
			if (this.releaseWrites.get(session.key) === session) this.releaseWrites.delete(session.key);
		});
		if (reason === "lockLost") {
			this.lockLost.Fire(session.userId);
			if (session.player.Parent !== undefined) {
				session.player.Kick(KICK_MESSAGES.SessionLost);
			}
		} else {
			this.handoff.announceRelease(session.key, session.requesters);
		}
		this.released.Fire(session.userId, reason);
	}

	private onReleaseRequested(key: string, requester: string, erasing: boolean): void {
		const session = this.findByKey(key);
		if (!session) {
			// Before an erase, ProfileService's own release of a session that ended here must
			// be written first (see erase).
			const ended = erasing ? this.releaseWrites.get(key) : undefined;
			if (ended) ended.profile.ListenToHopReady(() => this.handoff.replyNotHeld(key, requester));
			else this.handoff.replyNotHeld(key, requester);
			return;
		}
		session.requesters.push(requester);
		// The player is on another server now; if they are still connected here, this is a
		// second login and the older one goes, as on Roblox. An erase ends the session too.
		// (An erase's release starts before the kick, whose PlayerRemoving would call it "left".)
		if (erasing) void session.release("erased");
		if (session.player.Parent !== undefined) {
			session.player.Kick(erasing ? KICK_MESSAGES_ERASED : "You joined another server.");
		}
		void session.release("requested");
	}

	private findByKey(key: string): ProfileSession<T> | undefined {
		for (const [, session] of this.sessions) if (session.key === key) return session;
		return undefined;
	}

	private watchBudget(): void {
		const threshold = this.options.budgetLowThreshold ?? 10;
		const types: Array<[string, Enum.DataStoreRequestType]> = [
			["GetAsync", Enum.DataStoreRequestType.GetAsync],
			["SetIncrementAsync", Enum.DataStoreRequestType.SetIncrementAsync],
		];
		// Types whose budget is below the threshold: the signal fires when one drops there, and
		// again only after it has recovered.
		const low = new Set<string>();
		while (!this.closing) {
			for (const [name, requestType] of types) {
				const [success, budget] = pcall(() =>
					this.platform.dataStoreService.GetRequestBudgetForRequestType(requestType),
				);
				if (!success) continue;
				if (budget >= threshold) low.delete(name);
				else if (!low.has(name)) {
					low.add(name);
					this.budgetLow.Fire(name, budget);
				}
			}
			task.wait(5);
		}
	}
}

/**
 * Creates a vault: session-locked player profiles over ProfileService, with a fast hop handoff,
 * crash recovery through server liveness, and lazy, validated migrations. With `bindPlayers`
 * (the default) it loads players as they join and releases them as they leave.
 *
 * @example
 * ```ts
 * import { createVault } from "@rbxts/hopsafe";
 * import { t } from "@rbxts/t";
 *
 * interface PlayerData {
 * 	coins: number;
 * }
 *
 * const vault = createVault<PlayerData>({
 * 	name: "PlayerData",
 * 	template: { coins: 0 },
 * 	schema: t.interface({ coins: t.number }),
 * 	migrations: [(old) => ({ coins: (old as { gold: number }).gold })],
 * });
 * vault.loaded.Connect((session) => print(session.userId, session.data.coins));
 * ```
 */
export function createVault<T extends object>(options: VaultOptions<T>): Vault<T> {
	const vault = new VaultImpl(options);
	vault.start();
	return vault;
}
