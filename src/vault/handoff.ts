import type { Platform } from "../platform";
import type { Holder } from "./envelope";
import type { LivenessMonitor } from "./liveness";

const NOTICE_MAP = "hopsafe-releases";
/** Release notices outlive any realistic handoff, then expire on their own. */
const NOTICE_TTL = 120;
/**
 * How often a waiting server looks for the release notice: often at first (a hop's release
 * usually lands within a second), then less, so a mass reconnect after a crash stays well
 * inside the MemoryStore request quota. The holder's liveness is checked every second.
 */
const NOTICE_POLL_FIRST = 0.2;
const NOTICE_POLL_MAX = 1;
const LIVENESS_POLL = 1;

type HandoffMessage = {
	t: "release" | "released" | "notHeld" | "saveNow";
	k: string;
	from: string;
	/** Why a release is asked for: absent for a hop, `"erased"` before an erase. */
	r?: "erased";
};

/** How a wait for another server's release ended. */
export type HandoffOutcome = "released" | "dead" | "timeout";

function hashName(name: string): string {
	let hash = 5381;
	for (let index = 1; index <= name.size(); index++) {
		hash = (hash * 33 + (string.byte(name, index)[0] ?? 0)) % 4294967296;
	}
	return string.format("%08x", hash);
}

/**
 * The fast hop handoff. A server that finds a player's profile locked by another server asks
 * that server to release it (MessagingService, to the holder's JobId topic) and waits for the
 * release notice, which the holder writes to MemoryStore when its release is saved (and also
 * sends back as a message). The notice in MemoryStore survives a lost message.
 */
export class Handoff {
	private readonly notices: MemoryStoreHashMap;
	private readonly prefix: string;
	private readonly releasedKeys = new Set<string>();
	private subscription?: RBXScriptConnection;

	constructor(
		private readonly platform: Platform,
		vaultName: string,
		private readonly onReleaseRequested: (key: string, requesterJobId: string, erasing: boolean) => void,
		private readonly onSaveRequested: (key: string) => void,
	) {
		this.notices = platform.memoryStoreService.GetHashMap(NOTICE_MAP);
		this.prefix = hashName(vaultName);
	}

	topicFor(jobId: string): string {
		return `hs:${this.prefix}:${jobId}`;
	}

	/** Subscribes to this server's topic. A failure leaves the MemoryStore path working. */
	start(): void {
		if (this.subscription) return;
		const [success, connection] = pcall(() =>
			this.platform.messagingService.SubscribeAsync(this.topicFor(this.platform.jobId), (message) =>
				this.receive(message.Data),
			),
		);
		if (success) this.subscription = connection;
	}

	stop(): void {
		this.subscription?.Disconnect();
		this.subscription = undefined;
	}

	/** Tells waiting servers that `key` is released: a MemoryStore notice plus replies. */
	announceRelease(key: string, requesters: ReadonlyArray<string>): void {
		pcall(() => this.notices.SetAsync(this.noticeKey(key), { jobId: this.platform.jobId }, NOTICE_TTL));
		for (const requester of requesters) this.send(requester, { t: "released", k: key, from: this.platform.jobId });
	}

	/** The server whose release of `key` was announced last (within the notices' lifetime). */
	lastReleaser(key: string): string | undefined {
		const [read, notice] = pcall(() => this.notices.GetAsync(this.noticeKey(key)));
		const jobId = read && typeIs(notice, "table") ? (notice as { jobId?: unknown }).jobId : undefined;
		return typeIs(jobId, "string") ? jobId : undefined;
	}

	/** Asks the server holding `key` to save soon (a message for it is waiting). */
	requestSave(holderJobId: string, key: string): void {
		this.send(holderJobId, { t: "saveNow", k: key, from: this.platform.jobId });
	}

	/** Replies to a request for a key this server does not hold. */
	replyNotHeld(key: string, requester: string): void {
		this.send(requester, { t: "notHeld", k: key, from: this.platform.jobId });
	}

	/**
	 * Asks `holder` to release `key`, then waits until its release notice appears, its
	 * liveness key expires (it is dead), or `timeout` seconds pass. With `erasing`, the holder
	 * is told the profile is about to be erased. Without `notices`, only a reply counts. Without
	 * `liveness`, only a release (or the timeout) ends the wait.
	 */
	waitForRelease(
		key: string,
		holder: Holder,
		liveness: LivenessMonitor | undefined,
		timeout: number,
		erasing = false,
		notices = true,
	): HandoffOutcome {
		this.releasedKeys.delete(key);
		const request: HandoffMessage = { t: "release", k: key, from: this.platform.jobId };
		if (erasing) request.r = "erased";
		this.send(holder.jobId, request);
		const started = this.platform.clock();
		let lastLivenessCheck = -math.huge;
		let poll = NOTICE_POLL_FIRST;
		while (this.platform.clock() - started < timeout) {
			if (this.releasedKeys.has(key)) {
				this.releasedKeys.delete(key);
				return "released";
			}
			if (notices) {
				const [read, notice] = pcall(() => this.notices.GetAsync(this.noticeKey(key)));
				if (read && typeIs(notice, "table") && (notice as { jobId?: unknown }).jobId === holder.jobId) {
					return "released";
				}
			}
			if (liveness !== undefined && this.platform.clock() - lastLivenessCheck >= LIVENESS_POLL) {
				lastLivenessCheck = this.platform.clock();
				if (liveness.check(holder.jobId) === "dead") return "dead";
			}
			task.wait(poll);
			poll = math.min(poll * 1.5, NOTICE_POLL_MAX);
		}
		return "timeout";
	}

	private noticeKey(key: string): string {
		return `${this.prefix}:${key}`;
	}

	private send(jobId: string, message: HandoffMessage): void {
		task.spawn(() => {
			pcall(() => this.platform.messagingService.PublishAsync(this.topicFor(jobId), message));
		});
	}

	private receive(data: unknown): void {
		if (!typeIs(data, "table")) return;
		const message = data as Partial<HandoffMessage>;
		if (!typeIs(message.k, "string") || !typeIs(message.from, "string")) return;
		if (message.t === "release") {
			this.onReleaseRequested(message.k, message.from, message.r === "erased");
		} else if (message.t === "saveNow") {
			this.onSaveRequested(message.k);
		} else if (message.t === "released" || message.t === "notHeld") {
			this.releasedKeys.add(message.k);
		}
	}
}
