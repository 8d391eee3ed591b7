import type { HopsafeError } from "../../core/errors";
import type { Result } from "../../core/result";
import type { Platform } from "../../platform";
import type {
	SyncItem,
	SyncOp,
	SyncRejectReason,
	SyncState,
	SyncTransferLeg,
	TransferSettlement,
} from "../../sync/types";
import type { ReleaseReason, Session } from "../../vault/types";
import type { ItemRarity, Catalog } from "../catalog/types";
import type { WorldDrop } from "../drops/types";
import type { InventoryStep, StepRejection } from "../operations/applySteps";
import type { InventoryChange, InventoryEvent } from "../operations/change";
import type { ServiceRejectReason } from "../protocol/reasons";
import type { InventorySignal } from "../protocol/signal";
import type { InventoryState, ItemAttrs } from "../state/types";

/** A player, by Player object or user id. */
export type PlayerRef = Player | number;

/** Something the service can disconnect from. */
export interface Disconnectable {
	Disconnect(): void;
}

/**
 * Where the service finds players' sessions. A vault (`createVault`) is one; anything with the
 * same three members works (a test double, a wrapper).
 */
export interface SessionSource<T extends object> {
	/** The player's active session on this server, if any. */
	getSession(player: PlayerRef): Session<T> | undefined;
	/** Fires when a session starts. */
	readonly loaded: { Connect(listener: (session: Session<T>) => void): Disconnectable };
	/** Fires when a session ends (left, teleported, lock lost, ...). */
	readonly released: { Connect(listener: (userId: number, reason: ReleaseReason) => void): Disconnectable };
}

/**
 * When a change is worth saving before the next auto-save. Valuable changes call the
 * session's `save()` a short delay after they happen (several within the delay share one
 * save); ordinary ones (moving, equipping, using up a common potion) wait for the auto-save.
 */
export interface EarlySavePolicy {
	/**
	 * Granting, taking, using up, splitting off or minting an item of this rarity or rarer saves
	 * soon (default `"rare"`).
	 */
	readonly minRarity?: ItemRarity;
	/**
	 * Seconds between the first valuable change and the save (default 1). The write itself waits
	 * for ProfileService's 7-second spacing of a profile's writes.
	 */
	readonly delay?: number;
	/**
	 * Whether picking up, which moves an item between players, saves soon whatever the rarity
	 * (default true). A drop always saves at once: it can be picked up only once the dropper's
	 * profile is saved without it (`drop_settling` until then).
	 */
	readonly transfers?: boolean;
	/** A currency change of at least this size (either sign) saves soon (default: never). */
	readonly currencyThreshold?: number;
}

/**
 * The external authority the service writes through, in that mode: a sync client
 * (`createSync`) is one. The service reads a player's state, queues its changes as save API
 * operations, and follows the authority's own changes.
 */
export interface ItemAuthority {
	/** The player's optimistic state, if loaded. */
	getState(player: number): SyncState | undefined;
	/** Applies `ops` at once and queues them as one transaction, or refuses them. */
	mutate(
		player: number,
		ops: ReadonlyArray<SyncOp>,
		options?: { readonly reason?: string; readonly key?: string; readonly freshIds?: boolean },
	): Result<string, SyncRejectReason>;
	/** Whether the player's transaction with `key` is queued here and not answered yet. */
	isQueued(player: number, key: string): boolean;
	/**
	 * Resolves with the version once the transaction with `key` is acknowledged; rejects if it is
	 * rolled back (`ApiRejected`, `VersionConflict`) or not answered within `timeout` seconds.
	 */
	awaitCommit(key: string, timeout?: number): Promise<number>;
	/** The player's state changed other than by this server's own mutations. */
	readonly changed: { Connect(listener: (userId: number, state: SyncState) => void): Disconnectable };
	/** How many of the player's queued transactions the authority has not answered yet. */
	pendingCount(player: number): number;
	/**
	 * Moves items and currency between players at once, every leg or none, at most once per
	 * `key` (the trade service's trades and gifts in this mode). Resolves with the players' new
	 * versions; rejects with a hopsafe error (`ApiRejected` carries the authority's code). A
	 * call that throws may have sent its request: the trade service settles the key with
	 * `voidTransfer`, or, without it, sends the transfer again under the same key on its sweep
	 * until it is answered.
	 */
	transfer(
		legs: ReadonlyArray<SyncTransferLeg>,
		options?: { readonly key?: string; readonly reason?: string },
	): Promise<ReadonlyMap<number, number>>;
	/**
	 * Settles a transfer's `key` for good: whether a transfer with it applied, was refused, or
	 * never applied (and now never will). The partner server of a cross-server trade whose
	 * coordinator went away settles the trade with it; an authority without it leaves that
	 * partner waiting for the verdict.
	 */
	voidTransfer?(key: string, players: ReadonlyArray<number>): Promise<TransferSettlement>;
}

