import type { Session } from "../vault/types";
import { applyOps, cloneState } from "./state";
import type { OutboxEntry, SyncOp, SyncRecord, SyncState } from "./types";

/** What the client knows about one outbox entry beyond what the profile stores. */
export interface EntryMeta {
	/** Clock time before which the entry is not sent again (backoff). */
	nextAt: number;
	/** Sent at least once without a definitive answer: the API may have applied it. */
	uncertain: boolean;
	/** In a request whose answer has not been handled yet. */
	inFlight: boolean;
	/** 412 answers so far. */
	conflicts: number;
	/**
	 * Decide the documents again (`decideDoc`) once the newest state is pulled: a 412 came, or
	 * another writer changed a document between this server's decision and its send.
	 */
	redecide: boolean;
	/**
	 * Each document of a pending `doc.set` as it was when this server decided its value (absent
	 * after a restart: a replayed entry is sent as it was saved).
	 */
	docBases?: Map<string, Record<string, unknown> | false>;
	/** Clock time the (first) mutation was queued, for commit latency. */
	queuedAt: number;
	/** Its key was given by the game: never coalesce into it. */
	fixedKey: boolean;
	/** Later mutations may join it (it holds only operations that cannot be refused in practice). */
	open: boolean;
	/** About how large its coalescable operations are in a body (see `MAX_ENTRY_BYTES`). */
	bytes: number;
	/** Dead-lettered (exhausted its retries); retried on its own schedule. */
	dead: boolean;
	/** Given a new key (a document decided again) that no save holds yet: not sent until one does. */
	unsaved?: boolean;
	/** The version a `doc.set` entry was last sent against: sent again under its key with it. */
	ifMatch?: number;
	/**
	 * A dead letter the API may have applied, and a pull has read the player since: the mirror
	 * holds it if it was applied, so the view leaves it out instead of counting it twice.
	 */
	maybeInMirror: boolean;
}

/** A transaction the API acknowledged at a version the mirror has not reached yet. */
export interface AheadEntry {
	readonly version: number;
	readonly ops: ReadonlyArray<SyncOp>;
}

/** One loaded player's reconciliation state on this server. */
export class PlayerSync<T extends object> {
	/** The optimistic state: the mirror, then what is acknowledged ahead of it, then what is pending. */
	view: SyncState;
	readonly ahead = new Array<AheadEntry>();
	readonly meta = new Map<string, EntryMeta>();
	/** Highest version a push announced. */
	wantVersion = 0;
	/** The mirror may be behind the API (a rejection, a conflict, a gap, a malformed answer). */
	needsPull = false;
	/** The next pull must read the full state instead of the change feed. */
	needsFullRead = false;
	/** A request about this player is in flight (keeps a player's requests in order). */
	busy = false;
	/** Joining: replaying and pulling; not served by the batcher yet. */
	starting = true;
	/** Leaving: flush now, accept no more mutations. */
	releasing = false;
	/** The view left out a pending operation the state refused (it will be rolled back). */
	doomed = false;
	connection?: RBXScriptConnection;

	constructor(
		readonly userId: number,
		readonly session: Session<T>,
		readonly record: SyncRecord,
	) {
		this.view = cloneState(record.mirror);
	}

	/** The meta of an entry, created on first use. */
	metaOf(entry: OutboxEntry, now: number): EntryMeta {
		let meta = this.meta.get(entry.key);
		if (meta === undefined) {
			meta = {
				nextAt: 0,
				uncertain: entry.sentAt !== undefined,
				inFlight: false,
				conflicts: 0,
				redecide: false,
				queuedAt: now,
				fixedKey: true,
				open: false,
				bytes: 0,
				dead: false,
				maybeInMirror: false,
			};
			this.meta.set(entry.key, meta);
		}
		return meta;
	}

	/** Whether any live (not dead-lettered) entry may already have been applied by the API. */
	hasUncertain(): boolean {
		for (const entry of this.record.outbox) {
			const meta = this.meta.get(entry.key);
			if (meta !== undefined && (meta.uncertain || meta.inFlight)) return true;
		}
		return false;
	}

	/** A pull read the player: dead letters the API may have applied are in its mirror if they were. */
	markPulled(): void {
		for (const entry of this.record.deadLetters) {
			const meta = this.meta.get(entry.key);
			if (meta !== undefined && meta.uncertain) meta.maybeInMirror = true;
		}
	}

	/** The highest version this server knows the player reached. */
	knownVersion(): number {
		let version = this.record.mirror.version;
		for (const entry of this.ahead) version = math.max(version, entry.version);
		return version;
	}

	/** Removes an entry from the outbox or the dead-letter list; returns whether it was there. */
	removeEntry(entry: OutboxEntry): boolean {
		for (const list of [this.record.outbox, this.record.deadLetters]) {
			const index = list.indexOf(entry);
			if (index >= 0) {
				list.remove(index);
				this.meta.delete(entry.key);
				return true;
			}
		}
		return false;
	}

	/** Finds an entry by key in the outbox or the dead-letter list. */
	findEntry(key: string): OutboxEntry | undefined {
		for (const list of [this.record.outbox, this.record.deadLetters]) {
			for (const entry of list) if (entry.key === key) return entry;
		}
		return undefined;
	}

	/**
	 * Recomputes the optimistic view: the mirror, the transactions acknowledged ahead of it (in
	 * version order), then the dead letters (but those a pull may have read already) and the
	 * outbox in order. A pending operation the current state would refuse is left out (the API
	 * will refuse it too, and the rollback follows). Returns the new view.
	 */
	rebuildView(): SyncState {
		const view = cloneState(this.record.mirror);
		const ahead = table.clone(this.ahead);
		ahead.sort((a, b) => a.version < b.version);
		for (const entry of ahead) {
			applyOps(view, entry.ops);
			view.version = math.max(view.version, entry.version);
		}
		let doomed = false;
		for (const entry of this.record.deadLetters) {
			if (this.meta.get(entry.key)?.maybeInMirror === true) continue;
			if (applyOps(view, entry.ops) !== undefined) doomed = true;
		}
		for (const entry of this.record.outbox) if (applyOps(view, entry.ops) !== undefined) doomed = true;
		this.doomed = doomed;
		this.view = view;
		return view;
	}
}
