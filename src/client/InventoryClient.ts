import { err, ok, type Result } from "../core/result";
import type { Catalog } from "../inventory/catalog/types";
import { DropRegistry } from "../inventory/drops/DropRegistry";
import { applyChange } from "../inventory/operations/applyChange";
import type { InventoryEvent } from "../inventory/operations/change";
import type { IntentArgs, IntentName } from "../inventory/protocol/intents";
import type { DeltaMessage, SnapshotMessage, SyncMessage } from "../inventory/protocol/messages";
import { REQUEST_REMOTE, SYNC_REMOTE } from "../inventory/protocol/names";
import { isRequestRejectReason, type ClientRejectReason } from "../inventory/protocol/reasons";
import { HookSignal, type InventorySignal } from "../inventory/protocol/signal";
import { cloneInventory } from "../inventory/state/cloneInventory";
import type { InventoryState } from "../inventory/state/types";
import { predict } from "./predict";

/** Options of `createInventoryClient`. */
export interface InventoryClientOptions {
	/** The same catalog the server uses (define it in shared code). */
	readonly catalog: Catalog;
	/** The remotes folder (default: `ReplicatedStorage.HopsafeInventory`, waited for). */
	readonly folder?: Instance;
	/** Seconds an unanswered request waits before its prediction is rolled back (default 10). */
	readonly timeout?: number;
	/** Seconds to wait for a snapshot before asking (again) for one (default 5). */
	readonly resyncTimeout?: number;
	/**
	 * Listen to the Sync remote and check for timeouts every frame (default true). Without, feed
	 * server batches to `handle` yourself (a custom transport, a test); intents are still sent.
	 */
	readonly listen?: boolean;
}

/** The outcome of an intent: the request id it was sent with, or why it was not sent. */
export type IntentResult = Result<number, ClientRejectReason>;

/**
 * The player's inventory on the client: the server's state rebuilt from a snapshot and ordered
 * deltas, plus the predicted effect of requests still in flight. See `createInventoryClient`.
 */
export interface InventoryClient {
	/** The inventory to render changed (a snapshot, a delta, a prediction or a rollback). */
	readonly changed: InventorySignal<[view: InventoryState]>;
	/** A request was refused by the server or timed out; its prediction was rolled back. */
	readonly rejected: InventorySignal<[intent: IntentName, reason: ClientRejectReason, requestId: number]>;
	/** Something happened to the inventory on the server (`consumed`, `dropped`, `pickedUp`). */
	readonly events: InventorySignal<[event: InventoryEvent]>;
	/** What to render: the confirmed state plus pending predictions (undefined before the first snapshot). */
	view(): InventoryState | undefined;
	/** The server's state as of the last message (undefined before the first snapshot). */
	confirmed(): InventoryState | undefined;
	/** The sequence number of the last message applied to `confirmed()`. */
	sequence(): number;
	/** How many requests wait for an answer. */
	pendingCount(): number;
	consume(slot: number, itemId: string, count?: number): IntentResult;
	move(from: number, itemId: string, to: number): IntentResult;
	split(from: number, itemId: string, count: number, to: number): IntentResult;
	merge(from: number, fromId: string, to: number, toId: string): IntentResult;
	equip(slot: number, itemId: string, equipSlot: string): IntentResult;
	/** Empties `equipSlot` (naming the item in it, as the server requires). */
	unequip(equipSlot: string): IntentResult;
	/** Drops `count` (default: the whole stack). */
	drop(slot: number, itemId: string, count?: number): IntentResult;
	/** Picks up a world drop by its token (not predicted: the drop's contents are the server's). */
	pickUp(token: string): IntentResult;
	/** Asks for a fresh snapshot (done on its own after a sequence gap). */
	resync(): void;
	/** Applies one batch of sync messages (what the Sync remote delivers). */
	handle(batch: unknown): void;
	/** Disconnects from the remotes. */
	destroy(): void;
}

interface Pending {
	readonly id: number;
	readonly intent: IntentName;
	readonly args: ReadonlyArray<unknown>;
	readonly sentAt: number;
}

const NOT_READY: IntentResult = table.freeze({ ok: false as const, error: "no_session" as const });

/** The implementation of {@link InventoryClient}. */
export class InventoryClientImpl implements InventoryClient {
	public readonly changed: HookSignal<[view: InventoryState]>;
	public readonly rejected: HookSignal<[intent: IntentName, reason: ClientRejectReason, requestId: number]>;
	public readonly events: HookSignal<[event: InventoryEvent]>;

