import type { StackBundle } from "../../inventory/service/transferStacks";
import type { Session } from "../../vault/types";
import type { TradeLedger } from "../ledger/types";

/**
 * The trade service's record of one loaded profile: its ledger, and which of the ledger's
 * records are known to be saved. A record created in memory gets the next generation number; a
 * confirmed save that started after it covers it. Nothing is acted upon before that (an outbox
 * entry delivered, an inbox entry used, a leg handed on): a record lost in a crash was then
 * never seen by anyone, which is what keeps every transfer exactly-once. Internal.
 */
export class Book {
	private generation = 0;
	private confirmed = 0;
	private readonly unsaved = new Map<string, number>();
	/** Trade and parcel ids a running flow owns: the background work leaves them alone. */
	public readonly owned = new Set<string>();
	/** Legs handed to their coordinator during this session. */
	public readonly handed = new Set<string>();
	/** Outbox entries being delivered right now. */
	public readonly delivering = new Set<string>();
	/** Legs being settled with an absent coordinator: when to try again, and the spacing used. */
	public readonly retries = new Map<string, { next: number; spacing: number }>();
	/** Outcomes to announce (`settled`) once saved: a coordinator's decisions, a partner's side arriving. */
	public readonly announce = new Map<string, "completed" | "failed">();
	/** What the player received in an announced trade (external authority), fired (`received`) with it. */
	public readonly receipts = new Map<string, StackBundle>();
	/** Whether the player is on the list of senders owing gifts with this server as holder (see OrphanedGifts). */
	public listed = false;
	/** The mark of this book's last entry on that list, so its release writes over only its own entry. */
	public listMark?: string;
	/** A request about that list is under way. */
	public listing = false;
	public active = true;
	public running = false;
	public again = false;
	public prunedAt = 0;

	public constructor(
		public readonly userId: number,
		public readonly session: Session<object>,
		public readonly ledger: TradeLedger,
	) {}

	/** Records that `keys` were created (or changed) in memory now. */
	public mark(keys: ReadonlyArray<string>): void {
		if (keys.size() === 0) return;
		this.generation += 1;
		for (const key of keys) this.unsaved.set(key, this.generation);
	}

	/** Whether the record `key` is known to be in the DataStore. */
	public isSaved(key: string): boolean {
		const generation = this.unsaved.get(key);
		return generation === undefined || generation <= this.confirmed;
	}

	public hasUnsaved(): boolean {
		return !this.unsaved.isEmpty();
	}

	/** The generation a save started now would cover. */
	public current(): number {
		return this.generation;
	}

	/** Everything created up to `generation` is saved. */
	public confirm(generation: number): void {
		if (generation <= this.confirmed) return;
		this.confirmed = generation;
		for (const [key, at] of this.unsaved) if (at <= generation) this.unsaved.delete(key);
	}

	/**
	 * Saves now and waits for the confirmation (yields); true once everything marked before the
	 * call is saved. Also while the session is being released: the lock is held until the
	 * release is written, and a session that lost it fails the save.
	 */
	public save(timeout: number): boolean {
		const target = this.generation;
		const [saved] = this.session.saveAsync(timeout).await();
		if (saved) this.confirm(target);
		return saved;
	}
}
