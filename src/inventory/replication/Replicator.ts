import type { InventoryChange, InventoryEvent } from "../operations/change";
import type { RejectMessage, SyncMessage } from "../protocol/messages";
import type { RequestRejectReason } from "../protocol/reasons";
import type { ChangeSink, PlayerEntry } from "../service/entry";
import type { InventoryServiceImpl } from "../service/InventoryServiceImpl";
import { cloneInventory } from "../state/cloneInventory";
import { clearEquippedAttributes, writeEquippedAttributes } from "./equippedAttributes";

/** Options of the replication layer (part of `bindInventoryRemotes`' options). */
export interface ReplicationOptions {
	/**
	 * A player's batch of one frame holding more deltas than this is sent as one snapshot
	 * instead (default 64): bulk changes by game code never make one huge remote call.
	 */
	readonly maxDeltasPerFlush?: number;
}

/** Rejections queued for one player in one frame past which more are dropped (a spamming client). */
const MAX_QUEUED_REJECTIONS = 256;

/**
 * Replicates each served inventory to its owner: a snapshot when the session starts, then
 * every change as a delta with the next sequence number, and request rejections, batched into
 * one `Sync:FireClient` per player per frame (on Heartbeat). Other players see only what is
 * equipped and visible, as Player attributes. Internal: `bindInventoryRemotes` creates it.
 */
export class Replicator implements ChangeSink {
	private readonly queue = new Array<PlayerEntry>();
	/** Rejections for players the service does not serve (no session yet). */
	private readonly orphans = new Map<Player, Array<RejectMessage>>();
	private readonly maxDeltas: number;
	private readonly heartbeat: RBXScriptConnection;

	public constructor(
		private readonly service: InventoryServiceImpl,
		private readonly remote: RemoteEvent,
		runService: RunService,
		options: ReplicationOptions = {},
	) {
		this.maxDeltas = math.max(0, options.maxDeltasPerFlush ?? 64);
		this.heartbeat = runService.Heartbeat.Connect(() => this.flush());
	}

	public ready(entry: PlayerEntry): void {
		entry.equipDirty = true;
		this.snapshot(entry, 0);
	}

	public record(entry: PlayerEntry, change: InventoryChange, request: number): void {
		const seq = entry.seq + 1;
		entry.seq = seq;
		const outbox = entry.outbox;
		// Index assignment rather than push: no call on the per-operation path.
		outbox[outbox.size()] = request === 0 ? { k: "d", seq, change } : { k: "d", seq, change, req: request };
		entry.deltas += 1;
		if (change.equipped.size() > 0) entry.equipDirty = true;
		if (!entry.queued) {
			entry.queued = true;
			const queue = this.queue;
			queue[queue.size()] = entry;
		}
	}

	/**
	 * Queues a rejection of the request `request` for `player`: in the player's ordered stream
	 * when they are served, else on its own. Past a bound per frame, further ones are dropped.
	 */
	public reject(player: Player, entry: PlayerEntry | undefined, request: number, reason: RequestRejectReason): void {
		const message: RejectMessage = { k: "r", req: request, reason };
		let stream = entry;
		if (stream !== undefined && !stream.active) {
			// A session that ended is never flushed again (a request that waited for the game's
			// authorize hook meanwhile): the refusal goes with the player's next session, or alone.
			const current = this.service.entries.get(player.UserId);
			stream = current !== undefined && current.player === player ? current : undefined;
		}
		if (stream !== undefined) {
			if (stream.outbox.size() >= MAX_QUEUED_REJECTIONS + stream.deltas) return;
			stream.outbox.push(message);
			this.mark(stream);
			return;
		}
		const queued = this.orphans.get(player);
		if (queued === undefined) this.orphans.set(player, [message]);
		else if (queued.size() < MAX_QUEUED_REJECTIONS) queued.push(message);
	}

	/** Queues a snapshot of the current state (answering the resync request `request`, or 0). */
	public snapshot(entry: PlayerEntry, request: number): void {
		const state = cloneInventory(entry.state);
		entry.outbox.push(
			request === 0
				? { k: "s", seq: entry.seq, state, last: entry.lastRequest }
				: { k: "s", seq: entry.seq, state, last: entry.lastRequest, req: request },
		);
		this.mark(entry);
	}

