import type { HopsafeError } from "../../core/errors";
import type { Result } from "../../core/result";
import type { Platform } from "../../platform";
import type { InventorySignal } from "../../inventory/protocol/signal";
import type { InventoryService, PlayerRef } from "../../inventory/service/types";
import type { StackBundle, StackClaim } from "../../inventory/service/transferStacks";
import type { Vault } from "../../vault/vault";
import type { BundleTerms } from "../ledger/summary";
import type { TradeLedger } from "../ledger/types";
import type { Trade } from "../machine/types";
import type { TradeRejectReason } from "../reasons";

/** Limits and timings of the trade service; every field has a default. */
export interface TradeLimits {
	/** Stacks one side may offer (default 16). */
	readonly maxStacks?: number;
	/** Currencies one side may offer (default 4). */
	readonly maxCurrencies?: number;
	/** Seconds an invite waits for an answer (default 30). */
	readonly inviteTimeout?: number;
	/** Seconds an open trade may sit untouched (default 300). */
	readonly idleTimeout?: number;
	/** Seconds a coordinator waits for the other side of a trade before it aborts (default 120). */
	readonly decisionTimeout?: number;
	/**
	 * Seconds past a trade's deadline that the partner's server waits for the coordinator before
	 * it settles the trade itself (default 120): with the save API (external authority), or in the
	 * coordinator's stored profile once no server holds it. A coordinator that went away would
	 * otherwise leave the partner's side waiting for its return.
	 */
	readonly verdictTimeout?: number;
	/** Seconds to wait for one confirmed save (default 30). */
	readonly saveTimeout?: number;
	/**
	 * External authority: seconds a trade, a gift or a cross-server partner's side waits for the
	 * DataStore to confirm its record in the players' ledgers (the transfer's copy, or the sent
	 * side) before it is sent (default 0: sent at once, the record saved soon). With a wait, a
	 * crash right after the send still has the players' next server tell them how it ended; and
	 * a transfer's stamp (or, for a refused trade, the removal of its copy) is confirmed saved
	 * (as long again at most) before `settled` and `received` fire, so a crash right after does
	 * not have the next server tell them again.
	 * Each wait costs the early-save delay plus the key's write cooldown (up to about 7 s).
	 * A record not confirmed in time is sent (or told) anyway.
	 */
	readonly writeAheadTimeout?: number;
	/** Days a trade or transfer id is remembered, so that a repeat applies nothing (default 180). */
	readonly retentionDays?: number;
	/** Seconds between passes over the loaded ledgers (retries, deliveries, deadlines; default 5). */
	readonly sweepInterval?: number;
}

/**
 * Points of a transfer at which `onStep` is called (for monitoring, and for tests that inject
 * a failure at an exact step). Two-way trades: `validated`, `partnerEscrowed`, `partnerSaved`,
 * `legHanded`, `decided`, `decisionSaved`; gifts: `giftEscrowed`, `giftSaved`; one side of a
 * cross-server trade: `sideEscrowed`, `sideSaved`; deliveries of saved parcels: `parcelDelivered`
 * (applied to a recipient loaded on this server, before its save), `parcelPosted` (sent as a
 * message instead), `parcelRetired` (removed from the sender's outbox); `legPosted` (a partner's
 * saved leg sent to its coordinator's profile; id: the trade); arrivals (in memory,
 * before they are saved): `parcelReceived` (id: the parcel), `legReceived` (id: the trade);
 * `legHeld` (a leg older than what its coordinator's ledger has forgotten: neither taken nor
 * refunded, it stays escrowed with its owner for an operator to settle). In
 * external authority a trade or gift is `validated`, then `transferred` once the save API
 * committed it; a cross-server side is `validated`, then `sideEscrowed` once it is held (the
 * coordinator) or sent (the partner), and a partner hears of a completed one as `transferred`.
 */
export type TradeStep =
	| "validated"
	| "partnerEscrowed"
	| "partnerSaved"
	| "legHanded"
	| "decided"
	| "decisionSaved"
	| "giftEscrowed"
	| "giftSaved"
	| "sideEscrowed"
	| "sideSaved"
	| "parcelDelivered"
	| "parcelPosted"
	| "parcelRetired"
	| "parcelReceived"
	| "legPosted"
	| "legReceived"
	| "legHeld"
	| "transferred";

/** Options of {@link createTradeService}. */
export interface TradeServiceOptions<T extends object> {
	/** The inventory service whose inventories the trades move items between. */
	readonly inventory: InventoryService;
	/** The vault holding the profiles (its messages carry transfers between servers). */
	readonly vault: Vault<T>;
	/** Where the trade ledger lives in the profile data (see `createTradeLedger`). */
	readonly ledger: (data: T) => TradeLedger;
	readonly limits?: TradeLimits;
	/** The services to use (default: the real ones). */
	readonly platform?: Platform;
	/** Mints trade and gift ids (default: `HttpService.GenerateGUID(false)`). */
	readonly newId?: () => string;
	/** Called at each step of a transfer, synchronously (see {@link TradeStep}). */
	readonly onStep?: (step: TradeStep, id: string) => void;
}

/** An item an offer names: the slot the client believes holds it, its id, and how many. */
export interface OfferClaim {
	readonly slot: number;
	readonly id: string;
	readonly count: number;
}

/** What one player gives in a transfer: items by id (and count) and currency. */
export interface GiveSpec {
	readonly items: ReadonlyArray<StackClaim>;
	readonly currency?: Readonly<Record<string, number>>;
}

