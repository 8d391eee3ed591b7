import { livenessFor, type Liveness } from "../../vault/liveness";
import { checkTradeLedger } from "../ledger/checkTradeLedger";
import type { Parcel, TradeLedger } from "../ledger/types";
import { PARCEL_KIND } from "../protocol/keys";
import { retireParcels } from "../protocol/parcels";
import type { Book } from "./Book";
import { OutboxRegistry, type OutboxEntry } from "./OutboxRegistry";
import type { TradeServiceImpl } from "./TradeServiceImpl";

/** Seconds between two looks at the list on one server. */
const SWEEP_SECONDS = 60;
/** Entries read per look, and senders recovered per look at most (each costs a few DataStore writes). */
const SCAN = 20;
const RECOVERIES = 5;
/** Seconds a closing server waits, once its vault has closed, for the list writes of its releases. */
const CLOSE_WAIT = 5;

/** The gifts (parcels of no trade) a ledger's outbox holds. Sides and refunds of trades are settled by their partners. */
export function giftsOf(ledger: TradeLedger): Array<[string, Parcel]> {
	const gifts = new Array<[string, Parcel]>();
	for (const [id, parcel] of pairs(ledger.outbox)) if (parcel.trade === undefined) gifts.push([id, parcel]);
	return gifts;
}

/**
 * Gifts a sender's server left unsent (it crashed after saving them, or the player's release
 * went ahead first). A sender's server lists the player while their outbox holds gifts; live
 * servers look at the list now and then, and for a sender whose server is dead (or released
 * them) they take over the stored profile (an offline edit, which takes a crashed server's lock),
 * post its gifts to their recipients and retire them there. Each gift keeps its id, which its
 * recipient stamps, so one sent again by the sender's next session applies once. DataStore
 * authority only. Internal to the trade service.
 */
export class OrphanedGifts {
	private readonly registry: OutboxRegistry;
	private lastSweep = -math.huge;
	private sweeping = false;
	/** List writes of released books under way: a closing server waits for them. */
	private releasing = 0;

	public constructor(private readonly trades: TradeServiceImpl) {
		this.registry = new OutboxRegistry(trades.platform, trades.vault.name);
		// Written after the server closed, an entry would keep naming it, and the sender's gifts
		// would wait until its liveness lapses. The vault's close fires the last releases.
		game.BindToClose(() => {
			if (this.trades.destroyed) return;
			this.trades.vault.close().await();
			const started = os.clock();
			while (this.releasing > 0 && os.clock() - started < CLOSE_WAIT) task.wait(0.05);
		});
	}

	/** Lists the book's player before a gift's escrow is saved: a crash after that save leaves it to be found. */
	public list(book: Book): void {
		this.exclusive(book, () => {
			if (book.listed) return;
			book.listMark = this.registry.record(book.userId, this.trades.platform.jobId);
			book.listed = book.listMark !== undefined;
		});
	}

	/** After a pass over the book: listed while its outbox holds gifts, unlisted once none is left. */
	public update(book: Book): void {
		const owes = giftsOf(book.ledger).size() > 0;
		if (owes && !book.listed) this.list(book);
		else if (!owes && book.listed) {
			this.exclusive(book, () => {
				// A gift may have been added while an earlier request ran.
				if (!book.listed || giftsOf(book.ledger).size() > 0) return;
				if (this.registry.remove(book.userId)) book.listed = false;
			});
		}
	}

	/** The book's session ended with gifts unsent: its entry names no live holder any more. */
	public released(book: Book): void {
		if (giftsOf(book.ledger).size() === 0) return;
		this.releasing += 1;
		task.spawn(() => {
			const [ran, thrown] = pcall(() =>
				this.exclusive(book, () => this.registry.release(book.userId, book.listMark)),
			);
			this.releasing -= 1;
			// Reported, not rethrown: this thread has no caller, and an error would reach the engine.
			if (!ran) this.trades.reportFailure("listing a released sender's unsent gifts", thrown);
		});
	}

	/** Looks at the list once `SWEEP_SECONDS` passed since the last look (in the background). */
	public sweep(): void {
		if (this.sweeping || os.clock() - this.lastSweep < SWEEP_SECONDS) return;
		this.lastSweep = os.clock();
		this.sweeping = true;
		task.spawn(() => {
			const [ran, thrown] = pcall(() => this.recoverSome());
			this.sweeping = false;
			if (!ran) this.trades.reportFailure("recovery of unsent gifts", thrown);
		});
	}

	/** Runs `action` once no other list request of the book is under way (they must land in order). */
	private exclusive(book: Book, action: () => void): void {
		while (book.listing) task.wait(0.1);
		book.listing = true;
		const [ran, thrown] = pcall(action);
		book.listing = false;
		if (!ran) throw thrown;
	}

	private recoverSome(): void {
		const jobId = this.trades.platform.jobId;
		const liveness = livenessFor(this.trades.platform, 3, 12);
		const checked = new Map<string, Liveness>();
		let recovered = 0;
		for (const entry of this.registry.scan(SCAN)) {
			if (recovered >= RECOVERIES || this.trades.destroyed) break;
			if (entry.holder === jobId || this.trades.bookOf(entry.userId) !== undefined) continue;
			if (entry.holder !== "") {
				const state = checked.get(entry.holder) ?? liveness.check(entry.holder);
				checked.set(entry.holder, state);
				if (state !== "dead") continue;
			}
			if (!this.registry.claim(entry.userId)) continue;
			recovered += 1;
			this.recover(entry);
		}
	}

	/** Sends the gifts a sender no live server holds still owes, then retires them from its outbox. */
	private recover(entry: OutboxEntry): void {
		const vault = this.trades.vault;
		const ledgerOf = this.trades.select;
		const owedIn = (data: object) => {
			const ledger = ledgerOf(data);
			return checkTradeLedger(ledger).size() > 0 ? [] : giftsOf(ledger);
		};
		const [viewed, view] = vault.view(entry.userId).await();
		if (!viewed) return;
		let owed = view.data !== undefined ? owedIn(view.data) : [];
		if (view.heldBy !== undefined && owed.size() > 0) {
			// Written back unchanged, only to take over a crashed server's lock: then no session
			// but a new one of this player can change the outbox read here, and that one sends the
			// same gifts under the same ids. A profile nobody holds is not written.
			const [read, outcome] = vault
				.editOffline(entry.userId, (data) => {
					owed = owedIn(data);
					return owed.size() > 0;
				})
				.await();
			if (!read || outcome === "held") return;
		}
		if (owed.size() === 0) {
			this.registry.removeIf(entry);
			return;
		}
		const posted = new Array<string>();
		for (const [id, parcel] of owed) {
			const [sent] = vault.postMessage(parcel.to, { id, kind: PARCEL_KIND, body: parcel }).await();
			if (!sent) continue;
			posted.push(id);
			this.trades.step("parcelPosted", id);
		}
		if (posted.size() === 0) return;
		const [edited, retired] = vault
			.editOffline(entry.userId, (data) => retireParcels(ledgerOf(data), posted))
			.await();
		if (!edited || retired === "held") return;
		for (const id of posted) this.trades.step("parcelRetired", id);
		if (posted.size() === owed.size()) this.registry.removeIf(entry);
	}
}
