import { describeThrown, type HopsafeError } from "../../core/errors";
import { reportCallbackFailure } from "../protocol/reportCallbackFailure";
import { defaultPlatform, type Platform } from "../../platform";
import type { ReleaseReason, Session } from "../../vault/types";
import type { Catalog } from "../catalog/types";
import { DropRegistry } from "../drops/DropRegistry";
import type { WorldDrop } from "../drops/types";
import { checkInventory } from "../invariants";
import { addItem } from "../operations/addItem";
import { adjustCurrency } from "../operations/adjustCurrency";
import { applySteps, type InventoryStep } from "../operations/applySteps";
import { NO_CHANGE, type InventoryChange, type InventoryEvent } from "../operations/change";
import { consumeItem } from "../operations/consumeItem";
import { dropItem } from "../operations/dropItem";
import { equipItem } from "../operations/equipItem";
import { mergeStacks } from "../operations/mergeStacks";
import { moveItem } from "../operations/moveItem";
import { pickUpDrop } from "../operations/pickUpDrop";
import { removeItem } from "../operations/removeItem";
import { splitStack } from "../operations/splitStack";
import { findSlotOf } from "../operations/stacks";
import { unequipItem } from "../operations/unequipItem";
import { HookSignal } from "../protocol/signal";
import { cloneInventory, restoreInventory, scratchInventory } from "../state/cloneInventory";
import { enterSerialBlock } from "../state/mintItemId";
import { keyOf } from "../../sync/state";
import type { SyncItem } from "../../sync/types";
import type { InventoryState, ItemAttrs } from "../state/types";
import { AuthorityLink } from "./authorityLink";
import { takeCensus } from "./census";
import { EarlySaver } from "./earlySave";
import { clampHolds, keepsHolds, newEntry, type ChangeSink, type PlayerEntry } from "./entry";
import type {
	ConsumedEvent,
	Disconnectable,
	InventoryCensus,
	InventoryService,
	InventoryServiceOptions,
	PickedUpEvent,
	PlayerRef,
	ServiceResult,
	TransactOptions,
	TransactResult,
} from "./types";

const NO_SESSION: ServiceResult = table.freeze({ ok: false as const, error: "no_session" as const });
const AUTHORITY_REFUSED: ServiceResult = table.freeze({ ok: false as const, error: "authority_refused" as const });

/**
 * The service. Public operations look the player up and call the `...For` form, which the
 * remote middleware calls directly with the entry it already resolved and the request id.
 */
export class InventoryServiceImpl implements InventoryService {
	public readonly catalog: Catalog;
	public readonly callbackFailed: HookSignal<[failure: HopsafeError<"CallbackFailed">]>;
	public readonly ready: HookSignal<[player: Player]>;
	public readonly invalid: HookSignal<[player: Player, problems: ReadonlyArray<string>]>;
	public readonly changed: HookSignal<[player: Player, change: InventoryChange]>;
	public readonly consumed: HookSignal<[player: Player, event: ConsumedEvent]>;
	public readonly dropped: HookSignal<[player: Player, drop: WorldDrop]>;
	public readonly pickedUp: HookSignal<[player: Player, event: PickedUpEvent]>;
	public readonly despawned: HookSignal<[drop: WorldDrop]>;
	public readonly unplaced: HookSignal<[player: Player, items: ReadonlyArray<SyncItem>]>;

	/** @internal The services in use. */
	public readonly platform: Platform;
	/** @internal The world drops of this server. */
	public readonly drops: DropRegistry;
	/** @internal Served players by user id. */
	public readonly entries = new Map<number, PlayerEntry>();
	/** The same entries by Player: a table lookup instead of reading `Player.UserId` per call. */
	private readonly byPlayer = new Map<Player, PlayerEntry>();
	/** Drops whose dropper's profile is not saved without them yet: token → dropper. */
	private readonly settlingDrops = new Map<string, number>();
	private sink?: ChangeSink;
	/** @internal The external authority's link, in that mode. */
	public readonly external?: AuthorityLink;
	private readonly saver?: EarlySaver;
	private readonly select: (data: object) => InventoryState;
	private readonly connections = new Array<Disconnectable>();
	private destroyed = false;

