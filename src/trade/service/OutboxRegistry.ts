import { retry } from "../../core/retry";
import type { Platform } from "../../platform";

/** The sorted map listing players whose outbox holds gifts not yet sent. */
const MAP = "hopsafe-outboxes";
/** The hash map of recoveries under way: one server at a time recovers a player's gifts. */
const CLAIMS = "hopsafe-outbox-claims";
/** An entry outlives any realistic wait for a sweep; a leaked one is dropped by the next recovery. */
const EXPIRATION = 7 * 86400;
/** Seconds a recovery keeps its claim (several DataStore writes). */
const CLAIM_SECONDS = 120;
/** A failed list request is tried again soon: a sender left off the list waits for their return. */
const ATTEMPTS = { attempts: 3, baseDelay: 0.2, maxDelay: 0.5 };

/** Seconds a removed entry stays as a tombstone (skipped by scans) before it expires. */
const TOMBSTONE_SECONDS = 5;

/** A player whose outbox holds gifts: the server that holds them, or `""` once released. */
export interface OutboxEntry {
	readonly userId: number;
	readonly holder: string;
	/** Which write of the entry this is: a later write of the same holder is another entry. */
	readonly mark?: string;
}

/** The stored value of an entry: the holder, and a mark unique to the write. */
interface StoredEntry {
	readonly j?: unknown;
	readonly m?: unknown;
}

/**
 * A MemoryStore list of the players whose outbox holds gifts, with the server that holds them,
 * so that a live server can send what a crashed (or released) sender owes without waiting for
 * that player's next session. Only a hint: every request may fail, and what is owed is always
 * read from the stored profile. Entries are kept oldest first, so a scan reaches the ones left
 * behind before those of gifts under way. Internal to the trade service.
 */
export class OutboxRegistry {
	private readonly entries: MemoryStoreSortedMap;
	private readonly claims: MemoryStoreHashMap;
	private readonly prefix: string;
	/** Where the next scan starts (after the last entry read), or the start. */
	private cursor?: { key: string; sortKey?: string | number };

	public constructor(
		private readonly platform: Platform,
		vaultName: string,
	) {
		this.entries = platform.memoryStoreService.GetSortedMap(MAP);
		this.claims = platform.memoryStoreService.GetHashMap(CLAIMS);
		this.prefix = `${vaultName}:`;
	}

	/** Records that `userId`'s outbox holds gifts, held by `holder` (`""`: no server). The entry's mark when stored. */
	public record(userId: number, holder: string): string | undefined {
		const mark = this.platform.httpService.GenerateGUID(false);
		const [stored] = retry(ATTEMPTS, () =>
			this.entries.SetAsync(this.keyOf(userId), { j: holder, m: mark }, EXPIRATION, os.time()),
		);
		return stored ? mark : undefined;
	}

	/**
	 * Records that `userId`'s outbox holds gifts no server holds, after their session here ended.
	 * A later session of the sender elsewhere (a fast rejoin) may have listed them already: this
	 * write can land after that one, so it replaces only an entry of this session (`ownMark`), a
	 * released one, a tombstone or none. Whether the request succeeded.
	 */
	public release(userId: number, ownMark: string | undefined): boolean {
		const mark = this.platform.httpService.GenerateGUID(false);
		const transform = (current: unknown, sortKey: unknown) => {
			const stored = current as StoredEntry | undefined;
			if (stored !== undefined && stored.j !== undefined && stored.j !== "" && stored.m !== ownMark)
				return undefined;
			// eslint-disable-next-line roblox-ts/no-user-defined-lua-tuple -- a sorted map's transform returns the value and its sort key
			return $tuple({ j: "", m: mark }, sortKey ?? os.time());
		};
		const [updated] = retry(ATTEMPTS, () =>
			this.entries.UpdateAsync(this.keyOf(userId), transform as (value: unknown) => unknown, EXPIRATION),
		);
		return updated;
	}

	/** Removes `userId`'s entry. Whether the request succeeded. */
	public remove(userId: number): boolean {
		const [removed] = retry(ATTEMPTS, () => this.entries.RemoveAsync(this.keyOf(userId)));
		return removed;
	}

	/**
	 * Removes `entry` if it is still the one stored: a session that loaded the player since (or
	 * released them again) wrote an entry of its own, which stays. The comparison and the
	 * removal are one UpdateAsync, which a sorted map cannot make a removal: the entry becomes a
	 * tombstone that scans skip and that expires soon.
	 */
	public removeIf(entry: OutboxEntry): void {
		pcall(() =>
			this.entries.UpdateAsync(
				this.keyOf(entry.userId),
				(current: unknown) => {
					const stored = current as StoredEntry | undefined;
					if (stored === undefined || stored.j !== entry.holder || stored.m !== entry.mark) return undefined;
					return {};
				},
				TOMBSTONE_SECONDS,
			),
		);
	}

	/** Up to `count` entries of this vault, oldest first, going on from the last scan (and round again). */
	public scan(count: number): Array<OutboxEntry> {
		const [read, items] = pcall(() => this.entries.GetRangeAsync(Enum.SortDirection.Ascending, count, this.cursor));
		if (!read) return [];
		const last = items[items.size() - 1];
		this.cursor = items.size() < count || last === undefined ? undefined : { key: last.key, sortKey: last.sortKey };
		const found = new Array<OutboxEntry>();
		for (const item of items) {
			if (item.key.sub(1, this.prefix.size()) !== this.prefix) continue;
			const userId = tonumber(item.key.sub(this.prefix.size() + 1));
			const stored = item.value as StoredEntry | undefined;
			const holder = stored?.j;
			const mark = typeIs(stored?.m, "string") ? (stored!.m as string) : undefined;
			if (userId !== undefined && typeIs(holder, "string")) found.push({ userId, holder, mark });
		}
		return found;
	}

	/** Claims the recovery of `userId`'s gifts for a while; false when another server has it (or on failure). */
	public claim(userId: number): boolean {
		const jobId = this.platform.jobId;
		const [updated, claimed] = pcall(() =>
			this.claims.UpdateAsync(
				this.keyOf(userId),
				(current: unknown) => (current === undefined || current === jobId ? jobId : undefined),
				CLAIM_SECONDS,
			),
		);
		return updated && claimed === jobId;
	}

	private keyOf(userId: number): string {
		return `${this.prefix}${userId}`;
	}
}
