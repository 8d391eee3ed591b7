import ProfileService from "@rbxts/profileservice";
import { deepCopy } from "../core/deepCopy";
import { deepEqual } from "../core/deepEqual";
import { makeError } from "../core/errors";
import type { Profile } from "@rbxts/profileservice/globals";
import type { DirectRelease } from "./directRelease";
import type { Envelope } from "./envelope";
import type { ReleaseReason, Session } from "./types";

const SAVE_MARK = "hopsafeSave";
/** Seconds to wait for one save before asking ProfileService again. */
const SAVE_RETRY = 8;

/** Which save of which session carried a change: `count` is per session, `session` its load count. */
interface SaveMark {
	readonly session: number;
	readonly count: number;
}

/** A stored mark of `session` (marks of other sessions, or of older versions, are not ours). */
function markOf(tags: ReadonlyMap<string, unknown> | undefined, session: number): number {
	const mark = tags?.get(SAVE_MARK) as Partial<SaveMark> | undefined;
	if (!typeIs(mark, "table") || mark.session !== session || !typeIs(mark.count, "number")) return 0;
	return mark.count;
}

/**
 * Resolves once a save that includes every change made before the call has reached the
 * DataStore. ProfileService drops a Save() while another write to the key is queued or in
 * flight, so a counter in the profile's MetaTags (written in the same UpdateAsync as Data)
 * tells which save carried our changes. The counter belongs to the session: once a lock is
 * taken over, ProfileService shows the new holder's tags as the latest, and those must never
 * count as this session's save.
 */
function confirmSave(profile: Profile<Envelope>, session: number, timeout: number): Promise<void> {
	const count = markOf(profile.MetaData.MetaTags, session) + 1;
	const mark: SaveMark = { session, count };
	profile.SetMetaTag(SAVE_MARK, mark);
	const saved = () => markOf(profile.MetaData.MetaTagsLatest, session) >= count;
	return new Promise<void>((resolve, reject) => {
		const started = os.clock();
		while (!saved()) {
			if (!profile.IsActive()) {
				reject(makeError("SessionLost", "the session ended before the save was confirmed", { key: "" }));
				return;
			}
			if (os.clock() - started >= timeout) {
				reject(
					makeError("Timeout", "the save was not confirmed in time", { operation: "save", seconds: timeout }),
				);
				return;
			}
			profile.Save();
			const waitStarted = os.clock();
			while (!saved() && profile.IsActive() && os.clock() - waitStarted < SAVE_RETRY) task.wait(0.1);
		}
		resolve();
	});
}

/** ProfileService spaces calls on a key this many seconds apart (its RobloxWriteCooldown). */
const PROFILE_SERVICE_COOLDOWN = 7;
/** Seconds ProfileService gets to write a release on its own before hopsafe writes it. */
const RELEASE_GRACE = 1;
/**
 * Tries of a direct release that failed or was left to ProfileService: a failed write is looked
 * at again at once (it may have been applied), then 1, 2 and 3 s apart; a throttled one was
 * never written, and its retries wait 1, 2, 3 and 4 s, so a full request queue is not hit again
 * in the next frame.
 */
const DIRECT_RELEASE_ATTEMPTS = 5;
/** Tries of a release hopsafe writes itself at shutdown (1 + 2 + 3 s apart, inside BindToClose's 30 s). */
const KEPT_RELEASE_ATTEMPTS = 4;

/** The live side of a {@link Session}: a ProfileService profile plus hopsafe's bookkeeping. */
export class ProfileSession<T extends object> implements Session<T> {
	readonly data: T;
	readonly schemaVersion: number;
	readonly generation: number;
	/** Servers that asked for this session's release and want a reply. */
	readonly requesters = new Array<string>();
	private releasing?: Promise<void>;
	private releaseReason?: ReleaseReason;
	/** os.clock() of this session's last DataStore write (the load counts). */
	private lastWriteAt = os.clock();
	/** The release hooks are running: the lock must outlast them. */
	private hooking = false;
	/** ProfileService let the profile go at shutdown while the hooks ran; the release is ours to write. */
	private keptAtShutdown = false;
	/** While the release is being written: looks at it again after ProfileService's write failed. */
	private releaseWriteFailed?: () => void;
	/** A copy of the data as the DataStore holds it, from the load or the last save (see hasUnsavedChanges). */
	private savedData?: Envelope;