	public constructor(options: InventoryServiceOptions<object>) {
		this.catalog = options.catalog;
		this.select = options.select;
		const report = (signal: string, thrown: unknown) => this.reportFailure(`${signal} listener`, thrown);
		this.callbackFailed = new HookSignal("callbackFailed", (_signal, thrown) =>
			warn(`[hopsafe] a callbackFailed listener threw: ${describeThrown(thrown)}`),
		);
		this.ready = new HookSignal("ready", report);
		this.invalid = new HookSignal("invalid", report);
		this.changed = new HookSignal("changed", report);
		this.consumed = new HookSignal("consumed", report);
		this.dropped = new HookSignal("dropped", report);
		this.pickedUp = new HookSignal("pickedUp", report);
		this.despawned = new HookSignal("despawned", report);
		this.unplaced = new HookSignal("unplaced", report);

		const platform = options.platform ?? defaultPlatform();
		this.platform = platform;
		const newToken = options.newDropToken ?? (() => platform.httpService.GenerateGUID(false));
		this.drops = new DropRegistry(newToken);
		if (options.policy !== false) {
			this.saver = new EarlySaver(options.catalog, options.policy ?? {}, (entry) => this.saveEarly(entry));
		}

		if (options.authority !== undefined) {
			const link = new AuthorityLink(
				options.catalog,
				options.authority,
				(entry, items) => {
					if (this.unplaced.listening) this.unplaced.Fire(entry.player, items);
				},
				(callback, thrown) => this.reportFailure(callback, thrown),
			);
			this.external = link;
			this.connections.push(
				options.authority.changed.Connect((userId) => {
					const entry = this.entries.get(userId);
					if (entry !== undefined && entry.active) this.resync(entry);
				}),
			);
		}

		const sessions = options.sessions;
		this.connections.push(sessions.loaded.Connect((session) => this.onLoaded(session)));
		this.connections.push(sessions.released.Connect((userId, reason) => this.onReleased(userId, reason)));
		for (const player of platform.players.GetPlayers()) {
			const session = sessions.getSession(player);
			if (session !== undefined) this.onLoaded(session);
		}
	}

	// Sessions -------------------------------------------------------------------------------

	private onLoaded(session: Session<object>): void {
		if (this.destroyed) return;
		const player = session.player;
		const [selected, value] = pcall(this.select, session.data);
		if (!selected) {
			this.reportFailure("select", value);
			if (this.invalid.listening) this.invalid.Fire(player, [`select threw: ${describeThrown(value)}`]);
			return;
		}
		const state = value as InventoryState;
		const problems = checkInventory(state, this.catalog);
		if (problems.size() === 0) {
			if (state.owner === 0) {
				// A template's placeholder: claimed for the player, unless it holds items, whose
				// ids every player starting from that template would share.
				if (state.slots.some((stack) => stack !== false)) {
					problems.push(
						"owner: a placeholder inventory (owner 0) must be empty; grant starter items on ready",
					);
				} else state.owner = session.userId;
			} else if (state.owner !== session.userId) {
				problems.push(`owner: the inventory belongs to ${state.owner}, not ${session.userId}`);
			}
		}
		if (problems.size() > 0) {
			if (this.invalid.listening) this.invalid.Fire(player, problems);
			else warn(`[hopsafe] the inventory of ${session.userId} is not served: ${problems.join("; ")}`);
			return;
		}
		const previous = this.entries.get(session.userId);
		if (previous !== undefined) this.forget(previous);
		const entry = newEntry(session, state);
		// Before the first snapshot: the stored inventory catches up with the authority.
		if (this.external !== undefined) {
			if (this.external.resync(entry) === false) {
				const problem = "authority: the external authority holds no state for the player";
				if (this.invalid.listening) this.invalid.Fire(player, [problem]);
				else warn(`[hopsafe] the inventory of ${session.userId} is not served: ${problem}`);
				return;
			}
			if (session.generation !== undefined) enterSerialBlock(state, session.generation);
		}
		this.entries.set(session.userId, entry);
		this.byPlayer.set(player, entry);
		this.sink?.ready(entry);
		if (this.ready.listening) this.ready.Fire(player);
	}