	private readonly catalog: Catalog;
	private readonly timeout: number;
	private readonly resyncTimeout: number;
	private readonly request?: RemoteEvent;
	private readonly connections = new Array<RBXScriptConnection>();
	/**
	 * The placeholder drops of the predictions in the current view (the server's tokens arrive
	 * with the delta). Replaced on every rebuild, which predicts every pending drop again.
	 */
	private localDrops: DropRegistry;
	private readonly newPlaceholder: () => string;
	private state?: InventoryState;
	private predicted?: InventoryState;
	private seq = 0;
	private nextId = 0;
	private pending = new Array<Pending>();
	private resyncId = 0;
	private resyncAt: number;

	public constructor(options: InventoryClientOptions, folder: Instance | undefined) {
		this.catalog = options.catalog;
		this.timeout = options.timeout ?? 10;
		this.resyncTimeout = options.resyncTimeout ?? 5;
		this.resyncAt = os.clock();
		const report = (signal: string, thrown: unknown) => warn(`[hopsafe] a ${signal} listener threw: ${thrown}`);
		this.changed = new HookSignal("changed", report);
		this.rejected = new HookSignal("rejected", report);
		this.events = new HookSignal("events", report);
		let serial = 0;
		this.newPlaceholder = () => {
			serial += 1;
			return `predicted-${serial}`;
		};
		this.localDrops = new DropRegistry(this.newPlaceholder);
		if (folder !== undefined) {
			this.request = folder.WaitForChild(REQUEST_REMOTE) as RemoteEvent;
			if (options.listen !== false) {
				const sync = folder.WaitForChild(SYNC_REMOTE) as RemoteEvent;
				this.connections.push(sync.OnClientEvent.Connect((batch: unknown) => this.handle(batch)));
				this.connections.push(game.GetService("RunService").Heartbeat.Connect(() => this.tick()));
			}
		}
	}

	public view(): InventoryState | undefined {
		return this.predicted;
	}

	public confirmed(): InventoryState | undefined {
		return this.state;
	}

	public sequence(): number {
		return this.seq;
	}

	public pendingCount(): number {
		return this.pending.size();
	}

	// Intents --------------------------------------------------------------------------------

	public consume(slot: number, itemId: string, count = 1): IntentResult {
		return this.send("consume", [slot, itemId, count]);
	}

	public move(from: number, itemId: string, to: number): IntentResult {
		return this.send("move", [from, itemId, to]);
	}

	public split(from: number, itemId: string, count: number, to: number): IntentResult {
		return this.send("split", [from, itemId, count, to]);
	}

	public merge(from: number, fromId: string, to: number, toId: string): IntentResult {
		return this.send("merge", [from, fromId, to, toId]);
	}

	public equip(slot: number, itemId: string, equipSlot: string): IntentResult {
		return this.send("equip", [slot, itemId, equipSlot]);
	}

	public unequip(equipSlot: string): IntentResult {
		const view = this.predicted;
		if (view === undefined) return NOT_READY;
		const itemId = view.equipped[equipSlot] as string | undefined;
		if (itemId === undefined) return err("not_equipped");
		return this.send("unequip", [equipSlot, itemId]);
	}

	public drop(slot: number, itemId: string, count?: number): IntentResult {
		const stack = this.predicted?.slots[slot];
		const dropped = count ?? (stack !== undefined && stack !== false ? stack.count : 1);
		return this.send("drop", [slot, itemId, dropped]);
	}

	public pickUp(token: string): IntentResult {
		return this.send("pickUp", [token]);
	}

	private send<I extends IntentName>(intent: I, args: IntentArgs[I]): IntentResult {
		const view = this.predicted;
		if (view === undefined) return NOT_READY;
		const outcome = predict(this.catalog, view, this.localDrops, intent, args);
		if (outcome !== undefined && !outcome.ok) return err(outcome.error);
		this.nextId += 1;
		const id = this.nextId;
		this.pending.push({ id, intent, args, sentAt: os.clock() });
		this.request?.FireServer(id, intent, ...(args as Array<unknown>));
		if (outcome !== undefined && this.changed.hasListeners()) this.changed.Fire(view);
		return ok(id);
	}

	public resync(): void {
		this.nextId += 1;
		this.resyncId = this.nextId;
		this.resyncAt = os.clock();
		this.request?.FireServer(this.resyncId, "resync");
	}

