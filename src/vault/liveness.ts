import type { Platform } from "../platform";

/** What the liveness map says about a server. */
export type Liveness = "alive" | "dead" | "unknown";

const LIVENESS_MAP = "hopsafe-liveness";

/**
 * Each server keeps a short-lived MemoryStore key while it runs. A session lock held by a
 * server whose key expired may be taken at once. MemoryStore is only a hint: the DataStore
 * lock still decides, so a server wrongly judged dead finds its lock gone on its next save
 * and stops writing.
 */
export class LivenessMonitor {
	private running = false;
	private firstBeat?: Promise<void>;
	private readonly map: MemoryStoreHashMap;

	constructor(
		private readonly platform: Platform,
		private readonly interval: number,
		private readonly ttl: number,
	) {
		this.map = platform.memoryStoreService.GetHashMap(LIVENESS_MAP);
	}

	/** Starts beating; resolves once the first heartbeat is stored (or failed). */
	start(): Promise<void> {
		if (this.firstBeat) return this.firstBeat;
		this.running = true;
		this.firstBeat = new Promise<void>((resolve) => {
			task.spawn(() => {
				this.beat();
				resolve();
				while (this.running) {
					task.wait(this.interval);
					if (this.running) this.beat();
				}
			});
		});
		return this.firstBeat;
	}

	stop(): void {
		if (!this.running) return;
		this.running = false;
		pcall(() => this.map.RemoveAsync(this.platform.jobId));
	}

	/** Reads another server's liveness; `unknown` when MemoryStore could not be read. */
	check(jobId: string): Liveness {
		if (jobId === this.platform.jobId) return this.running ? "alive" : "dead";
		const [success, value] = pcall(() => this.map.GetAsync(jobId));
		if (!success) return "unknown";
		return value === undefined ? "dead" : "alive";
	}

	private beat(): void {
		pcall(() =>
			this.map.SetAsync(
				this.platform.jobId,
				{ placeId: this.platform.placeId },
				math.max(1, math.ceil(this.ttl)),
			),
		);
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