	private onReleased(userId: number, reason: ReleaseReason): void {
		// The release was saved, so were the drops' removals; with the lock lost, none was, and
		// the holder keeps those items: their drops go.
		for (const [token, dropper] of this.settlingDrops) {
			if (dropper !== userId) continue;
			this.settlingDrops.delete(token);
			if (reason === "lockLost") this.despawnDrop(token);
			else this.drops.settle(token);
		}
		const entry = this.entries.get(userId);
		// A fast rejoin to this server can load a new session before the old one's release is
		// reported; that report must not stop serving the new one.
		if (entry !== undefined && !entry.session.isActive()) this.forget(entry);
	}

	private forget(entry: PlayerEntry): void {
		entry.active = false;
		if (this.entries.get(entry.userId) === entry) this.entries.delete(entry.userId);
		if (this.byPlayer.get(entry.player) === entry) this.byPlayer.delete(entry.player);
		this.external?.forget(entry);
		this.sink?.forget(entry);
	}

	/** @internal The served entry of a player whose session is still active. */
	public entryOf(player: PlayerRef): PlayerEntry | undefined {
		// A user id misses the Player map and hits the id map; no type test on the hot path.
		const entry = this.byPlayer.get(player as Player) ?? this.entries.get(player as number);
		if (entry === undefined) return undefined;
		if (!entry.session.isActive()) {
			// The lock went before the vault said so: refuse from now on.
			this.forget(entry);
			return undefined;
		}
		return entry;
	}

	/** @internal Whether a replication layer is attached (a live `bindInventoryRemotes`). */
	public hasSink(): boolean {
		return this.sink !== undefined;
	}

	/** @internal Attaches the replication layer (one at a time). */
	public attachSink(sink: ChangeSink | undefined): void {
		this.sink = sink;
		if (sink !== undefined) for (const [, entry] of this.entries) sink.ready(entry);
	}

	/** @internal Reports a throwing game callback through `callbackFailed`. */
	public reportFailure(callback: string, thrown: unknown): void {
		reportCallbackFailure(this.callbackFailed, callback, thrown);
	}

	// Recording ------------------------------------------------------------------------------

	/**
	 * @internal Records an applied change. In external authority it is first queued with the
	 * sync client; when that is refused, or the change took something a waiting trade offers,
	 * the inventory is resynced from the authority (the revert is what gets recorded) and the
	 * caller answers `authority_refused`.
	 */
	public commit(entry: PlayerEntry, change: InventoryChange, request: number, key?: string): boolean {
		const external = this.external;
		const before = entry.before;
		entry.before = undefined;
		if (external !== undefined && (!keepsHolds(entry) || !external.mirror(entry, key))) {
			// Refused: the operation changed nothing after all (not even where items lie).
			if (before !== undefined) restoreInventory(entry.state, before);
			// The serials it minted stay used: the owner's replica must learn the serial, or what
			// its client predicts next would mint ids the server does not.
			this.resync(entry, change.nextSerial !== undefined);
			return false;
		}
		this.record(entry, change, request);
		return true;
	}

	/**
	 * @internal `commit` for a change no operation of this service made (a transfer's take or put,
	 * minted ids): a snapshot an earlier operation left must not be put back if it is refused.
	 */
	public commitOwn(entry: PlayerEntry, change: InventoryChange): boolean {
		entry.before = undefined;
		return this.commit(entry, change, 0);
	}

	/**
	 * Shows what the authority holds (another writer, a rollback, a refused change). A player
	 * the authority no longer serves is not served here either: their slots can no longer be
	 * brought back in line with it.
	 */
	private resync(entry: PlayerEntry, serialUsed = false): void {
		const change = this.external!.resync(entry);
		if (change === false) this.forget(entry);
		else if (change !== undefined || serialUsed) {
			clampHolds(entry);
			const shown = change ?? NO_CHANGE;
			const serial = entry.state.nextSerial;
			this.record(entry, serialUsed && shown.nextSerial !== serial ? { ...shown, nextSerial: serial } : shown, 0);
		}
	}

	/** Replication, `changed` and the events' signals. */
	private record(entry: PlayerEntry, change: InventoryChange, request: number): void {
		const sink = this.sink;
		if (sink !== undefined) sink.record(entry, change, request);
		if (this.changed.listening) this.changed.Fire(entry.player, change);
		const events = change.events;
		if (events.size() > 0) this.fireEvents(entry.player, events);
	}

	private fireEvents(player: Player, events: ReadonlyArray<InventoryEvent>): void {
		for (const event of events) {
			if (event.kind === "consumed") {
				if (this.consumed.listening) this.consumed.Fire(player, event);
			} else if (event.kind === "dropped") {
				if (this.dropped.listening) this.dropped.Fire(player, event.drop);
			} else if (this.pickedUp.listening) this.pickedUp.Fire(player, event);
		}
	}