	constructor(
		readonly userId: number,
		readonly key: string,
		readonly player: Player,
		readonly profile: Profile<Envelope>,
		private readonly onRelease: (session: ProfileSession<T>, reason: ReleaseReason) => void,
		private readonly releaseDirectly: (
			profile: Profile<Envelope>,
			withUpdates?: boolean,
			afterFailure?: boolean,
		) => DirectRelease,
		private readonly beforeRelease?: (session: ProfileSession<T>, reason: ReleaseReason) => void,
		private readonly releaseDeadline = 10,
	) {
		this.data = profile.Data.value as T;
		this.schemaVersion = profile.Data.schemaVersion;
		this.generation = profile.MetaData.SessionLoadCount;
		profile.KeyInfoUpdated.Connect(() => {
			this.lastWriteAt = os.clock();
			this.savedData = deepCopy(profile.Data);
		});
		profile.ListenToRelease(() => this.keepAtShutdown());
	}

	/**
	 * ProfileService releases every profile it still holds when the server shuts down, also one
	 * whose release hooks are running (a player who left just before: the last one of a server
	 * that closes because it is empty). That release would end the lock without what the hooks
	 * change, and let another server load the player meanwhile. ProfileService (1.4.2) reads the
	 * session's load count for its release write right after its release listeners ran; a count
	 * that is not the stored one makes the write leave the stored profile as it is, and the
	 * session writes its release itself once the hooks are done.
	 */
	private keepAtShutdown(): void {
		if (!this.hooking || !ProfileService.ServiceLocked) return;
		this.keptAtShutdown = true;
		this.setLoadCount(-1);
	}

	/** Records what the DataStore holds for the profile (the value its load read, unmigrated). */
	noteStored(data: Envelope): void {
		this.savedData = deepCopy(data);
	}

	/**
	 * Whether the profile holds something the DataStore does not: data changed since the load or
	 * the last save, or messages locked or cleared since. (A change made while a save was in
	 * flight reads as saved: the copy is taken when that save returns.)
	 */
	hasUnsavedChanges(): boolean {
		const updates = this.profile.GlobalUpdates as unknown as {
			_pending_update_lock?: Array<number>;
			_pending_update_clear?: Array<number>;
		};
		if ((updates._pending_update_lock?.size() ?? 0) > 0 || (updates._pending_update_clear?.size() ?? 0) > 0) {
			return true;
		}
		return this.savedData === undefined || !deepEqual(this.profile.Data, this.savedData);
	}

	isActive(): boolean {
		return this.releasing === undefined && this.profile.IsActive();
	}

	/** Why the session ended, once it has. */
	reason(): ReleaseReason | undefined {
		return this.releaseReason;
	}

	/** Resolves once the release has finished; undefined while the session has not begun ending. */
	whenReleased(): Promise<void> | undefined {
		return this.releasing;
	}

	save(): void {
		if (this.isActive()) this.profile.Save();
	}

	saveAsync(timeout = 30): Promise<void> {
		return confirmSave(this.profile, this.generation, timeout);
	}

