import type { StackBundle } from "../../inventory/service/transferStacks";
import type { SyncTransferLeg } from "../../sync/types";
import type { TradeRejectReason } from "../reasons";

/**
 * Items and currency on their way between two profiles: a gift, one side of a trade, or a
 * refund. It is in exactly one place at a time: the sender's outbox, a message waiting in the
 * recipient's profile, or the recipient's inbox (see {@link TradeLedger}).
 */
export interface Parcel extends StackBundle {
	readonly from: number;
	readonly to: number;
	/** The trade whose side this is; its arrival settles the recipient's escrowed leg. */
	readonly trade?: string;
	/** Unix time it was created. */
	readonly at: number;
}

/**
 * One player's side of a two-way trade, escrowed: taken out of the inventory and saved before
 * anything else happens. The trade's **coordinator** (the player with the lower user id)
 * decides: once it holds both legs it commits (each side goes to the other) or aborts (each
 * side goes back), and its decision is saved before either side moves on.
 */
export interface Leg {
	readonly trade: string;
	readonly coordinator: number;
	readonly partner: number;
	/** Whose side this is (the coordinator or the partner). */
	readonly from: number;
	readonly give: StackBundle;
	/** What `from` agreed to receive, as a summary (see `summarizeBundle`). */
	readonly expect: string;
	/** Unix time after which the coordinator aborts if the other leg has not arrived. */
	readonly deadline: number;
	readonly at: number;
}

/** A coordinator's decision about a trade. */
export interface TradeDecision {
	readonly outcome: "committed" | "aborted";
	/** Whether the partner's leg was received (and so has been sent on, or back). */
	tookLeg: boolean;
	readonly at: number;
}

/** A side this player sent to the coordinator of a cross-server trade in external authority. */
export interface SentSide {
	readonly partner: number;
	/** The trade's deadline as this side set it. */
	readonly deadline: number;
	/** What the side gives (stack ids, currency): held out of play on the player's next server too. */
	readonly gives?: { readonly ids: ReadonlyArray<string>; readonly currency: Readonly<Record<string, number>> };
}

/**
 * (Coordinator, external authority) A partner's refusal of its side of a cross-server trade that
 * came before this player's own side: the side, when it comes (on any server), is refused with it.
 */
export interface RefusedSide {
	/** The partner who refused. */
	readonly from: number;
	readonly refused: TradeRejectReason;
	/** Unix time it arrived; forgotten a day later. */
	readonly at: number;
}

/**
 * A trade's or gift's save API transfer whose answer never came (external authority), kept as
 * it was sent: the next server to load one of its players sends it again under the same key
 * (the API applies it at most once) and tells them how it ended.
 */
export interface UnansweredTransfer {
	readonly kind: "trade" | "gift";
	/** Each leg as sent, with the same items as stacks (for `received`). */
	readonly sides: ReadonlyArray<{ readonly leg: SyncTransferLeg; readonly bundle: StackBundle }>;
	/** The players whose server sent it (the ones told `settled`). */
	readonly users: ReadonlyArray<number>;
	readonly at: number;
}

/**
 * The trade records kept in a player's profile, next to the inventory. Every table is keyed
 * by a string id and JSON-safe. See `createTradeLedger`.
 *
 * - `stamps`: idempotency keys this profile has acted on (trades and gifts it started, parcels
 *   and legs it received), with the Unix time; a second attempt with the same key does nothing.
 *   Pruned after the retention window.
 * - `decisions`: the trades this profile coordinated, and how they ended.
 * - `outbox`: parcels leaving this profile. An entry is delivered (or posted to the recipient's
 *   profile) only once the save that created it is confirmed, and re-sent at the next load
 *   if the server stopped before it was retired (a gift is sent sooner by another server that
 *   finds its sender's server dead, or the sender released, in the list of senders owing gifts).
 * - `inbox`: parcels received and saved, waiting to enter the inventory (it may be full).
 * - `legs`: this player's own escrowed sides of trades not yet settled.
 * - `waiting`: (coordinator) partners' legs that arrived before this player's own side.
 * - `sent` (optional): sides sent to a coordinator in external authority, waiting for its
 *   verdict; the next server to load the player settles them if the verdict never comes.
 * - `unanswered` (optional): transfers sent to the save API whose answer never came; see
 *   {@link UnansweredTransfer}.
 * - `refused` (optional): (coordinator) partners' refusals that came before this player's own
 *   side; see {@link RefusedSide}.
 * - `forgotten` (optional): the Unix time of the newest stamp or decision pruned so far. A
 *   coordinator cannot tell a leg from before then that it never saw from one it took and
 *   forgot, so it refunds neither (see `receiveLeg`).
 */
export interface TradeLedger {
	stamps: Record<string, number>;
	decisions: Record<string, TradeDecision>;
	outbox: Record<string, Parcel>;
	inbox: Record<string, Parcel>;
	legs: Record<string, Leg>;
	waiting: Record<string, Leg>;
	sent?: Record<string, SentSide>;
	unanswered?: Record<string, UnansweredTransfer>;
	refused?: Record<string, RefusedSide>;
	forgotten?: number;
}
