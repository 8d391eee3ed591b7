import type Signal from "@rbxts/signal";
import { immediateSignal } from "../core/signal";
import { deepCopy } from "../core/deepCopy";
import { deepEqual } from "../core/deepEqual";
import { makeError, type HopsafeError } from "../core/errors";
import { err, ok, type Result } from "../core/result";
import { isCount, isSafeInteger } from "../inventory/integers";
import { defaultPlatform, type Platform } from "../platform";
import type { ReleaseReason, Session, SessionHooks } from "../vault/types";
import { fateOf } from "./fate";
import { ApiClient, errorOf, type ApiResponse } from "./api";
import { RequestBudget } from "./budget";
import { PlayerSync, type EntryMeta } from "./player";
import { checkSyncOptions } from "./options";
import { isSyncRecord } from "./record";
import {
	applyChangeOp,
	applyOps,
	checkOp,
	isCoalescable,
	isKey,
	isName,
	isReason,
	isState,
	MAX_OPS,
	sameContents,
	stateFromWire,
	type ChangeOp,
} from "./state";
import type {
	MutationOptions,
	OutboxEntry,
	PlayerRef,
	SyncItem,
	SyncOp,
	SyncOptions,
	SyncRejectReason,
	SyncRollback,
	SyncState,
	SyncStats,
	SyncTransferLeg,
	TransferReceipt,
	TransferSettlement,
} from "./types";
import { isTransfer } from "./transfer";
import { isJsonObject } from "./json";
import { encodeBatch, encodePull, encodeTransfer, encodeVoid, type BatchRequest } from "./wire";

/** Most transactions in one batch request, and most players in one pull (the API's limits). */
const MAX_BATCH = 100;
/** The largest batch body the API takes (bytes). */
const MAX_BATCH_BYTES = 1024 * 1024;
/**
 * Bytes coalescing may grow one transaction to: under the API's 64 KiB for a transaction's body,
 * with room for the fields around the operations.
 */
const MAX_ENTRY_BYTES = 60 * 1024;
/** What one operation's fields take in a body, besides attributes (ids and names are 64 at most). */
const OP_BYTES = 256;
/** Asks the save API not to announce a write through push invalidation (see sendBatch). */
const QUIET = { "Hopsafe-Push": "off" };
const MAX_PULL = 200;
/** Seconds between looks at the queues (flushes and pulls keep their own intervals). */
const TICK = 0.1;
/** Most batch requests in flight at once (a slow answer delays only its own players). */
const MAX_IN_FLIGHT = 3;
/** 412 answers one `doc.set` may meet before it is rolled back as `version_conflict`. */
const MAX_CONFLICTS = 3;
/** Longest `Retry-After` any request waits out (a joining player is held meanwhile). */
const MAX_RETRY_AFTER = 60;

/**
 * The reconciliation client of the external-authority mode (DESIGN §2, §6): the save API is the
 * truth, each player's profile its cache and the durable outbox of transactions it has not
 * acknowledged yet. Create it with {@link createSync} and pass its `hooks` to `createVault`.
 * The listeners of its signals start inside `Fire`, each on its own thread, also where
 * `Workspace.SignalBehavior` is Deferred.
 */
export interface Sync<T extends object> {
	/** Give these to `createVault({ hooks })`: join replays and pulls, leave flushes. */
	readonly hooks: SessionHooks<T>;
	/** A player's state is pulled and ready for mutations. */
	readonly ready: Signal<(userId: number, state: SyncState) => void>;
	/** A transaction was acknowledged by the API (`parts` mutations coalesced into it). */
	readonly committed: Signal<(userId: number, key: string, version: number, parts: number) => void>;
	/** A queued mutation was undone; tell the client why (see {@link SyncRollback}). */
	readonly rolledBack: Signal<(userId: number, rollback: SyncRollback) => void>;
	/** The player's state changed other than by this server's own mutations (another writer, a rollback). */
	readonly changed: Signal<(userId: number, state: SyncState) => void>;
	/** A transaction exhausted its retries; it stays in the profile and is retried later. */
	readonly deadLettered: Signal<(userId: number, key: string) => void>;
	/** Something operators should see: a missing secret, an API refusing this server, an unreachable API. */
	readonly failed: Signal<(userId: number | undefined, failure: HopsafeError) => void>;
	/**
	 * Applies `ops` to the player's state at once (the caller never waits on the network) and
	 * queues them as one transaction for the API. Returns the transaction's idempotency key, or
	 * why nothing was done (nothing is queued then).
	 */
	mutate(player: PlayerRef, ops: ReadonlyArray<SyncOp>, options?: MutationOptions): Result<string, SyncRejectReason>;
	/** `currency.add`: a credit (positive) or a debit (negative; refused below zero). */
	addCurrency(
		player: PlayerRef,
		currency: string,
		amount: number,
		options?: MutationOptions,
	): Result<string, SyncRejectReason>;
	/**
	 * `item.grant` of a new item with a fresh global id (`<userId>-<guid>`) unless `id` is given.
	 * Returns the item's id.
	 */
	grantItem(
		player: PlayerRef,
		item: {
			readonly def: string;
			readonly count?: number;
			readonly attrs?: Record<string, unknown>;
			readonly id?: string;
		},
		options?: MutationOptions,
	): Result<string, SyncRejectReason>;
	/** `item.remove` (default one of the stack). */
	removeItem(
		player: PlayerRef,
		id: string,
		count?: number,
		options?: MutationOptions,
	): Result<string, SyncRejectReason>;
	/** `item.update`: replaces an item's attributes. */
	updateItem(
		player: PlayerRef,
		id: string,
		attrs: Record<string, unknown>,
		options?: MutationOptions,
	): Result<string, SyncRejectReason>;
	/** `doc.set`: replaces a document, guarded by the version it was decided on. */
	setDoc(
		player: PlayerRef,
		name: string,
		value: Record<string, unknown>,
		options?: MutationOptions,
	): Result<string, SyncRejectReason>;
	/** `progress.advance`: moves progress forward to `to` (never back). */
	advanceProgress(
		player: PlayerRef,
		name: string,
		to: number,
		options?: MutationOptions,
	): Result<string, SyncRejectReason>;
	/**
	 * Moves items and currency between players in one API transaction (`POST /v1/transfers`):
	 * every leg or none, once per idempotency key (made before anything is sent, or
	 * `options.key`; give the same key to retry a transfer whose outcome is unknown). Nothing is
	 * applied optimistically; once the API commits, every player of the transfer loaded here is
	 * pulled at once, and the API's push tells the servers holding the others, so their states
	 * (and an inventory in external authority) show the move. Resolves with each player's new
	 * version; rejects with `InvalidArgument` for a malformed transfer, `ApiRejected` with the
	 * API's code (`item_not_owned`, `insufficient_funds`, `item_exists`), or `HttpFailure`
	 * after the retries.
	 */
	transfer(legs: ReadonlyArray<SyncTransferLeg>, options?: MutationOptions): Promise<ReadonlyMap<number, number>>;
	/**
	 * Settles a transfer's idempotency key for good (`POST /v1/transfers/void`): resolves with
	 * `applied` (and the versions) when a transfer with `key` was applied, `refused` with the
	 * API's code when it was refused, or `voided` when none was, after which a transfer with
	 * `key` is refused (`transfer_voided`) wherever it comes from. `players` are the users the
	 * transfer touches. For a participant whose sender went away; rejects with
	 * `InvalidArgument`, `ApiRejected`, or `HttpFailure` after the retries.
	 */
	voidTransfer(key: string, players: ReadonlyArray<number>): Promise<TransferSettlement>;
	/** The player's optimistic state (read-only; it is replaced as things change), if loaded here. */
	getState(player: PlayerRef): SyncState | undefined;
	/** The state last acknowledged by the API (read-only), if loaded here. */
	getCommitted(player: PlayerRef): SyncState | undefined;
	/** Transactions of the player not yet acknowledged (outbox and dead letters). */
	pendingCount(player: PlayerRef): number;
	/** Whether the player's transaction with `key` is in the outbox or dead letters here. */
	isQueued(player: PlayerRef, key: string): boolean;
	/** Whether the player is loaded here and accepts mutations. */
	isReady(player: PlayerRef): boolean;
	/**
	 * Resolves with the version once the transaction with `key` is acknowledged; rejects if it is
	 * rolled back (`ApiRejected` with the API's code, or `VersionConflict` for a document that kept
	 * losing to other writers), or with a `Timeout`. Call it right after the mutation.
	 */
	awaitCommit(key: string, timeout?: number): Promise<number>;
	/** Asks for the player's newest state now (instead of at the next timer pull). */
	refresh(player: PlayerRef): void;
	/** Counters since the client was created. */
	stats(): SyncStats;
	/** Stops the client's background thread (sessions should be released first). */
	close(): void;
}

