import type { Platform } from "../platform";

/** An item as the save API stores it: a global id, a definition, a count and free attributes. */
export interface SyncItem {
	readonly id: string;
	readonly def: string;
	readonly count: number;
	readonly attrs: Record<string, unknown>;
}

/**
 * One operation of a save API transaction (its wire format, DESIGN §5). Currency deltas need
 * no version (the API refuses a debit below zero); `doc.set` is sent with the version it was
 * decided on (If-Match).
 */
export type SyncOp =
	| { readonly op: "currency.add"; readonly currency: string; readonly amount: number }
	| { readonly op: "item.grant"; readonly item: SyncItem }
	| { readonly op: "item.remove"; readonly id: string; readonly count?: number }
	| { readonly op: "item.update"; readonly id: string; readonly attrs: Record<string, unknown> }
	| { readonly op: "doc.set"; readonly name: string; readonly value: Record<string, unknown> }
	| { readonly op: "progress.advance"; readonly name: string; readonly to: number };

/**
 * One leg of a transfer between players (`POST /v1/transfers`): items and currencies from one
 * player to another. A whole stack keeps its id; moving part of a stack (`count` below the
 * stack's) needs `newId` for the moved part. Currency amounts are positive.
 */
export interface SyncTransferLeg {
	readonly from: number;
	readonly to: number;
	readonly items?: ReadonlyArray<{ readonly id: string; readonly count?: number; readonly newId?: string }>;
	readonly currencies?: Readonly<Record<string, number>>;
}

/** What one player received in a transfer: item ids (as they are after it) with counts, and currencies. */
export interface TransferReceipt {
	readonly items: ReadonlyArray<{ readonly id: string; readonly count: number }>;
	readonly currencies: Readonly<Record<string, number>>;
}

/**
 * How a transfer's idempotency key ended, once settled for good (`voidTransfer`): the transfer
 * applied (with the players' versions, and what each player named in the call received), was
 * refused (the API's error code), or never applied and now never will.
 */
export type TransferSettlement =
	| {
			readonly status: "applied";
			readonly versions: ReadonlyMap<number, number>;
			readonly received: ReadonlyMap<number, TransferReceipt>;
	  }
	| { readonly status: "refused"; readonly code: string }
	| { readonly status: "voided" };

/**
 * A player's progress as the save API models it, at a version. Items are keyed by id. The
 * library hands these out read-only: change them through the mutation methods.
 */
export interface SyncState {
	version: number;
	currencies: Record<string, number>;
	items: Record<string, SyncItem>;
	docs: Record<string, Record<string, unknown>>;
	progress: Record<string, number>;
}

/**
 * One transaction waiting for the save API's answer, as the profile stores it. Its idempotency
 * key is made when the entry is queued, before anything is sent, and never changes while the
 * operations stay the same: a retry or a replay after a crash sends the same key.
 */
export interface OutboxEntry {
	key: string;
	ops: Array<SyncOp>;
	reason?: string;
	/** Sends that ended without a definitive answer (transport failure, timeout, 5xx, 429). */
	attempts: number;
	/** Unix seconds when the entry was queued. */
	createdAt: number;
	/** Unix seconds of its first send, once it has been sent. */
	sentAt?: number;
	/** How many mutations were coalesced into this entry. */
	parts: number;
}

/**
 * The external-authority mode's record inside a player's profile (select it with
 * `SyncOptions.select`; start it with `createSyncRecord()`): the canonical state as last
 * acknowledged by the save API, the outbox of transactions not yet acknowledged, and the
 * dead-letter list of those that exhausted their retries (retried later and at the next session).
 */
export interface SyncRecord {
	mirror: SyncState;
	outbox: Array<OutboxEntry>;
	deadLetters: Array<OutboxEntry>;
}

/** Why a mutation was refused before anything was queued. */
export type SyncRejectReason =
	| "no_session"
	| "invalid_request"
	| "insufficient_funds"
	| "item_not_owned"
	| "item_exists"
	| "limit_exceeded"
	| "too_many_ops";

/**
 * A queued mutation was undone: the save API refused it (its error code, such as
 * `insufficient_funds` when another writer spent the coins first), or a version conflict could
 * not be resolved (`version_conflict`). The player's state was refetched and what is still
 * pending re-applied; tell the client (a toast) and re-render.
 */
export interface SyncRollback {
	readonly key: string;
	readonly reason: string;
	readonly message: string;
	readonly ops: ReadonlyArray<SyncOp>;
	/** The mutation's own reason (the `reason` it was queued with). */
	readonly mutationReason?: string;
}