	/**
	 * An early save, asked for again until one lands while the session lasts: ProfileService
	 * writes a save once, and a failed write would leave a valuable change to the next auto-save.
	 */
	private saveEarly(entry: PlayerEntry): void {
		task.spawn(() => {
			while (entry.active && entry.session.isActive()) {
				const [saved] = entry.session.saveAsync().await();
				if (saved) return;
			}
		});
	}

	private saveIf(entry: PlayerEntry, valuable: boolean): void {
		if (valuable) this.saver!.schedule(entry);
	}

	// Operations -----------------------------------------------------------------------------

	/**
	 * External authority: keeps the inventory as it is before an operation changes it, for
	 * `commit` to put back if the authority refuses the change. Operations replace stacks and
	 * never change them, so a scratch copy is enough.
	 */
	private snapshot(entry: PlayerEntry): PlayerEntry {
		if (this.external !== undefined) entry.before = scratchInventory(entry.state);
		return entry;
	}

	public grant(player: PlayerRef, defKey: string, count = 1, attrs?: ItemAttrs): ServiceResult {
		const entry = this.entryOf(player);
		if (entry === undefined) return NO_SESSION;
		const result = addItem(this.catalog, this.snapshot(entry).state, defKey, count, attrs);
		if (result.ok) {
			if (!this.commit(entry, result.value, 0)) return AUTHORITY_REFUSED;
			if (this.saver) this.saveIf(entry, this.saver.isValuable(defKey));
		}
		return result;
	}

	public take(player: PlayerRef, itemId: string, count = 1): ServiceResult {
		const entry = this.entryOf(player);
		if (entry === undefined) return NO_SESSION;
		const state = entry.state;
		const slot = typeIs(itemId, "string") ? findSlotOf(state, itemId) : -1;
		const stack = slot >= 0 ? state.slots[slot] : false;
		const result = removeItem(this.snapshot(entry).state, itemId, count);
		if (result.ok) {
			if (!this.commit(entry, result.value, 0)) return AUTHORITY_REFUSED;
			if (this.saver && stack !== false) this.saveIf(entry, this.saver.isValuable(stack.def));
		}
		return result;
	}

	public consume(player: PlayerRef, slot: number, itemId: string, count = 1): ServiceResult {
		const entry = this.entryOf(player);
		return entry === undefined ? NO_SESSION : this.consumeFor(entry, slot, itemId, count, 0);
	}

	/** @internal */
	public consumeFor(entry: PlayerEntry, slot: number, itemId: string, count: number, request: number): ServiceResult {
		const result = consumeItem(this.catalog, this.snapshot(entry).state, slot, itemId, count);
		if (result.ok) {
			const change = result.value;
			if (!this.commit(entry, change, request)) return AUTHORITY_REFUSED;
			if (this.saver) this.saveIf(entry, this.saver.isValuable((change.events[0] as ConsumedEvent).def));
		}
		return result;
	}

	public equip(player: PlayerRef, slot: number, itemId: string, equipSlot: string): ServiceResult {
		const entry = this.entryOf(player);
		return entry === undefined ? NO_SESSION : this.equipFor(entry, slot, itemId, equipSlot, 0);
	}

	/** @internal */
	public equipFor(
		entry: PlayerEntry,
		slot: number,
		itemId: string,
		equipSlot: string,
		request: number,
	): ServiceResult {
		const result = equipItem(this.catalog, this.snapshot(entry).state, slot, itemId, equipSlot);
		if (result.ok && !this.commit(entry, result.value, request)) return AUTHORITY_REFUSED;
		return result;
	}

	public unequip(player: PlayerRef, equipSlot: string, itemId?: string): ServiceResult {
		const entry = this.entryOf(player);
		return entry === undefined ? NO_SESSION : this.unequipFor(entry, equipSlot, itemId, 0);
	}

	/** @internal */
	public unequipFor(
		entry: PlayerEntry,
		equipSlot: string,
		itemId: string | undefined,
		request: number,
	): ServiceResult {
		const result = unequipItem(this.snapshot(entry).state, equipSlot, itemId);
		if (result.ok && !this.commit(entry, result.value, request)) return AUTHORITY_REFUSED;
		return result;
	}

