import type { Platform } from "../platform";

/** What the liveness map says about a server. */
export type Liveness = "alive" | "dead" | "unknown";

const LIVENESS_MAP = "hopsafe-liveness";
/** Seconds before a failed heartbeat is written again (at most the interval). */
const RETRY_SECONDS = 1;

/**
 * Each server keeps a short-lived MemoryStore key while it runs. A session lock held by a
 * server whose key expired, and left unwritten for the TTL, may be taken at once. MemoryStore
 * is only a hint: the DataStore lock still decides, so a server wrongly judged dead finds its
 * lock gone on its next save and stops writing.
 */
export class LivenessMonitor {
	/** Vaults of this server using the monitor; the heartbeat runs while there is one. */
	private users = 0;
	/** Counts starts, so a beat loop left over from before a stop ends instead of beating twice. */
	private run = 0;
	private firstBeat?: Promise<void>;
	private readonly map: MemoryStoreHashMap;

	constructor(
		private readonly platform: Platform,
		private readonly interval: number,
		private readonly ttl: number,
	) {
		this.map = platform.memoryStoreService.GetHashMap(LIVENESS_MAP);
	}

	/** One more vault uses the monitor: starts beating if it was not. */
	acquire(): void {
		this.users += 1;
		this.start();
	}

	/**
	 * A vault that acquired the monitor is done with it. The heartbeat stops (and its key goes)
	 * only with the last one: another vault may still be releasing its players, and a server
	 * seen dead has its locks taken.
	 */
	release(): void {
		if (this.users === 0) return;
		this.users -= 1;
		if (this.users === 0) this.stop();
	}

	/** Resolves once the first heartbeat is stored (or failed), or at once when not beating. */
	ready(): Promise<void> {
		return this.firstBeat ?? Promise.resolve();
	}

	private start(): void {
		if (this.firstBeat) return;
		this.run += 1;
		const run = this.run;
		this.firstBeat = new Promise<void>((resolve) => {
			task.spawn(() => {
				let stored = this.beat();
				resolve();
				while (this.run === run) {
					// A failed write is tried again soon: waiting the whole interval after a few
					// failures in a row lets the key lapse, and a live server's locks be taken.
					task.wait(stored ? this.interval : math.min(RETRY_SECONDS, this.interval));
					if (this.run === run) stored = this.beat();
				}
			});
		});
	}

	private isRunning(): boolean {
		return this.firstBeat !== undefined;
	}

	private stop(): void {
		if (!this.isRunning()) return;
		this.firstBeat = undefined;
		this.run += 1;
		pcall(() => this.map.RemoveAsync(this.platform.jobId));
	}

	/** Reads another server's liveness; `unknown` when MemoryStore could not be read. */
	check(jobId: string): Liveness {
		if (jobId === this.platform.jobId) return this.isRunning() ? "alive" : "dead";
		const [success, value] = pcall(() => this.map.GetAsync(jobId));
		if (!success) return "unknown";
		return value === undefined ? "dead" : "alive";
	}

	/** Writes the key; whether it was stored. */
	private beat(): boolean {
		const [stored] = pcall(() =>
			this.map.SetAsync(
				this.platform.jobId,
				{ placeId: this.platform.placeId },
				math.max(1, math.ceil(this.ttl)),
			),
		);
		return stored;
	}
}

const monitors = new Map<string, LivenessMonitor>();

/** The monitor of this server (one per JobId, shared by every vault on the server). */
export function livenessFor(platform: Platform, interval: number, ttl: number): LivenessMonitor {
	let monitor = monitors.get(platform.jobId);
	if (!monitor) {
		monitor = new LivenessMonitor(platform, interval, ttl);
		monitors.set(platform.jobId, monitor);
	}
	return monitor;
}
