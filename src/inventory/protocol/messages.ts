import { InventoryChange, InventoryEvent } from "../operations/change";
import { InventoryState } from "../state/types";
import { RequestRejectReason } from "./reasons";

/**
 * The owner's full inventory at sequence number `seq`. Sent when the session starts, on a
 * resync, and instead of a long run of deltas. `last` is the id of the last request of this
 * player the server has handled: the client drops every prediction up to it.
 */
export interface SnapshotMessage {
	readonly k: "s";
	readonly seq: number;
	readonly state: InventoryState;
	readonly last: number;
	/** The resync request this answers, if any. */
	readonly req?: number;
	/** The events of the deltas this snapshot stands in for (a frame with too many), in order. */
	readonly events?: ReadonlyArray<InventoryEvent>;
}

/** One change to the owner's inventory: `seq` is exactly one more than the previous message's. */
export interface DeltaMessage {
	readonly k: "d";
	readonly seq: number;
	readonly change: InventoryChange;
	/** The request that caused it (absent for changes made by game code on the server). */
	readonly req?: number;
}

/** A request refused; nothing changed. `req` is 0 when the request id itself was invalid. */
export interface RejectMessage {
	readonly k: "r";
	readonly req: number;
	readonly reason: RequestRejectReason;
}

/** One message of the Sync stream. */
export type SyncMessage = SnapshotMessage | DeltaMessage | RejectMessage;