	public move(player: PlayerRef, from: number, itemId: string, to: number): ServiceResult {
		const entry = this.entryOf(player);
		return entry === undefined ? NO_SESSION : this.moveFor(entry, from, itemId, to, 0);
	}

	/** @internal */
	public moveFor(entry: PlayerEntry, from: number, itemId: string, to: number, request: number): ServiceResult {
		const result = moveItem(this.snapshot(entry).state, from, itemId, to);
		if (result.ok && !this.commit(entry, result.value, request)) return AUTHORITY_REFUSED;
		return result;
	}

	public split(player: PlayerRef, from: number, itemId: string, count: number, to: number): ServiceResult {
		const entry = this.entryOf(player);
		return entry === undefined ? NO_SESSION : this.splitFor(entry, from, itemId, count, to, 0);
	}

	/** @internal */
	public splitFor(
		entry: PlayerEntry,
		from: number,
		itemId: string,
		count: number,
		to: number,
		request: number,
	): ServiceResult {
		const result = splitStack(this.catalog, this.snapshot(entry).state, from, itemId, count, to);
		if (result.ok) {
			const change = result.value;
			if (!this.commit(entry, change, request)) return AUTHORITY_REFUSED;
			if (this.saver) {
				const split = change.slots[1][1];
				this.saveIf(entry, split !== false && this.saver.isValuable(split.def));
			}
		}
		return result;
	}

	public merge(player: PlayerRef, from: number, fromId: string, to: number, toId: string): ServiceResult {
		const entry = this.entryOf(player);
		return entry === undefined ? NO_SESSION : this.mergeFor(entry, from, fromId, to, toId, 0);
	}

	/** @internal */
	public mergeFor(
		entry: PlayerEntry,
		from: number,
		fromId: string,
		to: number,
		toId: string,
		request: number,
	): ServiceResult {
		const result = mergeStacks(this.catalog, this.snapshot(entry).state, from, fromId, to, toId);
		if (result.ok && !this.commit(entry, result.value, request)) return AUTHORITY_REFUSED;
		return result;
	}

	public drop(player: PlayerRef, slot: number, itemId: string, count?: number): ServiceResult {
		const entry = this.entryOf(player);
		return entry === undefined ? NO_SESSION : this.dropFor(entry, slot, itemId, count, 0);
	}

	/** @internal */
	public dropFor(
		entry: PlayerEntry,
		slot: number,
		itemId: string,
		count: number | undefined,
		request: number,
	): ServiceResult {
		// A drop moves an item between players, which the external authority does only
		// through its own transfers.
		if (this.external !== undefined) return AUTHORITY_REFUSED;
		const result = dropItem(this.catalog, entry.state, this.drops, slot, itemId, count);
		if (result.ok) {
			const change = result.value;
			if (!this.commit(entry, change, request)) return AUTHORITY_REFUSED;
			const event = change.events[0] as Extract<InventoryEvent, { kind: "dropped" }>;
			this.settleDrop(entry, event.drop.token);
		}
		return result;
	}

	public pickUp(player: PlayerRef, token: string): ServiceResult {
		const entry = this.entryOf(player);
		return entry === undefined ? NO_SESSION : this.pickUpFor(entry, token, 0);
	}

	/** @internal */
	public pickUpFor(entry: PlayerEntry, token: string, request: number): ServiceResult {
		if (this.external !== undefined) return AUTHORITY_REFUSED;
		const result = pickUpDrop(this.catalog, entry.state, this.drops, token);
		if (result.ok) {
			const change = result.value;
			if (!this.commit(entry, change, request)) return AUTHORITY_REFUSED;
			if (this.saver) {
				const event = change.events[0] as PickedUpEvent;
				this.saveIf(entry, this.saver.transfers || this.saver.isValuable(event.def));
			}
		}
		return result;
	}

	/**
	 * A drop can be picked up once the dropper's profile is saved without it (`drop_settling`
	 * until then): a pickup saved first, then a crash, would leave the item in both profiles. A
	 * session that ends first is settled by its release (see `onReleased`).
	 */
	private settleDrop(entry: PlayerEntry, token: string): void {
		this.drops.hold(token);
		this.settlingDrops.set(token, entry.userId);
		task.spawn(() => {
			for (let attempt = 1; this.settlingDrops.get(token) === entry.userId; attempt++) {
				if (!entry.session.isActive()) return;
				const [saved] = entry.session.saveAsync().await();
				if (saved && this.settlingDrops.get(token) === entry.userId) {
					this.settlingDrops.delete(token);
					this.drops.settle(token);
					return;
				}
				if (!saved) task.wait(math.min(2 ** attempt, 30));
			}
		});
	}