type Settlement = { readonly version?: number; readonly failure?: HopsafeError };

/** One player's entries in a batch request, in order; `ifMatch` for an entry holding `doc.set`. */
interface Group<T extends object> {
	readonly state: PlayerSync<T>;
	readonly entries: Array<OutboxEntry>;
	readonly ifMatch?: number;
}

/** The batch answer the API gives entries over its body limit: 413 `payload_too_large` each. */
function tooLarge(entries: number): ApiResponse {
	const refusal = {
		status: 413,
		body: { error: { code: "payload_too_large", message: "The request body is too large.", details: {} } },
	};
	const results = new Array<typeof refusal>();
	for (let index = 0; index < entries; index++) results.push(refusal);
	return { status: 200, body: { results }, replayed: false };
}

/**
 * The groups' entries in two requests of about half each, in order (a group may be cut in two);
 * undefined when there is only one entry.
 */
function splitGroups<T extends object>(
	groups: ReadonlyArray<Group<T>>,
): [ReadonlyArray<Group<T>>, ReadonlyArray<Group<T>>] | undefined {
	let total = 0;
	for (const group of groups) total += group.entries.size();
	if (total < 2) return undefined;
	const first = new Array<Group<T>>();
	const second = new Array<Group<T>>();
	let left = math.floor(total / 2);
	for (const group of groups) {
		const taken = math.clamp(left, 0, group.entries.size());
		left -= taken;
		if (taken > 0) first.push({ ...group, entries: group.entries.filter((_, index) => index < taken) });
		if (taken < group.entries.size())
			second.push({ ...group, entries: group.entries.filter((_, index) => index >= taken) });
	}
	return [first, second];
}

/** The players' versions in a transfer's answer (`{ players: [{ userId, version }] }`). */
function versionsOf(answer: unknown): Map<number, number> {
	const versions = new Map<number, number>();
	const players = (answer as { players?: unknown } | undefined)?.players;
	if (typeIs(players, "table")) {
		for (const entry of players as Array<{ userId?: unknown; version?: unknown }>) {
			if (isSafeInteger(entry.userId) && isSafeInteger(entry.version)) versions.set(entry.userId, entry.version);
		}
	}
	return versions;
}

/** What each player received, in a void's `applied` answer (`players[].received`); malformed ones are left out. */
function receiptsOf(answer: unknown): Map<number, TransferReceipt> {
	const receipts = new Map<number, TransferReceipt>();
	const players = (answer as { players?: unknown } | undefined)?.players;
	if (!typeIs(players, "table")) return receipts;
	for (const entry of players as Array<{ userId?: unknown; received?: { items?: unknown; currencies?: unknown } }>) {
		const received = entry.received;
		if (!isSafeInteger(entry.userId) || !typeIs(received, "table")) continue;
		if (!typeIs(received.items, "table") || !typeIs(received.currencies, "table")) continue;
		const items = new Array<{ id: string; count: number }>();
		const currencies: Record<string, number> = {};
		let wellFormed = true;
		for (const item of received.items as Array<{ id?: unknown; count?: unknown }>) {
			if (typeIs(item, "table") && typeIs(item.id, "string") && isCount(item.count))
				items.push({ id: item.id, count: item.count });
			else wellFormed = false;
		}
		for (const [name, amount] of pairs(received.currencies as object)) {
			if (typeIs(name, "string") && isCount(amount)) currencies[name] = amount;
			else wellFormed = false;
		}
		if (wellFormed) receipts.set(entry.userId, { items, currencies });
	}
	return receipts;
}

function userIdOf(player: PlayerRef): number {
	return typeIs(player, "number") ? player : player.UserId;
}

function hasDoc(entry: OutboxEntry): boolean {
	for (const op of entry.ops) if (op.op === "doc.set") return true;
	return false;
}

/**
 * What an entry's operations change that the order of two entries decides: its items and its
 * documents. (Currency deltas and progress steps end the same in any order.)
 */
function orderedTargets(entry: OutboxEntry): Array<string> {
	const targets = new Array<string>();
	for (const op of entry.ops) {
		if (op.op === "item.grant") targets.push(`item ${op.item.id}`);
		else if (op.op === "item.remove" || op.op === "item.update") targets.push(`item ${op.id}`);
		else if (op.op === "doc.set") targets.push(`doc ${op.name}`);
	}
	return targets;
}

/**
 * The currencies an entry credits (`credits`) or spends: a spend sent before an earlier credit
 * of the same currency could be refused (the API keeps balances from going negative).
 */
function currencyTargets(entry: OutboxEntry, credits: boolean): Array<string> {
	const targets = new Array<string>();
	for (const op of entry.ops) {
		if (op.op === "currency.add" && op.amount > 0 === credits) targets.push(`currency ${op.currency}`);
	}
	return targets;
}

/** The documents `ops` set, as `state` holds them now (`false`: absent); undefined when none. */
function docBasesOf(
	state: SyncState,
	ops: ReadonlyArray<SyncOp>,
): Map<string, Record<string, unknown> | false> | undefined {
	let bases: Map<string, Record<string, unknown> | false> | undefined;
	for (const op of ops) {
		if (op.op !== "doc.set") continue;
		bases ??= new Map();
		if (!bases.has(op.name)) bases.set(op.name, deepCopy(state.docs[op.name]) ?? false);
	}
	return bases;
}

/** Whether another writer changed a document of the entry since this server decided it. */
function docsMoved(mirror: SyncState, bases: Map<string, Record<string, unknown> | false> | undefined): boolean {
	if (bases === undefined) return false;
	for (const [name, base] of bases) {
		if (!deepEqual(mirror.docs[name] ?? false, base)) return true;
	}
	return false;
}

class SyncImpl<T extends object> implements Sync<T> {
	readonly ready = immediateSignal<(userId: number, state: SyncState) => void>();
	readonly committed = immediateSignal<(userId: number, key: string, version: number, parts: number) => void>();
	readonly rolledBack = immediateSignal<(userId: number, rollback: SyncRollback) => void>();
	readonly changed = immediateSignal<(userId: number, state: SyncState) => void>();
	readonly deadLettered = immediateSignal<(userId: number, key: string) => void>();
	readonly failed = immediateSignal<(userId: number | undefined, failure: HopsafeError) => void>();
	readonly hooks: SessionHooks<T>;

	private readonly platform: Platform;
	private readonly api: ApiClient;
	private readonly players = new Map<number, PlayerSync<T>>();
	private readonly waiters = new Map<string, Array<(settlement: Settlement) => void>>();
	private readonly counters: SyncStats = {
		requests: 0,
		batches: 0,
		pulls: 0,
		reads: 0,
		acknowledged: 0,
		replayed: 0,
		rejected: 0,
		transportFailures: 0,
		deadLettered: 0,
		budgetWaits: 0,
		pushes: 0,
	};
	private readonly flushInterval: number;
	private readonly pullInterval: number;
	private readonly maxRetries: number;
	private readonly retryBaseDelay: number;
	private readonly retryMaxDelay: number;
	private readonly flushDeadline: number;
	private readonly deadLetterRetryInterval: number;
	private readonly topicPrefix: string;
	private inFlight = 0;
	private nextFlush = 0;
	private nextPull = 0;
	/** Pulls of players marked dirty (a push, a rejection) wait for this. */
	private nextDirtyPull = 0;
	/** No pull before this (the API answered 429 with `Retry-After`). */
	private pullsHeldUntil = 0;
	/** A background pull is in flight. */
	private pulling = false;
	/** The API answered 404 to a transaction's fate: it has no such route, so it is not asked again. */
	private noFateRoute = false;
	private closed = false;