/** Options of {@link createInventoryService}. */
export interface InventoryServiceOptions<T extends object> {
	readonly catalog: Catalog;
	/** Where players' sessions come from: the vault, usually. */
	readonly sessions: SessionSource<T>;
	/**
	 * Where the inventory lives in the profile data. Called once when a session starts; the
	 * service then keeps that table. An empty inventory whose `owner` is 0 (a template's
	 * placeholder: `createInventory(0, capacity)`) is claimed for the player; grant starter
	 * items on `ready`, never in the template (every player would share their ids).
	 */
	readonly select: (data: T) => InventoryState;
	/** The early-save policy, or `false` to leave every save to the auto-save. */
	readonly policy?: EarlySavePolicy | false;
	/** The services to use (default: the real ones). */
	readonly platform?: Platform;
	/** Mints drop tokens (default: `HttpService.GenerateGUID(false)`). Must be unguessable. */
	readonly newDropToken?: () => string;
	/**
	 * External authority: the sync client whose vault `sessions` is (give the same vault both).
	 * The inventory in the profile then holds the slot layout, and the save API the items,
	 * counts and balances: every change is queued as save API operations (a grown stack is
	 * removed and granted again with its id, in one transaction), and what another writer or a
	 * rollback changes is brought into the slots (see `unplaced`). Drops and pickups move items
	 * between players, which that mode does only through the API's transfers: they are refused
	 * with `authority_refused` (the trade service's trades and gifts use those transfers). Change items and currencies through this service:
	 * direct sync calls are seen at the player's next pull.
	 */
	readonly authority?: ItemAuthority;
}

/** The outcome of a service operation: the change it made, or why it made none. */
export type ServiceResult = Result<InventoryChange, ServiceRejectReason>;

/** Options of {@link InventoryService.transact}. */
export interface TransactOptions {
	/**
	 * External authority: the idempotency key of the save API transaction. The API applies a key
	 * once, whichever server or session sends it, so an operation that may be asked for again
	 * after a crash (a purchase: `purchase:<PurchaseId>`) applies once. Any text: characters a
	 * key cannot hold are escaped (the escaped key must fit in 255 characters). A key still
	 * queued on this server is refused with `authority_refused`. Ignored with DataStore
	 * authority.
	 */
	readonly key?: string;
}

/**
 * The outcome of a service transaction: the one change its steps made, or why it made none;
 * `step` names the step an operation refused.
 */
export type TransactResult = ServiceResult | StepRejection;

/** The `consumed` event of a change. */
export type ConsumedEvent = Extract<InventoryEvent, { kind: "consumed" }>;

/** The `pickedUp` event of a change. */
export type PickedUpEvent = Extract<InventoryEvent, { kind: "pickedUp" }>;

/**
 * Where every item id on this server is: in which loaded inventory, or which world drop. An id
 * in two places is a dupe (invariant I1).
 */
export interface InventoryCensus {
	/** Item id → `"inventory:<userId>"` or `"drop:<token>"`. */
	readonly locations: ReadonlyMap<string, string>;
	/** Ids found in more than one place; empty when I1 holds. */
	readonly dupes: ReadonlyArray<string>;
}

/**
 * The server-authoritative inventory of every loaded player. See {@link createInventoryService}.
 * Every operation applies to the player's active session atomically (it runs without yielding:
 * all of it or, when refused, none of it) and never throws for an expected failure: it returns
 * the change, or a reason code.
 */
export interface InventoryService {
	readonly catalog: Catalog;
	/** A player's inventory is loaded and checked; operations on it are accepted from now on. */
	readonly ready: InventorySignal<[player: Player]>;
	/**
	 * A loaded inventory broke its invariants (see `checkInventory`) or belongs to someone else;
	 * it is not served (requests get `no_session`). Without a listener, the problems are warned.
	 */
	readonly invalid: InventorySignal<[player: Player, problems: ReadonlyArray<string>]>;
	/** Any change, after it is applied and recorded for replication. */
	readonly changed: InventorySignal<[player: Player, change: InventoryChange]>;
	/** A consumable was used up: apply its effect. */
	readonly consumed: InventorySignal<[player: Player, event: ConsumedEvent]>;
	/** Items left an inventory as a world drop: spawn it, keyed by its token. */
	readonly dropped: InventorySignal<[player: Player, drop: WorldDrop]>;
	/** A world drop was picked up: remove it from the world. */
	readonly pickedUp: InventorySignal<[player: Player, event: PickedUpEvent]>;
	/** A world drop was removed by `despawnDrop`; its items no longer exist. */
	readonly despawned: InventorySignal<[drop: WorldDrop]>;
	/**
	 * External authority: items the save API holds that no slot shows (a def the catalog does
	 * not know, a count over the stack limit, or no free slot). They stay at the API untouched;
	 * fires when the set changes, and a freed slot takes them at the player's next resync.
	 */
	readonly unplaced: InventorySignal<[player: Player, items: ReadonlyArray<SyncItem>]>;
	/** A listener or game callback threw; the error stopped here. */
	readonly callbackFailed: InventorySignal<[failure: HopsafeError<"CallbackFailed">]>;