	public adjustCurrency(player: PlayerRef, currency: string, delta: number): ServiceResult {
		const entry = this.entryOf(player);
		if (entry === undefined) return NO_SESSION;
		const result = adjustCurrency(this.catalog, this.snapshot(entry).state, currency, delta);
		if (result.ok) {
			if (!this.commit(entry, result.value, 0)) return AUTHORITY_REFUSED;
			if (this.saver) this.saveIf(entry, this.saver.isLargeCurrencyChange(delta));
		}
		return result;
	}

	public transact(player: PlayerRef, steps: ReadonlyArray<InventoryStep>, options?: TransactOptions): TransactResult {
		const entry = this.entryOf(player);
		if (entry === undefined) return NO_SESSION;
		const key = options?.key !== undefined ? keyOf(options.key) : undefined;
		// Queued already, the authority would not apply it again: the slots must not either.
		if (key !== undefined && this.external?.isQueued(entry, key)) return AUTHORITY_REFUSED;
		const state = entry.state;
		// What the touched slots and balances held, for the early-save decision afterwards.
		const slotsBefore = this.saver ? table.clone(state.slots) : undefined;
		const currenciesBefore = this.saver ? table.clone(state.currencies) : undefined;
		const result = applySteps(this.catalog, this.snapshot(entry).state, steps);
		if (!result.ok) return result;
		const change = result.value;
		if (change.slots.size() + change.equipped.size() + change.currencies.size() === 0) return result;
		if (!this.commit(entry, change, 0, key)) return AUTHORITY_REFUSED;
		const saver = this.saver;
		if (saver) {
			const valuable =
				change.slots.some(([slot, stack]) => {
					const old = slotsBefore![slot];
					return (
						(stack !== false && saver.isValuable(stack.def)) || (old !== false && saver.isValuable(old.def))
					);
				}) ||
				change.currencies.some(([currency, balance]) =>
					saver.isLargeCurrencyChange(balance - (currenciesBefore![currency] ?? 0)),
				);
			this.saveIf(entry, valuable);
		}
		return result;
	}

	public awaitTransaction(player: PlayerRef, key: string, timeout = 30): Promise<void> {
		if (!this.isPending(player, key)) return Promise.resolve();
		return this.external!.authority.awaitCommit(keyOf(key), timeout).then(() => undefined);
	}

	public isPending(player: PlayerRef, key: string): boolean {
		const entry = this.entryOf(player);
		const external = this.external;
		return entry !== undefined && external !== undefined && external.isQueued(entry, keyOf(key));
	}

	// Reading and the rest -------------------------------------------------------------------

	public isReady(player: PlayerRef): boolean {
		return this.entryOf(player) !== undefined;
	}

	public getInventory(player: PlayerRef): InventoryState | undefined {
		const entry = this.entryOf(player);
		return entry === undefined ? undefined : cloneInventory(entry.state);
	}

	public getDrop(token: string): WorldDrop | undefined {
		return typeIs(token, "string") ? this.drops.get(token) : undefined;
	}

	public listDrops(): Array<WorldDrop> {
		return this.drops.list();
	}

	public despawnDrop(token: string): boolean {
		if (!typeIs(token, "string")) return false;
		const taken = this.drops.take(token);
		if (!taken.ok) return false;
		if (this.despawned.listening) this.despawned.Fire(taken.value);
		return true;
	}

	public census(): InventoryCensus {
		return takeCensus(this.entries, this.drops.list());
	}

	public saveSoon(player: PlayerRef): boolean {
		const entry = this.entryOf(player);
		if (entry === undefined) return false;
		if (this.saver) this.saver.schedule(entry);
		else entry.session.save();
		return true;
	}

	public destroy(): void {
		if (this.destroyed) return;
		this.destroyed = true;
		for (const connection of this.connections) connection.Disconnect();
		for (const [, entry] of this.entries) this.forget(entry);
		this.sink = undefined;
	}
}