	constructor(private readonly options: SyncOptions<T>) {
		this.platform = options.platform ?? defaultPlatform();
		this.flushInterval = options.flushInterval ?? 1;
		this.pullInterval = options.pullInterval ?? 5;
		this.maxRetries = options.maxRetries ?? 3;
		this.retryBaseDelay = options.retryBaseDelay ?? 1;
		this.retryMaxDelay = options.retryMaxDelay ?? 8;
		this.flushDeadline = options.flushDeadline ?? 8;
		this.deadLetterRetryInterval = options.deadLetterRetryInterval ?? 60;
		this.topicPrefix = options.topicPrefix ?? "hopsafe-player-";
		const clock = this.platform.clock;
		const budget = new RequestBudget(options.maxRequestsPerMinute ?? 400, 10, clock);
		this.api = new ApiClient(
			this.platform,
			options.baseUrl.gsub("/+$", "")[0],
			options.secretName ?? "hopsafe-save-api",
			options.requestTimeout ?? 10,
			budget,
			this.counters,
		);
		this.hooks = {
			beforeStart: (session) => this.start(session),
			beforeRelease: (session, reason) => this.stop(session, reason),
		};
	}

	begin(): void {
		const authorization = this.api.authorization();
		if (!authorization.ok) {
			warn(`[hopsafe] ${authorization.error.message}; players are held until it is added`);
			task.defer(() => this.failed.Fire(undefined, authorization.error));
		}
		const now = this.platform.clock();
		this.nextFlush = now + this.flushInterval;
		this.nextPull = now + this.pullInterval;
		task.spawn(() => {
			while (!this.closed) {
				task.wait(TICK);
				const [success, problem] = pcall(() => this.tick());
				if (!success) warn(`[hopsafe] sync: ${tostring(problem)}`);
			}
		});
	}

	// ------------------------------------------------------------------------------------------
	// Mutations

	mutate(
		player: PlayerRef,
		ops: ReadonlyArray<SyncOp>,
		options: MutationOptions = {},
	): Result<string, SyncRejectReason> {
		const state = this.players.get(userIdOf(player));
		if (state === undefined || state.starting || state.releasing || !state.session.isActive()) {
			return err("no_session");
		}
		if (!typeIs(ops, "table") || ops.size() === 0) return err("invalid_request");
		if (ops.size() > MAX_OPS) return err("too_many_ops");
		for (const op of ops) {
			const problem = checkOp(op);
			if (problem !== undefined) return err(problem);
		}
		if (options.reason !== undefined && !isReason(options.reason)) return err("invalid_request");
		if (options.key !== undefined) {
			if (!isKey(options.key)) return err("invalid_request");
			// The same deterministic operation asked for twice: it is queued already.
			if (state.findEntry(options.key) !== undefined) return ok(options.key);
		}
		const copied = deepCopy(ops as Array<SyncOp>);
		const bases = docBasesOf(state.view, copied);
		const refused = applyOps(state.view, copied);
		if (refused !== undefined) return err(refused);
		const key = this.enqueue(state, copied, options);
		if (bases !== undefined) state.metaOf(state.findEntry(key)!, this.platform.clock()).docBases = bases;
		return ok(key);
	}

	private enqueue(state: PlayerSync<T>, ops: Array<SyncOp>, options: MutationOptions): string {
		const now = this.platform.clock();
		const outbox = state.record.outbox;
		const last = outbox[outbox.size() - 1] as OutboxEntry | undefined;
		const open = options.key === undefined && ops.every((op) => isCoalescable(op, options.freshIds === true));
		const bytes = open ? this.bytesOf(ops) : 0;
		if (last !== undefined && open) {
			const meta = state.metaOf(last, now);
			if (
				meta.open &&
				last.sentAt === undefined &&
				!meta.inFlight &&
				!meta.uncertain &&
				!meta.dead &&
				last.reason === options.reason &&
				last.ops.size() + ops.size() <= MAX_OPS &&
				meta.bytes + bytes <= MAX_ENTRY_BYTES
			) {
				meta.bytes += bytes;
				for (const op of ops) {
					const same =
						op.op === "currency.add"
							? last.ops.find((other) => other.op === "currency.add" && other.currency === op.currency)
							: undefined;
					if (same !== undefined && same.op === "currency.add" && op.op === "currency.add") {
						last.ops[last.ops.indexOf(same)] = {
							op: "currency.add",
							currency: op.currency,
							amount: same.amount + op.amount,
						};
					} else {
						last.ops.push(op);
					}
				}
				last.parts += 1;
				return last.key;
			}
		}
		const key = options.key ?? this.newKey();
		const entry: OutboxEntry = { key, ops, attempts: 0, createdAt: os.time(), parts: 1 };
		if (options.reason !== undefined) entry.reason = options.reason;
		outbox.push(entry);
		const meta = state.metaOf(entry, now);
		meta.uncertain = false;
		meta.fixedKey = options.key !== undefined;
		meta.open = open;
		meta.bytes = bytes;
		return key;
	}

	/**
	 * About how many bytes coalescable operations add to a transaction's body: only attributes
	 * can make one large, and only those are encoded to count them.
	 */
	private bytesOf(ops: ReadonlyArray<SyncOp>): number {
		let bytes = 0;
		for (const op of ops) {
			bytes += OP_BYTES;
			if (op.op === "item.grant" && next(op.item.attrs)[0] !== undefined) {
				bytes += this.platform.httpService.JSONEncode(op.item.attrs).size();
			}
		}
		return bytes;
	}

	private newKey(): string {
		return this.options.newKey ? this.options.newKey() : this.platform.httpService.GenerateGUID(false);
	}

	addCurrency(player: PlayerRef, currency: string, amount: number, options?: MutationOptions) {
		return this.mutate(player, [{ op: "currency.add", currency, amount }], options);
	}

	grantItem(
		player: PlayerRef,
		item: {
			readonly def: string;
			readonly count?: number;
			readonly attrs?: Record<string, unknown>;
			readonly id?: string;
		},
		options?: MutationOptions,
	): Result<string, SyncRejectReason> {
		const id = item.id ?? `${userIdOf(player)}-${this.platform.httpService.GenerateGUID(false)}`;
		const granted: SyncItem = { id, def: item.def, count: item.count ?? 1, attrs: item.attrs ?? {} };
		// A generated id is new; a given one may be held already (a grant meant to apply once).
		const fresh = item.id === undefined || options?.freshIds === true;
		const outcome = this.mutate(player, [{ op: "item.grant", item: granted }], { ...options, freshIds: fresh });
		return outcome.ok ? ok(id) : outcome;
	}

	removeItem(player: PlayerRef, id: string, count?: number, options?: MutationOptions) {
		const op: SyncOp = count === undefined ? { op: "item.remove", id } : { op: "item.remove", id, count };
		return this.mutate(player, [op], options);
	}

	updateItem(player: PlayerRef, id: string, attrs: Record<string, unknown>, options?: MutationOptions) {
		return this.mutate(player, [{ op: "item.update", id, attrs }], options);
	}

	setDoc(player: PlayerRef, name: string, value: Record<string, unknown>, options?: MutationOptions) {
		return this.mutate(player, [{ op: "doc.set", name, value }], options);
	}

	advanceProgress(player: PlayerRef, name: string, to: number, options?: MutationOptions) {
		return this.mutate(player, [{ op: "progress.advance", name, to }], options);
	}

	// ------------------------------------------------------------------------------------------
	// Reads

	private served(player: PlayerRef): PlayerSync<T> | undefined {
		const state = this.players.get(userIdOf(player));
		return state !== undefined && !state.starting ? state : undefined;
	}

	getState(player: PlayerRef): SyncState | undefined {
		return this.served(player)?.view;
	}

	getCommitted(player: PlayerRef): SyncState | undefined {
		return this.served(player)?.record.mirror;
	}

	pendingCount(player: PlayerRef): number {
		const state = this.players.get(userIdOf(player));
		return state === undefined ? 0 : state.record.outbox.size() + state.record.deadLetters.size();
	}

	isQueued(player: PlayerRef, key: string): boolean {
		const state = this.players.get(userIdOf(player));
		return state !== undefined && state.findEntry(key) !== undefined;
	}

	isReady(player: PlayerRef): boolean {
		const state = this.served(player);
		return state !== undefined && !state.releasing && state.session.isActive();
	}

	awaitCommit(key: string, timeout = 30): Promise<number> {
		return new Promise<number>((resolve, reject, onCancel) => {
			let list = this.waiters.get(key);
			if (list === undefined) {
				list = [];
				this.waiters.set(key, list);
			}
			const waiter = (settlement: Settlement) => {
				if (settlement.version !== undefined) resolve(settlement.version);
				else reject(settlement.failure);
			};
			list.push(waiter);
			onCancel(() => {
				const waiting = this.waiters.get(key);
				if (waiting === undefined) return;
				const index = waiting.indexOf(waiter);
				if (index >= 0) waiting.remove(index);
				if (waiting.size() === 0) this.waiters.delete(key);
			});
		}).timeout(
			timeout,
			makeError("Timeout", "the transaction was not acknowledged in time", {
				operation: "commit",
				seconds: timeout,
			}),
		);
	}