	/** Whether the player's inventory is loaded and served. */
	isReady(player: PlayerRef): boolean;
	/** A copy of the player's inventory (changing it changes nothing). */
	getInventory(player: PlayerRef): InventoryState | undefined;

	/** Grants `count` (default 1) items of `defKey` (see `addItem`). */
	grant(player: PlayerRef, defKey: string, count?: number, attrs?: ItemAttrs): ServiceResult;
	/** Removes `count` (default 1) of the item `itemId` (see `removeItem`). */
	take(player: PlayerRef, itemId: string, count?: number): ServiceResult;
	/** Uses up `count` (default 1) of the consumable in `slot` (see `consumeItem`). */
	consume(player: PlayerRef, slot: number, itemId: string, count?: number): ServiceResult;
	/** Equips the item in `slot` into `equipSlot` (see `equipItem`). */
	equip(player: PlayerRef, slot: number, itemId: string, equipSlot: string): ServiceResult;
	/** Empties `equipSlot` (see `unequipItem`). */
	unequip(player: PlayerRef, equipSlot: string, itemId?: string): ServiceResult;
	/** Moves the item in `from` to `to`, swapping (see `moveItem`). */
	move(player: PlayerRef, from: number, itemId: string, to: number): ServiceResult;
	/** Splits `count` off the stack in `from` into the empty slot `to` (see `splitStack`). */
	split(player: PlayerRef, from: number, itemId: string, count: number, to: number): ServiceResult;
	/** Merges the stack in `from` into the stack in `to` (see `mergeStacks`). */
	merge(player: PlayerRef, from: number, fromId: string, to: number, toId: string): ServiceResult;
	/** Drops `count` (default: the whole stack) from `slot` into the world (see `dropItem`). */
	drop(player: PlayerRef, slot: number, itemId: string, count?: number): ServiceResult;
	/** Picks up the world drop `token`; of racing pickups exactly one wins (see `pickUpDrop`). */
	pickUp(player: PlayerRef, token: string): ServiceResult;
	/** Adds `delta` to a currency balance (see `adjustCurrency`). */
	adjustCurrency(player: PlayerRef, currency: string, delta: number): ServiceResult;
	/**
	 * Several operations as one: every step applies or none does (see `applySteps`). Replicated
	 * as one delta, fired once on `changed`, and saved soon when any step would be.
	 *
	 * @example
	 * ```ts
	 * import { InventoryService } from "@rbxts/hopsafe";
	 *
	 * function buy(inventory: InventoryService, player: Player) {
	 * 	const result = inventory.transact(player, [
	 * 		{ op: "adjustCurrency", currency: "coins", delta: -100 },
	 * 		{ op: "grant", def: "sword" },
	 * 	]);
	 * 	if (!result.ok) warn(`refused: ${result.error}`); // e.g. inventory_full: the coins stay
	 * }
	 * ```
	 */
	transact(player: PlayerRef, steps: ReadonlyArray<InventoryStep>, options?: TransactOptions): TransactResult;
	/**
	 * External authority: resolves once the save API has applied the player's transaction that
	 * `transact` queued with `key`, and rejects when the API refused it (`ApiRejected`; the slots
	 * are back to what the API holds) or did not answer within `timeout` seconds (`Timeout`; it
	 * stays queued). Call it right after `transact`. Resolves at once when nothing with that key
	 * is queued here, and always with DataStore authority.
	 */
	awaitTransaction(player: PlayerRef, key: string, timeout?: number): Promise<void>;
	/**
	 * External authority: whether the player's transaction with `key` is queued here and not
	 * answered yet (always false with DataStore authority).
	 */
	isPending(player: PlayerRef, key: string): boolean;

	/** The world drop with `token`, if it still lies in the world. */
	getDrop(token: string): WorldDrop | undefined;
	/** Every world drop of this server. */
	listDrops(): Array<WorldDrop>;
	/** Removes a world drop (it expired, fell off the map); its items cease to exist. */
	despawnDrop(token: string): boolean;
	/** Where every item id on this server is, and which ids are in two places. */
	census(): InventoryCensus;
	/** Asks for an early save of the player's session now (coalesced with the policy's). */
	saveSoon(player: PlayerRef): boolean;
	/** Disconnects from the sessions and stops serving every player. */
	destroy(): void;
}
