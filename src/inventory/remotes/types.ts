import type { IntentName } from "../protocol/intents";
import type { RequestRejectReason } from "../protocol/reasons";
import type { InventorySignal } from "../protocol/signal";
import type { AuthorizeRequest } from "./RequestMiddleware";
import type { RateLimit } from "./TokenBuckets";

/** Options of {@link bindInventoryRemotes}. */
export interface InventoryRemotesOptions {
	/** Where the remotes folder goes (default ReplicatedStorage). */
	readonly parent?: Instance;
	/** The folder's name (default `"HopsafeInventory"`; the client module looks for it). */
	readonly folderName?: string;
	/** Requests per player: a token bucket (default 20 a second, bursts of 40). */
	readonly rateLimit?: RateLimit;
	/** Resync requests per player, on top of `rateLimit` (default one per 5 seconds, bursts of 2). */
	readonly resyncLimit?: RateLimit;
	/**
	 * Game rules for a request that passed every check (for example, that a drop is within
	 * reach): return true to let it through. Refused requests get `denied`; a hook that throws
	 * gets `internal_error` and is reported through the service's `callbackFailed`.
	 */
	readonly authorize?: AuthorizeRequest;
	/** A player's batch of one frame holding more deltas than this goes out as one snapshot (default 64). */
	readonly maxDeltasPerFlush?: number;
}

/** What {@link bindInventoryRemotes} set up. */
export interface InventoryRemotes {
	readonly folder: Folder;
	/** Client → server requests: `(requestId, intent, ...args)`. */
	readonly request: RemoteEvent;
	/** Server → owner: one batch of sync messages per frame. */
	readonly sync: RemoteEvent;
	/** A request was refused (for monitoring; the client was told). */
	readonly rejected: InventorySignal<[player: Player, intent: IntentName | undefined, reason: RequestRejectReason]>;
	/** Sends every pending batch now instead of on the next Heartbeat. */
	flush(): void;
	/** Removes the remotes and stops replicating. */
	destroy(): void;
}