	private settle(key: string, settlement: Settlement): void {
		const list = this.waiters.get(key);
		if (list === undefined) return;
		this.waiters.delete(key);
		for (const waiter of list) waiter(settlement);
	}

	refresh(player: PlayerRef): void {
		const state = this.players.get(userIdOf(player));
		if (state !== undefined) state.needsPull = true;
	}

	transfer(
		legs: ReadonlyArray<SyncTransferLeg>,
		options: MutationOptions = {},
	): Promise<ReadonlyMap<number, number>> {
		if (!isTransfer(legs) || (options.reason !== undefined && !isReason(options.reason))) {
			return Promise.reject(
				makeError("InvalidArgument", "transfer: malformed legs or reason", { argument: "legs" }),
			) as Promise<ReadonlyMap<number, number>>;
		}
		if (options.key !== undefined && !isKey(options.key)) {
			return Promise.reject(
				makeError("InvalidArgument", "transfer: malformed key", { argument: "key" }),
			) as Promise<ReadonlyMap<number, number>>;
		}
		const key = options.key ?? this.newKey();
		const body = encodeTransfer(legs, options.reason);
		return this.post("transfer", "/v1/transfers", body, { "Idempotency-Key": key }, 201, (answer) => {
			const versions = versionsOf(answer);
			for (const [userId] of versions) this.refresh(userId);
			return versions;
		});
	}

	voidTransfer(key: string, players: ReadonlyArray<number>): Promise<TransferSettlement> {
		if (!isKey(key)) {
			return Promise.reject(
				makeError("InvalidArgument", "voidTransfer: malformed key", { argument: "key" }),
			) as Promise<TransferSettlement>;
		}
		if (!typeIs(players, "table") || players.size() === 0 || !players.every((id) => isCount(id))) {
			return Promise.reject(
				makeError("InvalidArgument", "voidTransfer: players must be user ids", { argument: "players" }),
			) as Promise<TransferSettlement>;
		}
		return this.post("voidTransfer", "/v1/transfers/void", encodeVoid(key, players), undefined, 200, (answer) => {
			const status = (answer as { status?: unknown } | undefined)?.status;
			if (status === "applied") return { status, versions: versionsOf(answer), received: receiptsOf(answer) };
			if (status === "voided") return { status };
			const code = (answer as { error?: { code?: unknown } } | undefined)?.error?.code;
			if (status === "refused" && typeIs(code, "string")) return { status, code };
			return undefined;
		});
	}

	/**
	 * Sends a request until it is answered with `success` (read by `read`; `undefined` from it
	 * is a malformed answer) or refused, retrying transport failures and server errors with
	 * the same body and headers (so the same idempotency key).
	 */
	private post<R>(
		operation: string,
		path: string,
		body: string,
		headers: Record<string, string> | undefined,
		success: number,
		read: (answer: unknown) => R | undefined,
	): Promise<R> {
		return new Promise<R>((resolve, reject) => {
			for (let attempt = 1; ; attempt++) {
				const answer = this.api.request(operation, "POST", path, body, headers);
				let failure: HopsafeError;
				let wait: number | undefined;
				if (!answer.ok) failure = answer.error;
				else if (answer.value.status === success) {
					const value = read(answer.value.body);
					if (value !== undefined) {
						resolve(value);
						return;
					}
					failure = makeError("HttpFailure", `${operation}: a malformed answer`, {
						operation,
						status: success,
						retryable: true,
					});
				} else {
					failure = ApiClient.failure(operation, answer.value);
					wait = answer.value.retryAfter;
				}
				const retryable = failure.kind === "HttpFailure" || failure.kind === "Timeout";
				if (!retryable || attempt > this.maxRetries) {
					reject(failure);
					return;
				}
				task.wait(math.max(this.backoff(attempt), math.min(wait ?? 0, MAX_RETRY_AFTER)));
			}
		});
	}

	stats(): SyncStats {
		return table.clone(this.counters);
	}

	close(): void {
		this.closed = true;
	}

	// ------------------------------------------------------------------------------------------
	// Join and leave (the vault's session hooks)

	/** beforeStart: replay what a crashed session left, pull the canonical state, migrate, start. */
	private start(session: Session<T>): HopsafeError | void {
		const authorization = this.api.authorization();
		if (!authorization.ok) {
			this.failed.Fire(session.userId, authorization.error);
			return authorization.error;
		}
		const record = this.options.select(session.data);
		if (!isSyncRecord(record)) {
			return makeError("CorruptedData", `the sync record of player ${session.userId} is malformed`, {
				reason: "sync record",
			});
		}
		const state = new PlayerSync<T>(session.userId, session, record);
		const previous = this.players.get(session.userId);
		if (previous !== undefined) this.forget(previous);
		this.players.set(session.userId, state);
		this.subscribe(state);

		// 1. Replay the outbox (dead letters first: they are older) with the same keys, in order.
		const leftover = [...record.deadLetters, ...record.outbox];
		record.deadLetters.clear();
		record.outbox.clear();
		const now = this.platform.clock();
		for (const entry of leftover) {
			record.outbox.push(entry);
			const meta = state.metaOf(entry, now);
			meta.fixedKey = true;
		}
		const replayed = this.replay(state);
		const unreachable = !replayed.ok ? replayed.error : undefined;

		// 2. Pull the canonical state and version.
		let pulled: SyncState | undefined;
		let readFailure = unreachable;
		if (unreachable === undefined) {
			const read = this.readState(state, true);
			if (read.ok) pulled = read.value;
			else readFailure = read.error;
		}
		if (pulled === undefined) {
			const failure = readFailure!;
			this.failed.Fire(session.userId, failure);
			if ((this.options.onUnreachable ?? "hold") === "hold") {
				this.forget(state);
				return failure;
			}
			state.needsPull = true;
			state.needsFullRead = true;
		} else {
			this.adopt(state, pulled);
		}

		// 3. Migrate: operations this game needs on the canonical state, under a key tied to it.
		state.rebuildView();
		const migrate = this.options.migrate;
		if (migrate !== undefined && pulled !== undefined) {
			const [success, ops] = pcall(migrate, state.view, session.userId);
			if (!success) {
				this.forget(state);
				return makeError("MigrationFailed", `sync migrate threw: ${tostring(ops)}`, {
					fromVersion: pulled.version,
					toVersion: pulled.version,
				});
			}
			if (ops !== undefined && (ops as ReadonlyArray<SyncOp>).size() > 0) {
				state.starting = false;
				const queued = this.mutate(session.userId, ops as ReadonlyArray<SyncOp>, {
					key: `migrate-${session.userId}-v${pulled.version}`,
					reason: "migrate",
				});
				state.starting = true;
				if (!queued.ok) {
					this.forget(state);
					return makeError("MigrationFailed", `sync migrate produced refused operations (${queued.error})`, {
						fromVersion: pulled.version,
						toVersion: pulled.version,
					});
				}
			}
		}

		// 4. Start: re-apply what is still pending on the pulled state.
		state.rebuildView();
		state.starting = false;
		this.ready.Fire(session.userId, state.view);
	}

	/** Sends a joining player's leftover entries until each has a definitive answer. */
	private replay(state: PlayerSync<T>): Result<true, HopsafeError> {
		let lastFailure: HopsafeError | undefined;
		while (state.record.outbox.size() > 0) {
			const now = this.platform.clock();
			const due = new Array<OutboxEntry>();
			let wait = math.huge;
			for (const entry of state.record.outbox) {
				const meta = state.metaOf(entry, now);
				if (meta.conflicts > 0) continue; // a 412: sent again after the pull
				if (meta.nextAt > now) {
					wait = math.min(wait, meta.nextAt - now);
					break;
				}
				due.push(entry);
				if (due.size() >= MAX_BATCH) break;
			}
			if (due.size() === 0) {
				if (wait === math.huge) break;
				task.wait(wait);
				continue;
			}
			const failure = this.sendBatch([{ state, entries: due, ifMatch: state.record.mirror.version }]);
			if (failure !== undefined) lastFailure = failure;
			if (state.record.deadLetters.size() > 0) {
				return err(
					lastFailure ??
						makeError("HttpFailure", "the save API did not acknowledge the replayed outbox", {
							operation: "replay",
							retryable: true,
						}),
				);
			}
		}
		return ok(true);
	}