	release(reason: ReleaseReason = "manual"): Promise<void> {
		if (this.releasing) return this.releasing;
		this.releaseReason = reason;
		/** Set when the release was refused: another server took the lock first. */
		let lost = false;
		this.releasing = new Promise<void>((resolve) => {
			if (!this.profile.IsActive()) {
				resolve();
				return;
			}
			this.hooking = true;
			this.runBeforeRelease(reason);
			this.hooking = false;
			if (this.keptAtShutdown) {
				this.setLoadCount(this.generation);
				this.releaseKept();
				resolve();
				return;
			}
			let released = false;
			this.profile.ListenToHopReady(() => {
				released = true;
				// ProfileService's release save brings the stored lock into MetaData: it wrote
				// nothing if another session holds the lock, or has held it since.
				const metaData = this.profile.MetaData;
				lost = metaData.ActiveSession !== undefined || metaData.SessionLoadCount !== this.generation;
				resolve();
			});
			// Ends the session in ProfileService at once (no more saves of later changes) and
			// queues its release save.
			this.profile.Release();
			// That save waits out ProfileService's cooldown when the key was written recently
			// (or is queued behind a save in flight); then release directly so the next server
			// does not wait for it. Otherwise give ProfileService a moment to do it alone.
			// Before an erase, ProfileService's own release must be written first: written
			// after the key is removed, it would fail and be retried for as long as the server runs.
			if (reason === "erased") return;
			// A write that failed, or that ProfileService must make, is looked at again at once:
			// a release whose call errored may have been applied, and once another server loads
			// the player, ProfileService's own retry (7 s later) finds only that server's lock.
			let trying = false;
			const releaseNow = (afterFailure: boolean) => {
				if (trying) return;
				trying = true;
				for (let attempt = 1; attempt <= DIRECT_RELEASE_ATTEMPTS && !released; attempt++) {
					const outcome = this.releaseDirectly(this.profile, false, afterFailure || attempt > 1);
					if (outcome === "released") resolve();
					if (outcome !== "failed" && outcome !== "throttled") break;
					if (attempt < DIRECT_RELEASE_ATTEMPTS) task.wait(outcome === "throttled" ? attempt : attempt - 1);
				}
				trying = false;
			};
			this.releaseWriteFailed = () => {
				if (!released) task.spawn(releaseNow, true);
			};
			if (os.clock() - this.lastWriteAt < PROFILE_SERVICE_COOLDOWN) releaseNow(false);
			else task.delay(RELEASE_GRACE, releaseNow, false);
		}).finally(() => {
			if (lost) this.releaseReason = "lockLost";
			this.onRelease(this, lost ? "lockLost" : reason);
		});
		return this.releasing;
	}

	/** ProfileService reported a failed write of this profile: a release in progress is looked at again. */
	writeFailed(): void {
		this.releaseWriteFailed?.();
	}

	/** Sets the load count ProfileService keeps for this profile (its typings make it read-only). */
	private setLoadCount(count: number): void {
		(this.profile.MetaData as { SessionLoadCount: number }).SessionLoadCount = count;
	}

	/**
	 * Writes the release of a profile ProfileService let go at shutdown while the hooks ran (see
	 * keepAtShutdown): the data as the hooks left it, and the lock cleared, while this session
	 * still holds it. A write that fails is tried again; one that finds the lock gone writes nothing.
	 */
	private releaseKept(): void {
		for (let attempt = 1; attempt <= KEPT_RELEASE_ATTEMPTS; attempt++) {
			const outcome = this.releaseDirectly(this.profile, true);
			if (outcome !== "failed" && outcome !== "throttled") return;
			if (attempt < KEPT_RELEASE_ATTEMPTS) task.wait(attempt);
		}
	}

	/** Runs the beforeRelease hook on its own thread, waiting for it at most the deadline. */
	private runBeforeRelease(reason: ReleaseReason): void {
		const hook = this.beforeRelease;
		if (hook === undefined) return;
		let finished = false;
		task.spawn(() => {
			pcall(hook, this, reason);
			finished = true;
		});
		const started = os.clock();
		while (!finished && os.clock() - started < this.releaseDeadline) task.wait(0.05);
	}

	/** Ends a session that never started (its load was abandoned); fires nothing. */
	markEnded(): void {
		this.releaseReason = "manual";
		this.releasing = Promise.resolve();
	}

	/**
	 * Ends a session ProfileService released on its own at shutdown (its BindToClose may run
	 * before the vault's and before PlayerRemoving). The hook still runs: what it sends
	 * elsewhere goes out, though data it changes reaches the release only if that save has not
	 * been written yet. Resolves once the release is saved.
	 */
	endAtShutdown(): Promise<void> {
		if (this.releasing) return this.releasing;
		this.releaseReason = "shutdown";
		this.releasing = new Promise<void>((resolve) => {
			this.runBeforeRelease("shutdown");
			this.profile.ListenToHopReady(() => resolve());
		}).finally(() => this.onRelease(this, "shutdown"));
		return this.releasing;
	}

	/** Marks the session as ended by ProfileService itself (the lock was taken elsewhere). */
	markLost(): void {
		if (this.releasing) return;
		this.releaseReason = "lockLost";
		this.releasing = Promise.resolve();
		this.onRelease(this, "lockLost");
	}
}