	// Server messages ------------------------------------------------------------------------

	public handle(batch: unknown): void {
		if (!typeIs(batch, "table")) return;
		let dirty = false;
		for (const message of batch as Array<SyncMessage>) {
			if (!typeIs(message, "table")) continue;
			const [handled, changed] = pcall(() => this.apply(message));
			if (!handled) warn(`[hopsafe] could not apply a sync message: ${changed}`);
			else if (changed) dirty = true;
		}
		if (dirty) this.rebuild();
	}

	/** Applies one message; returns whether the view must be rebuilt. */
	private apply(message: SyncMessage): boolean {
		if (message.k === "s") return this.applySnapshot(message);
		if (message.k === "d") return this.applyDelta(message);
		if (message.k === "r") {
			// The resync was refused (rate limit, no session): it stays wanted, and `tick` asks
			// again once the timeout has passed since it was sent.
			if (message.req !== 0 && message.req === this.resyncId) return false;
			const reason = isRequestRejectReason(message.reason) ? message.reason : "internal_error";
			return this.settle(message.req, reason);
		}
		return false;
	}

	private applySnapshot(message: SnapshotMessage): boolean {
		this.state = cloneInventory(message.state);
		this.seq = message.seq;
		this.resyncId = 0;
		this.resyncAt = os.clock();
		// Every request up to `last` was handled: its effect (or refusal) is in the snapshot.
		this.pending = this.pending.filter((entry) => entry.id > message.last);
		const events = message.events;
		if (events !== undefined && typeIs(events, "table") && this.events.hasListeners()) {
			for (const event of events) this.events.Fire(event);
		}
		return true;
	}

	private applyDelta(message: DeltaMessage): boolean {
		const state = this.state;
		if (state === undefined || message.seq <= this.seq) return false;
		if (message.seq !== this.seq + 1) {
			// A gap: deltas were lost. Wait for a snapshot instead of applying out of order.
			this.requestResync();
			return false;
		}
		applyChange(state, message.change);
		this.seq = message.seq;
		const request = message.req;
		if (request !== undefined) {
			const index = this.pending.findIndex((entry) => entry.id === request);
			if (index >= 0) this.pending.remove(index);
		}
		if (this.events.hasListeners()) for (const event of message.change.events) this.events.Fire(event);
		return true;
	}

	/** Drops the prediction of request `id` after a refusal; returns whether there was one. */
	private settle(id: number, reason: ClientRejectReason): boolean {
		const index = this.pending.findIndex((entry) => entry.id === id);
		if (index < 0) return false;
		const entry = this.pending.remove(index)!;
		if (this.rejected.hasListeners()) this.rejected.Fire(entry.intent, reason, entry.id);
		return true;
	}

	/** Rebuilds the view: the confirmed state, then every pending prediction in order. */
	private rebuild(): void {
		const state = this.state;
		if (state === undefined) return;
		const view = cloneInventory(state);
		const drops = new DropRegistry(this.newPlaceholder);
		for (const entry of this.pending) predict(this.catalog, view, drops, entry.intent, entry.args);
		this.localDrops = drops;
		this.predicted = view;
		if (this.changed.hasListeners()) this.changed.Fire(view);
	}

	private requestResync(): void {
		if (this.resyncId !== 0 && os.clock() - this.resyncAt < this.resyncTimeout) return;
		this.resync();
	}

	/** Every frame: roll back requests that were never answered; ask for a missing snapshot. */
	private tick(): void {
		const now = os.clock();
		if (this.state === undefined && now - this.resyncAt >= this.resyncTimeout) this.requestResync();
		else if (this.resyncId !== 0 && now - this.resyncAt >= this.resyncTimeout) this.resync();
		const oldest = this.pending[0];
		if (oldest === undefined || now - oldest.sentAt < this.timeout) return;
		const expired = this.pending.filter((entry) => now - entry.sentAt >= this.timeout);
		this.pending = this.pending.filter((entry) => now - entry.sentAt < this.timeout);
		for (const entry of expired) {
			if (this.rejected.hasListeners()) this.rejected.Fire(entry.intent, "timeout", entry.id);
		}
		// An answer went missing: what else did?
		this.requestResync();
		this.rebuild();
	}

	public destroy(): void {
		for (const connection of this.connections) connection.Disconnect();
		this.changed.destroy();
		this.rejected.destroy();
		this.events.destroy();
	}
}