	/** Reads the player's full state, retrying transport failures; optionally with backoff. */
	private readState(state: PlayerSync<T>, retrying: boolean): Result<SyncState, HopsafeError> {
		const attempts = retrying ? this.maxRetries + 1 : 1;
		let failure: HopsafeError | undefined;
		for (let attempt = 1; attempt <= attempts; attempt++) {
			this.counters.reads += 1;
			const answer = this.api.request("read", "GET", `/v1/players/${state.userId}`);
			let retryAfter = 0;
			if (answer.ok && answer.value.status === 200) {
				const pulled = stateFromWire(answer.value.body);
				if (pulled !== undefined) return ok(pulled);
				failure = makeError("HttpFailure", "read: malformed player state", {
					operation: "read",
					status: 200,
					retryable: true,
				});
			} else {
				failure = answer.ok ? ApiClient.failure("read", answer.value) : answer.error;
				if (failure.kind === "ApiRejected") break;
				if (answer.ok) retryAfter = this.holdPulls(answer.value);
			}
			if (attempt < attempts) task.wait(math.max(this.backoff(attempt), retryAfter));
		}
		return err(failure!);
	}

	/** The mirror becomes `pulled`; what was acknowledged ahead of it is dropped if covered. */
	private adopt(state: PlayerSync<T>, pulled: SyncState): void {
		const record = state.record;
		record.mirror = pulled;
		state.markPulled();
		for (let index = state.ahead.size() - 1; index >= 0; index--) {
			if (state.ahead[index].version <= pulled.version) state.ahead.remove(index);
		}
		state.needsPull = state.ahead.size() > 0;
		state.needsFullRead = false;
	}

	/** beforeRelease: flush the outbox within the deadline; what is left stays in the profile. */
	private stop(session: Session<T>, reason: ReleaseReason): void {
		const state = this.players.get(session.userId);
		if (state === undefined || state.session !== session) return;
		state.releasing = true;
		if (reason !== "lockLost") {
			// The background loop flushes leaving players at its next look (several leaving
			// players share requests); dead letters get one more attempt.
			const deadline = this.platform.clock() + this.flushDeadline;
			for (const entry of state.record.deadLetters) state.metaOf(entry, 0).nextAt = 0;
			while (!this.closed && this.platform.clock() < deadline && this.leftToFlush(state) > 0) task.wait(TICK / 2);
		}
		this.forget(state);
	}

	/** Entries of a leaving player still worth waiting for: the outbox, and dead letters not yet tried again. */
	private leftToFlush(state: PlayerSync<T>): number {
		const now = this.platform.clock();
		let count = state.record.outbox.size();
		for (const entry of state.record.deadLetters) {
			const meta = state.meta.get(entry.key);
			if (meta === undefined || meta.nextAt <= now || meta.inFlight) count += 1;
		}
		return count;
	}

	/** Stops serving a player here: unsubscribes and forgets it. */
	private forget(state: PlayerSync<T>): void {
		if (this.players.get(state.userId) === state) this.players.delete(state.userId);
		state.releasing = true;
		const connection = state.connection;
		state.connection = undefined;
		if (connection !== undefined) pcall(() => connection.Disconnect());
	}

	private subscribe(state: PlayerSync<T>): void {
		const topic = `${this.topicPrefix}${state.userId}`;
		const [success, connection] = pcall(() =>
			this.platform.messagingService.SubscribeAsync(topic, (message) => this.onPush(state, message.Data)),
		);
		if (success) {
			state.connection = connection as RBXScriptConnection;
		} else {
			this.failed.Fire(
				state.userId,
				makeError("PlatformFailure", `could not subscribe to ${topic}: ${tostring(connection)}`, {
					service: "MessagingService",
					operation: "SubscribeAsync",
					retryable: true,
				}),
			);
		}
	}

	/** A push `{p, v}`: the player reached version v; pull if that is news. */
	private onPush(state: PlayerSync<T>, data: unknown): void {
		let message = data;
		if (typeIs(data, "string")) {
			const [success, decoded] = pcall(() => this.platform.httpService.JSONDecode(data));
			if (!success) return;
			message = decoded;
		}
		if (!typeIs(message, "table")) return;
		const push = message as { p?: unknown; v?: unknown };
		if (push.p !== state.userId || !isSafeInteger(push.v)) return;
		this.counters.pushes += 1;
		if (push.v > state.wantVersion) state.wantVersion = push.v;
	}

	// ------------------------------------------------------------------------------------------
	// The background loop: batch flushes, pulls, dead-letter retries

	private tick(): void {
		const now = this.platform.clock();
		let urgent = false;
		for (const [, state] of this.players) {
			if (state.starting) continue;
			if (!state.releasing && !state.session.isActive()) {
				// The lock was lost without a release (another server took the player).
				this.forget(state);
				continue;
			}
			if (state.releasing && !state.busy && this.leftToFlush(state) > 0) urgent = true;
		}
		if (now >= this.nextFlush || urgent) {
			if (now >= this.nextFlush) this.nextFlush = now + this.flushInterval;
			this.flush(now);
		}
		// One pull at a time: under a saturated request budget, pulls must not pile up.
		if (this.pulling || now < this.pullsHeldUntil) return;
		const timer = now >= this.nextPull;
		if (!timer && now < this.nextDirtyPull) return;
		const wanted = new Array<PlayerSync<T>>();
		for (const [, state] of this.players) {
			if (state.starting || state.releasing || state.busy) continue;
			const dirty = state.needsPull || state.wantVersion > state.knownVersion();
			if (!dirty && !timer) continue;
			// Entries that may already be applied would be counted twice until their answer
			// comes; pull such a player once they are settled (or dead-lettered).
			if (state.hasUncertain()) continue;
			wanted.push(state);
		}
		if (timer) this.nextPull = now + this.pullInterval;
		if (wanted.size() === 0) return;
		this.pulling = true;
		task.spawn(() => {
			const [success, pulled] = pcall(() => this.pull(wanted));
			this.pulling = false;
			this.nextDirtyPull = this.platform.clock() + (success && pulled === true ? TICK * 2 : this.backoff(1));
		});
	}

	/**
	 * The entries of `state` to send now, in order: due dead letters, then the outbox up to its
	 * first entry that must wait. An entry also waits while an older one that is not sent now
	 * changes the same item or document, so the API applies the two in the order they were made,
	 * and a spend waits while an earlier credit of its currency in the outbox is not sent now.
	 */
	private sendable(state: PlayerSync<T>, now: number): Group<T> | undefined {
		const entries = new Array<OutboxEntry>();
		const waiting = new Set<string>();
		const deadLetters = state.record.deadLetters;
		for (const list of [deadLetters, state.record.outbox]) {
			for (const entry of list) {
				if (entries.size() >= MAX_BATCH) return { state, entries };
				const meta = state.metaOf(entry, now);
				const targets = orderedTargets(entry);
				const held = [...targets, ...currencyTargets(entry, false)].some((target) => waiting.has(target));
				let due = meta.nextAt <= now && !meta.inFlight && !held;
				if (due && hasDoc(entry)) {
					// A document is sent on its own, against the version it is decided on.
					due = entries.size() === 0 && this.docReady(state, meta);
					if (due) {
						entries.push(entry);
						const sentWith = meta.uncertain ? meta.ifMatch : undefined;
						return { state, entries, ifMatch: sentWith ?? state.record.mirror.version };
					}
				}
				if (due) {
					entries.push(entry);
					continue;
				}
				// An outbox entry in backoff, or a document that cannot go yet, holds back the rest
				// of the outbox; any other entry that waits holds back only what it touches.
				if (list !== deadLetters && (meta.nextAt > now || meta.inFlight || hasDoc(entry))) {
					return entries.size() === 0 ? undefined : { state, entries };
				}
				for (const target of targets) waiting.add(target);
				// A credit of the outbox that waits also holds back later spends of its currency.
				if (list !== deadLetters) for (const target of currencyTargets(entry, true)) waiting.add(target);
			}
		}
		return entries.size() === 0 ? undefined : { state, entries };
	}

	/** Whether a pending `doc.set` entry may be sent now. */
	private docReady(state: PlayerSync<T>, meta: EntryMeta): boolean {
		if (meta.redecide || meta.unsaved) return false;
		// It may be applied already: asked again under its key with the version it was sent
		// against, at once (the pull it would otherwise wait for waits for its answer).
		if (meta.uncertain) return true;
		if (state.ahead.size() > 0 || state.needsPull) return false;
		// Sending against a version that holds another writer's change to the document would
		// overwrite it undecided: decide again first.
		if (docsMoved(state.record.mirror, meta.docBases)) {
			meta.redecide = true;
			return false;
		}
		return true;
	}