/** A player, by Player object or user id. */
export type PlayerRef = Player | number;

/** Options of {@link createSync}. */
export interface SyncOptions<T extends object> {
	/** The save API's base URL, e.g. `https://save.example.com`. */
	readonly baseUrl: string;
	/** The name of the secret holding the API's server key (default `"hopsafe-save-api"`). */
	readonly secretName?: string;
	/** Where the sync record lives in the profile data (created with `createSyncRecord()`). */
	readonly select: (data: T) => SyncRecord;
	/** The services to use (default: the real ones). */
	readonly platform?: Platform;
	/** Seconds between batch flushes (default 1). */
	readonly flushInterval?: number;
	/** Seconds between timer pulls of every loaded player, one request for all (default 5). */
	readonly pullInterval?: number;
	/**
	 * Most HTTP requests this server sends the API per minute, writes and pulls together, even
	 * in a retry storm (default 400; HttpService allows 500 a minute per server).
	 */
	readonly maxRequestsPerMinute?: number;
	/** Retries of a transaction after a transport failure before it is dead-lettered (default 3). */
	readonly maxRetries?: number;
	/** Backoff of the first retry in seconds; doubled each time, plus jitter (default 1). */
	readonly retryBaseDelay?: number;
	/** Longest backoff in seconds (default 8). */
	readonly retryMaxDelay?: number;
	/** Seconds a request may take (default 10). */
	readonly requestTimeout?: number;
	/** Seconds a leaving player's outbox may take to flush (default 8; keep it under the vault's `releaseDeadline`). */
	readonly flushDeadline?: number;
	/** Seconds between new attempts at dead-lettered transactions (default 60). */
	readonly deadLetterRetryInterval?: number;
	/**
	 * When the save API cannot be reached at join: `"hold"` (default) refuses the session with
	 * an `HttpFailure` (the vault holds or kicks the player per its `onLoadFailure`); `"cached"`
	 * starts from the profile's last acknowledged state and catches up once the API answers.
	 */
	readonly onUnreachable?: "hold" | "cached";
	/**
	 * Brings the canonical state up to what this game expects, at join (for example renaming a
	 * currency): return the operations to queue, or nothing. They are queued with a key made
	 * from the player and the version, so a crash before they are sent cannot apply them twice.
	 */
	readonly migrate?: (state: SyncState, userId: number) => ReadonlyArray<SyncOp> | undefined;
	/**
	 * A `doc.set` lost to a newer version (a 412, or another writer's change to the document
	 * pulled before the write was sent): decide again with the document as it is now. Return
	 * the value to write, or nothing to drop the write (rolled back as `version_conflict`).
	 * Default: write this server's value again.
	 */
	readonly decideDoc?: (
		userId: number,
		name: string,
		current: Record<string, unknown> | undefined,
		mine: Record<string, unknown>,
	) => Record<string, unknown> | undefined;
	/** The invalidation topic prefix (default `"hopsafe-player-"`, the API's default). */
	readonly topicPrefix?: string;
	/** Makes idempotency keys (default `HttpService:GenerateGUID(false)`). */
	readonly newKey?: () => string;
}

/** Options of one mutation. */
export interface MutationOptions {
	/** Recorded by the API in its audit log (letters, digits, space and `_ . : / # @ , + = ( ) -`). */
	readonly reason?: string;
	/**
	 * The idempotency key, for operations that must apply once across servers and sessions
	 * (`purchase:<receiptId>`). Default: a fresh key.
	 */
	readonly key?: string;
	/**
	 * The items this mutation grants have ids never used before (minted by this server). Such
	 * grants may share a transaction with other mutations; any other grant is sent in one of its
	 * own, so that an `item_exists` refusal rolls back nothing else. `grantItem` sets it when it
	 * makes the id.
	 */
	readonly freshIds?: boolean;
}

/** Counters of one server's reconciliation client. */
export interface SyncStats {
	/** HTTP requests sent to the save API (every kind). */
	requests: number;
	batches: number;
	pulls: number;
	reads: number;
	/** Transactions acknowledged (201, replays included). */
	acknowledged: number;
	/** Acknowledgements that were replays (Idempotent-Replayed). */
	replayed: number;
	/** Transactions the API refused (rolled back). */
	rejected: number;
	/** Sends that ended without a definitive answer. */
	transportFailures: number;
	deadLettered: number;
	/** Times a request waited for the request budget. */
	budgetWaits: number;
	/** Pushes received on the invalidation topics. */
	pushes: number;
}
