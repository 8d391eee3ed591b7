import { makeError } from "../../core/errors";
import { retry } from "../../core/retry";
import { checkTradeLedger } from "../ledger/checkTradeLedger";
import type { Leg, Parcel } from "../ledger/types";
import { legKey } from "../protocol/keys";
import { settleForAbsent } from "../protocol/legs";
import { retireParcels } from "../protocol/parcels";
import type { Book } from "./Book";
import type { TradeServiceImpl } from "./TradeServiceImpl";

/** Seconds between two tries at most, however long a coordinator stays held elsewhere. */
const MAX_SPACING = 3600;
/**
 * A received parcel's save and its retirement from the coordinator's outbox are tried again
 * after a DataStore or MemoryStore failure: nothing else comes back to them (the leg is gone
 * from the partner's ledger), and a parcel left there waits for the coordinator's next session.
 */
const RETIRE_ATTEMPTS = { attempts: 6, baseDelay: 5, maxDelay: 60 };

const unsaved = () =>
	makeError("PlatformFailure", "the received parcels' save was not confirmed", {
		service: "DataStoreService",
		operation: "UpdateAsync",
		retryable: true,
	});

/**
 * A partner's escrowed legs whose coordinator went away: only the coordinator expires a trade,
 * so once `verdictTimeout` passed after the deadline and no live server holds the coordinator
 * (an offline edit takes over a crashed server's lock), the partner's server settles the trade
 * in the coordinator's stored profile (see
 * `settleForAbsent`), receives the parcel that leaves there for it, and retires it there once
 * its own save holds it. Internal to the trade service.
 */
export class AbsentCoordinators {
	public constructor(
		private readonly trades: TradeServiceImpl,
		private readonly kick: (book: Book) => void,
	) {}

	/** Starts settling the book's overdue legs whose coordinator is not served here. */
	public check(book: Book): void {
		const now = this.trades.now();
		const grace = this.trades.limits.verdictTimeout;
		for (const [trade, leg] of pairs(book.ledger.legs)) {
			if (leg.coordinator === book.userId || now < leg.deadline + grace) continue;
			if (book.owned.has(trade) || !book.isSaved(legKey(trade))) continue;
			if (this.trades.bookOf(leg.coordinator) !== undefined) continue;
			const tried = book.retries.get(trade);
			if (tried !== undefined && now < tried.next) continue;
			// Tries again later (a coordinator held by a server settles the trade itself), less often each time.
			const spacing = math.min((tried?.spacing ?? grace / 2) * 2, MAX_SPACING);
			book.retries.set(trade, { next: now + spacing, spacing });
			task.spawn(() => {
				const [ran, thrown] = pcall(() => this.settle(book, leg));
				if (!ran) this.trades.reportFailure("trade settlement with an absent coordinator", thrown);
			});
		}
	}

	/** Settles one leg through its coordinator's stored profile (yields). */
	private settle(book: Book, leg: Leg): void {
		const parcels = this.settleStored(leg);
		if (parcels === undefined || parcels.isEmpty() || !book.active) return;
		// Received (and stamped) here and saved before the coordinator's copies are retired: a
		// crash in between leaves them to be delivered again, and recognised.
		for (const [id, parcel] of parcels) this.trades.acceptParcel(book, id, parcel);
		const abandon = () => this.trades.destroyed || !book.active;
		const [saved] = retry({ ...RETIRE_ATTEMPTS, abandon }, () => {
			if (!book.save(this.trades.limits.saveTimeout)) throw unsaved();
		});
		if (!saved) return;
		book.retries.delete(leg.trade);
		this.kick(book);
		const ids = parcels.map(([id]) => id);
		const ledgerOf = this.trades.select;
		// "held": the coordinator is served again, and its server delivers them (recognised) and retires them.
		retry({ ...RETIRE_ATTEMPTS, abandon: () => this.trades.destroyed }, () => {
			const [edited, outcome] = this.trades.vault
				.editOffline(leg.coordinator, (data) => retireParcels(ledgerOf(data), ids))
				.await();
			if (!edited) throw outcome;
		});
	}

	/**
	 * Settles the trade in the coordinator's stored ledger; returns the parcels it holds there
	 * for the partner, or undefined when it could not be read or is held by a live server.
	 */
	private settleStored(leg: Leg): ReadonlyArray<[string, Parcel]> | undefined {
		const ledgerOf = this.trades.select;
		const now = this.trades.now();
		let parcels: ReadonlyArray<[string, Parcel]> = [];
		const [done, outcome] = this.trades.vault
			.editOffline(leg.coordinator, (data) => {
				parcels = [];
				const ledger = ledgerOf(data);
				if (checkTradeLedger(ledger).size() > 0) return false;
				const settled = settleForAbsent(ledger, leg, now);
				parcels = settled.parcels;
				return settled.changed;
			})
			.await();
		return done && (outcome === "edited" || outcome === "unchanged") ? parcels : undefined;
	}
}