	private flush(now: number): void {
		if (this.inFlight >= MAX_IN_FLIGHT) return;
		const groups = new Array<Group<T>>();
		let count = 0;
		for (const [, state] of this.players) {
			if (state.starting || state.busy || !(state.releasing || state.session.isActive())) continue;
			this.redecideConflicts(state);
			const group = this.sendable(state, now);
			if (group === undefined) continue;
			groups.push(group);
			count += group.entries.size();
		}
		if (count === 0) return;
		// Requests of at most MAX_BATCH entries; a player's entries stay in one request, in order.
		const requests = new Array<Array<Group<T>>>();
		let current = new Array<Group<T>>();
		let size = 0;
		for (const group of groups) {
			if (size + group.entries.size() > MAX_BATCH && current.size() > 0) {
				requests.push(current);
				current = [];
				size = 0;
			}
			current.push(group);
			size += group.entries.size();
		}
		if (current.size() > 0) requests.push(current);
		for (const request of requests) {
			for (const group of request) group.state.busy = true;
		}
		this.inFlight += 1;
		task.spawn(() => {
			for (const request of requests) {
				const [success, problem] = pcall(() => this.sendBatch(request));
				if (!success) warn(`[hopsafe] sync batch: ${tostring(problem)}`);
				for (const group of request) group.state.busy = false;
			}
			this.inFlight -= 1;
		});
	}

	/**
	 * Sends one `POST /v1/batch` with the groups' entries and handles every answer. Marks the
	 * groups' players busy while it runs. Returns the transport failure, if any.
	 */
	private sendBatch(groups: ReadonlyArray<Group<T>>): HopsafeError | undefined {
		const encode = (value: unknown) => this.platform.httpService.JSONEncode(value);
		const requests = new Array<BatchRequest>();
		for (const group of groups) {
			for (const entry of group.entries) {
				requests.push({
					userId: group.state.userId,
					key: entry.key,
					ifMatch: hasDoc(entry) ? group.ifMatch : undefined,
					ops: entry.ops,
					reason: entry.reason,
				});
			}
		}
		const body = encodeBatch(encode, requests);
		const oversized = body.size() > MAX_BATCH_BYTES;
		const halves = oversized ? splitGroups(groups) : undefined;
		if (halves !== undefined) {
			// Over the API's body limit, the whole batch would be refused (413). Only the first half
			// goes now; the rest waits for the next flush, which sends it only after what precedes
			// it in each player's outbox was answered (an entry retried later must not be overtaken).
			return this.sendBatch(halves[0]);
		}
		const now = this.platform.clock();
		const sent = new Array<{ state: PlayerSync<T>; entry: OutboxEntry }>();
		const time = os.time();
		for (const group of groups) {
			group.state.busy = true;
			for (const entry of group.entries) {
				const meta = group.state.metaOf(entry, now);
				meta.inFlight = true;
				if (entry.sentAt === undefined) entry.sentAt = time;
				if (hasDoc(entry)) meta.ifMatch = group.ifMatch;
				sent.push({ state: group.state, entry });
			}
		}
		// One transaction alone over a batch's limit is over its own call's limit too: the API
		// refuses it 413 however it is sent. Sent, the whole batch would be refused, and retried
		// as a transport failure for good; it is answered as its own call would be instead.
		if (!oversized) this.counters.batches += 1;
		// Every entry is for a player this server holds: it knows of these writes, so the API need
		// not announce them through push invalidation (only other writers' changes are pushed).
		const answer = oversized
			? ok(tooLarge(sent.size()))
			: this.api.request("batch", "POST", "/v1/batch", body, QUIET);
		const touched = new Set<PlayerSync<T>>();
		const rollbacks = new Array<{ state: PlayerSync<T>; rollback: SyncRollback }>();
		let failure: HopsafeError | undefined;
		const results =
			answer.ok && answer.value.status === 200 && typeIs(answer.value.body, "table")
				? ((answer.value.body as { results?: unknown }).results as Array<unknown> | undefined)
				: undefined;
		if (results !== undefined && typeIs(results, "table") && results.size() === sent.size()) {
			sent.forEach(({ state, entry }, index) => {
				state.metaOf(entry, now).inFlight = false;
				touched.add(state);
				const result = results[index] as { status?: unknown; body?: unknown; replayed?: unknown };
				const status = typeIs(result, "table") && typeIs(result.status, "number") ? result.status : 0;
				const rollback = this.handleResult(state, entry, status, result?.body, result?.replayed === true);
				if (rollback !== undefined) rollbacks.push({ state, rollback });
			});
		} else {
			failure = answer.ok ? ApiClient.failure("batch", answer.value) : answer.error;
			if (failure.kind === "ApiRejected" || (answer.ok && answer.value.status === 200)) {
				this.failed.Fire(undefined, failure);
			}
			const retryAfter = answer.ok ? answer.value.retryAfter : undefined;
			for (const { state, entry } of sent) {
				state.metaOf(entry, now).inFlight = false;
				touched.add(state);
				this.transient(state, entry, retryAfter);
			}
		}
		// Rejections and conflicts refetch the player before the client is told.
		const refetch = new Array<PlayerSync<T>>();
		for (const state of touched) {
			state.busy = false;
			if (state.needsPull && !state.starting && !state.hasUncertain()) refetch.push(state);
		}
		if (refetch.size() > 0) this.pull(refetch);
		for (const state of touched) this.redecideConflicts(state);
		for (const { state, rollback } of rollbacks) this.rolledBack.Fire(state.userId, rollback);
		return failure;
	}

	/** Handles one transaction's answer; returns a rollback to announce, if any. */
	private handleResult(
		state: PlayerSync<T>,
		entry: OutboxEntry,
		status: number,
		body: unknown,
		replayed: boolean,
	): SyncRollback | undefined {
		if (status === 201) {
			this.acknowledge(state, entry, body, replayed);
			return undefined;
		}
		const problem = errorOf(body);
		const code = problem?.code ?? `http_${status}`;
		const message = problem?.message ?? `HTTP ${status}`;
		if (status === 409 && code !== "conflict_in_progress") return this.reject(state, entry, code, message);
		if (status === 412) {
			const meta = state.metaOf(entry, this.platform.clock());
			// Nothing was applied under its key (the API would have answered from its store).
			meta.uncertain = false;
			meta.ifMatch = undefined;
			meta.conflicts += 1;
			meta.redecide = true;
			state.needsPull = true;
			if (meta.conflicts > MAX_CONFLICTS) return this.reject(state, entry, "version_conflict", message);
			return undefined;
		}
		if (status === 422) {
			// The key was taken by a different body: a coalesced superset of this saved entry
			// (saved before more mutations joined it, then sent), or another server's attempt at
			// the same keyed operation (a purchase granted again from a profile that lost the
			// first). The API says what became of that request: refused, so is this one.
			const storedStatus = problem?.details.storedStatus;
			if (typeIs(storedStatus, "number") && storedStatus >= 400) {
				const storedCode = problem?.details.storedCode;
				return this.reject(state, entry, typeIs(storedCode, "string") ? storedCode : code, message);
			}
			state.removeEntry(entry);
			state.needsPull = true;
			this.counters.acknowledged += 1;
			this.committed.Fire(state.userId, entry.key, state.knownVersion(), entry.parts);
			this.settle(entry.key, { version: state.knownVersion() });
			return undefined;
		}
		if (status === 400 || status === 413 || status === 428) return this.reject(state, entry, code, message);
		if (status === 401 || status === 403 || status === 404) {
			this.failed.Fire(
				state.userId,
				makeError("ApiRejected", `batch: ${code}: ${message}`, { operation: "batch", status, code }),
			);
		}
		// A 429 inside a batch answer has no Retry-After header of its own: its body says when.
		const retryAfter = status === 429 ? problem?.details.retryAfterSeconds : undefined;
		this.transient(state, entry, typeIs(retryAfter, "number") && retryAfter > 0 ? retryAfter : undefined);
		return undefined;
	}