/** A two-way trade between two players on this server, as the server decides it. */
export interface TradeProposal {
	/** The idempotency key (default: a new id). A proposal with an id already used applies nothing. */
	readonly id?: string;
	readonly a: { readonly player: PlayerRef } & GiveSpec;
	readonly b: { readonly player: PlayerRef } & GiveSpec;
}

/** A one-way transfer to any player, online anywhere or offline. */
export interface GiftRequest {
	/** The idempotency key (default: a new id). */
	readonly id?: string;
	readonly from: PlayerRef;
	readonly to: number;
	readonly items: ReadonlyArray<StackClaim>;
	readonly currency?: Readonly<Record<string, number>>;
}

/**
 * One player's side of a trade with a player on another server (or offline). Each server calls
 * `escrowSide` for its own player with the same `trade` id; the side of the player with the lower
 * user id decides (see `Leg`).
 */
export interface CrossServerSide extends GiveSpec {
	readonly trade: string;
	readonly player: PlayerRef;
	readonly partner: number;
	/** What this player agreed to receive; both sides must agree or the trade aborts. */
	readonly receive: BundleTerms;
}

/**
 * How a transfer ended as far as this call can tell: `completed` (a trade's decision is saved,
 * or a gift is saved and on its way), `escrowed` (one side of a cross-server trade is saved and
 * waits for the other), `failed` (nothing moved, or everything is on its way back), `pending`
 * (a player's session ended mid-way: what was saved settles it, through messages; in external
 * authority, the save API's answer never came: it applied the transfer or nothing, and the same
 * id may be sent again) or `duplicate` (the id was already used: nothing applied).
 */
export interface TransferOutcome {
	readonly id: string;
	readonly status: "completed" | "escrowed" | "failed" | "pending" | "duplicate";
	readonly reason?: TradeRejectReason;
}

/** The trade service. See {@link createTradeService}. */
export interface TradeService {
	/** A same-server trade changed (a copy; listeners may keep it). */
	readonly changed: InventorySignal<[trade: Trade]>;
	/**
	 * One player's side of a trade ended, on the server holding them: the coordinator's decision
	 * is saved, or the partner's delivery or refund arrived. A player who leaves before that is not
	 * told here; the outcome is in their ledger (`getLedger(player).decisions`, and the parcels).
	 */
	readonly settled: InventorySignal<[userId: number, trade: string, outcome: "completed" | "failed"]>;
	/** Items and currency of a transfer entered a player's inventory. */
	readonly received: InventorySignal<[player: Player, parcel: string, bundle: StackBundle]>;
	/** A listener or callback threw; the error stopped here. */
	readonly callbackFailed: InventorySignal<[failure: HopsafeError<"CallbackFailed">]>;

	/** `from` invites `to` (both on this server) to trade. */
	invite(from: Player, to: Player): Result<Trade, TradeRejectReason>;
	/** The invitee accepts. */
	accept(player: Player, tradeId: string): Result<Trade, TradeRejectReason>;
	/** The invitee declines. */
	decline(player: Player, tradeId: string): Result<Trade, TradeRejectReason>;
	/** Replaces the player's offer; both confirmations are cleared. */
	offer(
		player: Player,
		tradeId: string,
		items: ReadonlyArray<OfferClaim>,
		currency?: Readonly<Record<string, number>>,
	): Result<Trade, TradeRejectReason>;
	/** Confirms the proposal at `revision`; the trade commits once both confirmed it. */
	confirm(player: Player, tradeId: string, revision: number): Result<Trade, TradeRejectReason>;
	/** Cancels a trade that is not committing. */
	cancel(player: Player, tradeId: string): Result<Trade, TradeRejectReason>;
	/** A copy of a same-server trade. */
	getTrade(tradeId: string): Trade | undefined;
	/** A copy of the player's current same-server trade, if any. */
	tradeOf(player: PlayerRef): Trade | undefined;

	/** Swaps two players' items and currency atomically (both on this server). */
	execute(proposal: TradeProposal): Promise<TransferOutcome>;
	/** Sends items and currency to any player, exactly once, wherever they are. */
	gift(request: GiftRequest): Promise<TransferOutcome>;
	/**
	 * Escrows this server's player's side of a cross-server trade. In external authority nothing
	 * is escrowed: the partner's side is sent to the coordinator (`escrowed`), which sends both
	 * sides as one save API transfer once they agree (`completed` or `failed`; `escrowed` while
	 * the partner's side is on its way) and tells the partner, whose `settled` fires then. A
	 * failure the coordinator decides without sending (the deadline, terms that disagree, nothing
	 * to send, a partner's side refused on its own server) is made final with the save API first
	 * and told to both players; `pending` when the API gave no answer (asked again on the sweep).
	 * In either authority, a partner's side refused on its own server is told to the coordinator,
	 * which ends the trade at once (`failed`) instead of at the deadline. In DataStore authority,
	 * a coordinator's side refused on its own server ends the trade there: the partner's side is
	 * sent back, whether it waits there or arrives later, and `escrowSide` again with that id is
	 * a `duplicate`.
	 */
	escrowSide(side: CrossServerSide): Promise<TransferOutcome>;

	/** A copy of the player's trade ledger. */
	getLedger(player: PlayerRef): TradeLedger | undefined;
	/**
	 * Whether nothing of the player's ledger is on its way: no outbox, leg or waiting entry, every
	 * record saved, and no received parcel that would fit still outside the inventory; in external
	 * authority also no side waiting for the other side or its verdict, and no transfer waiting
	 * for its answer. Parcels
	 * that do not fit wait in the ledger's inbox (see `getLedger`) and enter the inventory as soon
	 * as there is room.
	 */
	isSettled(player: PlayerRef): boolean;
	/** Stops serving; pending work stays in the ledgers (it resumes at each player's next load). */
	destroy(): void;
}