	public forget(entry: PlayerEntry): void {
		// What the session's last frame changed or refused happened: its owner, still here
		// (a failed teleport loads them again), must hear of it, or a consume the server applied
		// would be rolled back on their screen and reported as a timeout.
		if (entry.outbox.size() > 0 && entry.player.Parent !== undefined) {
			entry.equipDirty = false;
			const [sent, thrown] = pcall(() => this.flushEntry(entry));
			if (!sent) this.service.reportFailure("replication", thrown);
		}
		table.clear(entry.outbox);
		entry.deltas = 0;
		const [cleared, thrown] = pcall(clearEquippedAttributes, entry);
		if (!cleared) this.service.reportFailure("clearEquippedAttributes", thrown);
	}

	private mark(entry: PlayerEntry): void {
		if (!entry.queued) {
			entry.queued = true;
			this.queue.push(entry);
		}
	}

	/** Sends every queued batch. Runs on Heartbeat; public for tests and benchmarks. */
	public flush(): void {
		const queue = this.queue;
		for (const entry of queue) {
			entry.queued = false;
			if (!entry.active) continue;
			const [sent, thrown] = pcall(() => this.flushEntry(entry));
			if (!sent) this.service.reportFailure("replication", thrown);
		}
		table.clear(queue);
		if (!this.orphans.isEmpty()) this.flushOrphans();
	}

	private flushOrphans(): void {
		for (const [player, messages] of this.orphans) {
			const [sent, thrown] = pcall(() => this.remote.FireClient(player, messages));
			if (!sent) this.service.reportFailure("replication", thrown);
		}
		this.orphans.clear();
	}

	private flushEntry(entry: PlayerEntry): void {
		if (entry.outbox.size() > 0) {
			const compacted = entry.deltas > this.maxDeltas;
			if (compacted) this.compact(entry);
			let [sent, thrown] = this.send(entry);
			// A batch the remote refuses (too large) would be kept and refused again with every
			// later change: one snapshot is usually far smaller than a frame's deltas.
			if (!sent && !compacted && entry.deltas > 0) {
				this.compact(entry);
				[sent, thrown] = this.send(entry);
			}
			// Never kept for a later frame: a client that missed it sees the gap and resyncs.
			table.clear(entry.outbox);
			entry.deltas = 0;
			if (!sent) this.service.reportFailure("replication", thrown);
		}
		if (entry.equipDirty) {
			entry.equipDirty = false;
			writeEquippedAttributes(entry, this.service.catalog);
		}
	}

	/** Sends the entry's batch; the error when the remote refused it. */
	private send(entry: PlayerEntry): [sent: boolean, thrown: unknown] {
		const [sent, thrown] = pcall(() => this.remote.FireClient(entry.player, entry.outbox));
		return [sent, thrown];
	}

	/**
	 * Replaces the batch's deltas and snapshots with one snapshot of the current state, which
	 * carries the deltas' events (a consume the client shows, a drop's token).
	 */
	private compact(entry: PlayerEntry): void {
		const kept: Array<SyncMessage> = entry.outbox.filter((message) => message.k === "r");
		const events = new Array<InventoryEvent>();
		for (const message of entry.outbox)
			if (message.k === "d") for (const event of message.change.events) events.push(event);
		const state = cloneInventory(entry.state);
		kept.push(
			events.size() > 0
				? { k: "s", seq: entry.seq, state, last: entry.lastRequest, events }
				: { k: "s", seq: entry.seq, state, last: entry.lastRequest },
		);
		entry.outbox = kept;
	}

	public destroy(): void {
		this.heartbeat.Disconnect();
		// A binding made later sends each owner a snapshot: what waited here is stale, and an
		// entry left marked as queued would never be queued (so never flushed) by it.
		for (const entry of this.queue) {
			entry.queued = false;
			table.clear(entry.outbox);
			entry.deltas = 0;
		}
		table.clear(this.queue);
		this.orphans.clear();
	}
}