	/** A 201: the transaction is applied at `body.version`. */
	private acknowledge(state: PlayerSync<T>, entry: OutboxEntry, body: unknown, replayed: boolean): void {
		state.removeEntry(entry);
		this.counters.acknowledged += 1;
		if (replayed) this.counters.replayed += 1;
		const answer = typeIs(body, "table") ? (body as { version?: unknown; results?: unknown }) : {};
		const version = answer.version;
		const mirror = state.record.mirror;
		if (!isSafeInteger(version)) {
			state.needsPull = true;
			state.needsFullRead = true;
		} else if (version === mirror.version + 1) {
			if (applyOps(mirror, entry.ops) !== undefined) {
				state.needsPull = true;
				state.needsFullRead = true;
			}
			mirror.version = version;
			this.correctBalances(state, answer.results);
			this.catchUp(state);
			if (state.doomed) this.rebuild(state);
		} else if (version > mirror.version + 1) {
			state.ahead.push({ version, ops: entry.ops });
			state.needsPull = true;
		} else {
			// Already in the mirror (a pull read it before this answer came): drop the copy
			// the view still counted.
			this.rebuild(state);
		}
		this.committed.Fire(
			state.userId,
			entry.key,
			isSafeInteger(version) ? version : state.knownVersion(),
			entry.parts,
		);
		this.settle(entry.key, { version: isSafeInteger(version) ? version : state.knownVersion() });
	}

	/** Currency results carry the balance after the transaction: the mirror takes it as the truth. */
	private correctBalances(state: PlayerSync<T>, results: unknown): void {
		if (!typeIs(results, "table")) return;
		const balances = new Map<string, number>();
		for (const result of results as Array<unknown>) {
			if (!typeIs(result, "table")) continue;
			const entry = result as { op?: unknown; currency?: unknown; balance?: unknown };
			if (entry.op !== "currency.add" || !isName(entry.currency) || !isSafeInteger(entry.balance)) continue;
			if (entry.balance < 0) continue;
			balances.set(entry.currency, entry.balance);
		}
		const mirror = state.record.mirror;
		for (const [currency, balance] of balances) {
			if (mirror.currencies[currency] === balance) continue;
			// The mirror was not the API's state at the previous version: read it whole.
			mirror.currencies[currency] = balance;
			state.needsPull = true;
			state.needsFullRead = true;
		}
	}

	/** Moves acknowledged-ahead transactions into the mirror while their versions follow on. */
	private catchUp(state: PlayerSync<T>): void {
		const mirror = state.record.mirror;
		let moved = true;
		while (moved) {
			moved = false;
			for (let index = 0; index < state.ahead.size(); index++) {
				const ahead = state.ahead[index];
				if (ahead.version === mirror.version + 1) {
					if (applyOps(mirror, ahead.ops) !== undefined) state.needsFullRead = true;
					mirror.version = ahead.version;
					state.ahead.remove(index);
					moved = true;
					break;
				}
				if (ahead.version <= mirror.version) {
					state.ahead.remove(index);
					moved = true;
					break;
				}
			}
		}
		if (state.ahead.size() > 0) state.needsPull = true;
	}

	/** A definitive refusal: the entry is dropped and the view rebuilt without it. */
	private reject(state: PlayerSync<T>, entry: OutboxEntry, code: string, message: string): SyncRollback {
		state.removeEntry(entry);
		this.counters.rejected += 1;
		state.needsPull = true;
		this.rebuild(state);
		this.settle(entry.key, {
			failure:
				code === "version_conflict"
					? makeError("VersionConflict", message, { expected: state.record.mirror.version })
					: makeError("ApiRejected", `${code}: ${message}`, { operation: "transaction", status: 409, code }),
		});
		return { key: entry.key, reason: code, message, ops: entry.ops, mutationReason: entry.reason };
	}

	/** No definitive answer: back off and retry with the same key, or dead-letter after the retries. */
	private transient(state: PlayerSync<T>, entry: OutboxEntry, retryAfter: number | undefined): void {
		const now = this.platform.clock();
		const meta = state.metaOf(entry, now);
		meta.uncertain = true;
		entry.attempts += 1;
		if (meta.dead) {
			meta.nextAt = now + this.deadLetterRetryInterval;
			return;
		}
		if (entry.attempts === 1) {
			// Its fate is unknown now: make it durable in the profile soon (the auto-save
			// would take up to its interval), so a crash replays it with the same key.
			state.session.save();
		}
		if (entry.attempts > this.maxRetries) {
			this.deadLetter(state, entry, meta, now);
			return;
		}
		meta.nextAt = now + math.max(this.backoff(entry.attempts), math.min(retryAfter ?? 0, MAX_RETRY_AFTER));
	}

	private deadLetter(state: PlayerSync<T>, entry: OutboxEntry, meta: EntryMeta, now: number): void {
		const outbox = state.record.outbox;
		const index = outbox.indexOf(entry);
		if (index >= 0) outbox.remove(index);
		state.record.deadLetters.push(entry);
		meta.dead = true;
		meta.nextAt = now + this.deadLetterRetryInterval;
		this.counters.deadLettered += 1;
		state.session.save();
		this.deadLettered.Fire(state.userId, entry.key);
	}

	/**
	 * The seconds an answer's `Retry-After` asks for (at most `MAX_RETRY_AFTER`; 0 without one);
	 * pulls wait that long too, as they share the API's limit.
	 */
	private holdPulls(response: ApiResponse): number {
		if (response.retryAfter === undefined || response.retryAfter <= 0) return 0;
		const seconds = math.min(response.retryAfter, MAX_RETRY_AFTER);
		this.pullsHeldUntil = math.max(this.pullsHeldUntil, this.platform.clock() + seconds);
		return seconds;
	}

	/** Seconds before retry `attempt` (1-based): exponential, capped, with up to 50 % jitter. */
	private backoff(attempt: number): number {
		const base = math.min(this.retryBaseDelay * 2 ** (attempt - 1), this.retryMaxDelay);
		return base + math.random() * base * 0.5;
	}

	/** After a 412 and the pull: decide each conflicted `doc.set` again with the newest document. */
	private redecideConflicts(state: PlayerSync<T>): void {
		if (state.needsPull) return;
		const decide = this.options.decideDoc;
		const now = this.platform.clock();
		for (const entry of [...state.record.deadLetters, ...state.record.outbox]) {
			const meta = state.meta.get(entry.key);
			if (meta === undefined || !meta.redecide) continue;
			meta.redecide = false;
			// The decision below (or the default, this server's value again) is made on the mirror.
			const bases = docBasesOf(state.record.mirror, entry.ops);
			meta.docBases = bases;
			if (decide === undefined) continue;
			let changedOps = false;
			let dropped = false;
			const ops = entry.ops.map((op): SyncOp => {
				if (op.op !== "doc.set" || dropped) return op;
				const [success, value] = pcall(
					decide,
					state.userId,
					op.name,
					state.record.mirror.docs[op.name],
					op.value,
				);
				if (success && value === undefined) {
					dropped = true;
					return op;
				}
				if (!success || !isJsonObject(value)) {
					// A broken decision never overwrites the other writer: the write is dropped.
					const problem = !success
						? `threw: ${tostring(value)}`
						: typeIs(value, "table")
							? "returned a table JSON cannot carry"
							: `returned a ${typeOf(value)}, not a table`;
					this.failed.Fire(
						state.userId,
						makeError("CallbackFailed", `decideDoc ${problem}`, { callback: "decideDoc" }),
					);
					dropped = true;
					return op;
				}
				if (value !== op.value) changedOps = true;
				return { op: "doc.set", name: op.name, value: value as Record<string, unknown> };
			});
			if (dropped) {
				this.rolledBack.Fire(
					state.userId,
					this.reject(state, entry, "version_conflict", "the document changed"),
				);
				continue;
			}
			if (changedOps) {
				// A new decision is a new request: it gets a new key (the old one committed nothing).
				state.meta.delete(entry.key);
				entry.key = this.newKey();
				entry.ops = ops;
				entry.sentAt = undefined;
				const fresh = state.metaOf(entry, now);
				fresh.conflicts = meta.conflicts;
				fresh.uncertain = false;
				fresh.fixedKey = meta.fixedKey;
				// Still a dead letter (it stays in that list): a failed send must not list it twice.
				fresh.dead = meta.dead;
				fresh.docBases = bases;
				this.persistKey(state, fresh);
				this.rebuild(state);
			}
		}
	}

	/**
	 * Holds a re-keyed entry until a save holds its new key. Sent before, a crash could leave the
	 * old key in the profile: the next server would be refused under it (412), decide again, and
	 * apply a second decision on top of the first.
	 */
	private persistKey(state: PlayerSync<T>, meta: EntryMeta): void {
		meta.unsaved = true;
		task.spawn(() => {
			for (let attempt = 1; meta.unsaved && this.players.get(state.userId) === state; attempt++) {
				const [saved] = state.session.saveAsync().await();
				if (saved) meta.unsaved = false;
				else task.wait(this.backoff(attempt));
			}
		});
	}

	/** `POST /v1/changes` for these players; applies what changed. Returns whether every request was answered. */
	private pull(states: ReadonlyArray<PlayerSync<T>>): boolean {
		let answered = true;
		for (let first = 0; first < states.size(); first += MAX_PULL) {
			const chunk = new Array<PlayerSync<T>>();
			for (let index = first; index < math.min(first + MAX_PULL, states.size()); index++) {
				const state = states[index];
				if (!state.busy) chunk.push(state);
			}
			if (chunk.size() === 0) continue;
			for (const state of chunk) state.busy = true;
			const full = chunk.filter((state) => state.needsFullRead);
			const feed = chunk.filter((state) => !state.needsFullRead);
			for (const state of full) {
				const read = this.readState(state, false);
				if (read.ok) this.applyPulled(state, undefined, read.value);
				else answered = false;
			}
			if (feed.size() > 0) {
				this.counters.pulls += 1;
				const body = encodePull(
					feed.map((state) => ({ userId: state.userId, since: state.record.mirror.version })),
				);
				const answer = this.api.request("pull", "POST", "/v1/changes", body);
				const results =
					answer.ok && answer.value.status === 200 && typeIs(answer.value.body, "table")
						? ((answer.value.body as { results?: unknown }).results as Array<unknown> | undefined)
						: undefined;
				if (results !== undefined && typeIs(results, "table") && results.size() === feed.size()) {
					feed.forEach((state, index) => this.applyPulled(state, results[index], undefined));
				} else {
					answered = false;
					if (answer.ok) {
						this.holdPulls(answer.value);
						const failure = ApiClient.failure("pull", answer.value);
						if (failure.kind === "ApiRejected") this.failed.Fire(undefined, failure);
					}
				}
			}
			for (const state of chunk) this.settleDeadLetters(state);
			for (const state of chunk) state.busy = false;
		}
		return answered;
	}

	/**
	 * After a pull read the player: asks the API what became of each dead letter it may have
	 * applied (its answer was lost), so the view counts it exactly when the API holds it instead
	 * of leaving it out until its retry is answered. Applied: acknowledged (the mirror holds it,
	 * or it is ahead). Refused: rolled back. Unused: not applied when the pull read the player
	 * (asked after it), so the view counts it until its retry is answered. Unanswered: left out
	 * of the view as before, and asked again after the next pull.
	 */
	private settleDeadLetters(state: PlayerSync<T>): void {
		if (this.noFateRoute || (state.releasing && !state.session.isActive())) return;
		const rollbacks = new Array<SyncRollback>();
		let kept = false;
		for (const entry of [...state.record.deadLetters]) {
			const meta = state.meta.get(entry.key);
			if (meta === undefined || !meta.maybeInMirror || meta.inFlight) continue;
			const answer = this.api.request("fate", "GET", `/v1/players/${state.userId}/transactions/${entry.key}`);
			if (!answer.ok) continue;
			const fate = answer.value.status === 200 ? fateOf(answer.value.body) : undefined;
			if (fate === undefined) {
				// An API without the route: dead letters wait for their retries, as they did.
				if (answer.value.status === 404) this.noFateRoute = true;
				this.holdPulls(answer.value);
				continue;
			}
			if (fate.status === "applied") this.acknowledge(state, entry, { version: fate.version }, false);
			else if (fate.status === "refused") rollbacks.push(this.reject(state, entry, fate.code, fate.message));
			else {
				meta.uncertain = false;
				meta.maybeInMirror = false;
				kept = true;
			}
		}
		if (kept) this.rebuild(state);
		for (const rollback of rollbacks) this.rolledBack.Fire(state.userId, rollback);
	}

	/** Applies one pull result (a change-feed body) or a full state to a player. */
	private applyPulled(state: PlayerSync<T>, result: unknown, fullState: SyncState | undefined): void {
		if (state.releasing && !state.session.isActive()) return;
		const before = state.view;
		const mirror = state.record.mirror;
		if (fullState !== undefined) {
			if (fullState.version >= mirror.version) this.adopt(state, fullState);
		} else {
			if (!typeIs(result, "table")) return;
			const feed = result as { version?: unknown; complete?: unknown; changes?: unknown; state?: unknown };
			if (feed.complete === true && typeIs(feed.changes, "table")) {
				const working = deepCopy(mirror);
				for (const change of feed.changes as Array<unknown>) {
					const entry = change as { version?: unknown; ops?: unknown };
					if (!typeIs(entry, "table") || !isSafeInteger(entry.version) || !typeIs(entry.ops, "table")) {
						state.needsFullRead = true;
						return;
					}
					if (entry.version <= working.version) continue;
					if (entry.version !== working.version + 1) {
						state.needsFullRead = true;
						return;
					}
					for (const op of entry.ops as Array<ChangeOp>) {
						if (!typeIs(op, "table") || !typeIs(op.op, "string") || !applyChangeOp(working, op)) {
							state.needsFullRead = true;
							return;
						}
					}
					working.version = entry.version;
				}
				if (!isState(working)) {
					state.needsFullRead = true;
					return;
				}
				this.adopt(state, working);
			} else if (feed.complete === false) {
				const pulled = stateFromWire(feed.state);
				if (pulled === undefined) {
					state.needsFullRead = true;
					return;
				}
				if (pulled.version >= mirror.version) this.adopt(state, pulled);
			} else {
				return;
			}
		}
		const after = state.rebuildView();
		if (!sameContents(before, after)) this.changed.Fire(state.userId, after);
	}

	/** Rebuilds the player's view and fires `changed` if it differs. */
	private rebuild(state: PlayerSync<T>): void {
		const before = state.view;
		const after = state.rebuildView();
		if (!sameContents(before, after)) this.changed.Fire(state.userId, after);
	}
}

/**
 * Creates the reconciliation client of the external-authority mode: the save API (`server/`) is
 * the truth, and each player's profile holds the client's record (the last acknowledged state,
 * the outbox, the dead letters). Pass its `hooks` to the vault: at join it replays what a
 * crashed session left (same keys), pulls the canonical state and version, runs `migrate` and
 * starts; at leave it flushes within `flushDeadline`. Throws `InvalidArgument` (naming the
 * option) for an option it cannot work with: a numeric option that is not a finite number above
 * zero (`maxRetries`: a whole number from zero), or a value of the wrong type.
 *
 * Mutations apply at once to the player's optimistic state and return; a per-server batcher
 * sends them (`POST /v1/batch`, flushed every `flushInterval`), under a request budget shared
 * with pulls. A refusal (409) refetches the player and fires `rolledBack` with the API's reason;
 * transport failures retry (same key, exponential backoff with jitter) `maxRetries` times and
 * are then dead-lettered in the profile. Each loaded player is subscribed to its invalidation
 * topic (`hopsafe-player-<userId>`, pushed by the API through Open Cloud), and every player is
 * pulled on a timer in one request (`POST /v1/changes`), since pushes are best effort.
 *
 * @example
 * ```ts
 * import { createSync, createSyncRecord, createVault, isSyncRecord, type SyncRecord } from "@rbxts/hopsafe";
 *
 * interface PlayerData {
 * 	sync: SyncRecord;
 * }
 *
 * const sync = createSync<PlayerData>({
 * 	baseUrl: "https://save.example.com",
 * 	secretName: "hopsafe-save-api",
 * 	select: (data) => data.sync,
 * });
 * const vault = createVault<PlayerData>({
 * 	name: "PlayerData",
 * 	template: { sync: createSyncRecord() },
 * 	schema: (value): value is PlayerData => typeIs(value, "table") && isSyncRecord((value as PlayerData).sync),
 * 	hooks: sync.hooks,
 * 	onLoadFailure: "hold",
 * });
 * sync.rolledBack.Connect((userId, rollback) => print(userId, "rolled back:", rollback.reason));
 * vault.loaded.Connect((session) => {
 * 	sync.addCurrency(session.userId, "coins", 10, { reason: "daily:login" });
 * 	print(sync.getState(session.userId)?.currencies.coins);
 * });
 * ```
 */
export function createSync<T extends object>(options: SyncOptions<T>): Sync<T> {
	const problem = checkSyncOptions(options);
	if (problem !== undefined) throw problem;
	const sync = new SyncImpl(options);
	sync.begin();
	return sync;
}
