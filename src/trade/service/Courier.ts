import { putFromTransfer } from "../../inventory/service/transfers";
import { legId, refusalId } from "../ledger/ids";
import type { Leg, Parcel } from "../ledger/types";
import { LEG_KIND, PARCEL_KIND, REFUSAL_KIND, decisionKey, inboxKey, legKey, outboxKey } from "../protocol/keys";
import { expireLegs } from "../protocol/legs";
import { pruneLedger } from "../protocol/prune";
import type { SideRefusal } from "../protocol/sideMessages";
import { AbsentCoordinators } from "./AbsentCoordinators";
import type { Book } from "./Book";
import type { TradeServiceImpl } from "./TradeServiceImpl";

const DAY = 86400;

/**
 * The trade service's background work on each loaded ledger: saving what is unsaved, then acting
 * only on what is saved (announcing decisions, moving received parcels into the inventory,
 * delivering the outbox, handing escrowed legs to their coordinators), aborting trades past
 * their deadline, and settling escrowed legs whose coordinator went away. Internal.
 */
export class Courier {
	private readonly absent: AbsentCoordinators;

	public constructor(private readonly trades: TradeServiceImpl) {
		this.absent = new AbsentCoordinators(trades, (book) => this.kick(book));
	}

	/** Runs the book's background work soon (once at a time per book). */
	public kick(book: Book): void {
		if (this.trades.destroyed || !book.active) return;
		if (book.running) {
			book.again = true;
			return;
		}
		book.running = true;
		task.spawn(() => {
			do {
				book.again = false;
				const [ran, thrown] = pcall(() => this.process(book));
				if (!ran) this.trades.reportFailure("trade background work", thrown);
			} while (book.again && book.active && !this.trades.destroyed);
			book.running = false;
		});
	}

	/**
	 * One pass over a book: abort trades past their deadline, save what is unsaved, then act on
	 * what is saved (announce decisions, move received parcels into the inventory, deliver the
	 * outbox, hand escrowed legs to their coordinators).
	 */
	private process(book: Book): void {
		const now = this.trades.now();
		if (now - book.prunedAt >= 3600) {
			book.prunedAt = now;
			pruneLedger(book.ledger, now, this.trades.limits.retentionDays * DAY);
		}
		this.expire(book, now);
		if (book.hasUnsaved() && !book.save(this.trades.limits.saveTimeout)) return;
		if (!book.active) return;

		this.announce(book);
		this.drain(book);
		this.handOn(book);
		this.absent.check(book);
		this.trades.orphans?.update(book);
	}

	/**
	 * The last pass before the book's session is released, while its lock is still held: once
	 * the flows running on it are done, saves, then delivers the outbox and hands on the legs,
	 * so that they do not wait for the player's next session (which may never come). What is
	 * retired before the release is written stays retired; anything later is sent again at the
	 * next load, and recognised by its id.
	 */
	public finish(book: Book): void {
		// A flow owns its records until its save settles (it may take them back), and a delivery
		// under way retires its parcel when it ends: wait for both.
		const busy = () => !book.owned.isEmpty() || !book.delivering.isEmpty();
		const started = os.clock();
		while (busy() && os.clock() - started < this.trades.limits.saveTimeout) task.wait(0.1);
		if (busy()) return;
		this.expire(book, this.trades.now());
		if (book.hasUnsaved() && !book.save(this.trades.limits.saveTimeout)) return;
		// Saved with the release: the player's next server will not tell them.
		this.announce(book);
		this.handOn(book);
		this.trades.orphans?.update(book);
	}

	/** Fires `settled` (and `received`, where kept) for the saved outcomes of the book. */
	private announce(book: Book): void {
		for (const [trade, result] of book.announce) {
			if (book.owned.has(trade) || !book.isSaved(decisionKey(trade))) continue;
			book.announce.delete(trade);
			const bundle = book.receipts.get(trade);
			book.receipts.delete(trade);
			if (this.trades.settled.listening) this.trades.settled.Fire(book.userId, trade, result);
			if (bundle !== undefined && this.trades.received.listening)
				this.trades.received.Fire(book.session.player, trade, bundle);
		}
	}

	/** Aborts the trades this book coordinates whose deadline passed. */
	private expire(book: Book, now: number): void {
		const expired = expireLegs(book.ledger, book.userId, now, (trade) => book.owned.has(trade));
		book.mark(expired.keys);
		for (const trade of expired.trades) book.announce.set(trade, "failed");
	}

	/** Delivers the saved outbox and hands saved legs to their coordinators. */
	private handOn(book: Book): void {
		const ledger = book.ledger;
		const deliveries = new Array<[string, Parcel]>();
		for (const [id, parcel] of pairs(ledger.outbox)) {
			if (book.delivering.has(id) || !book.isSaved(outboxKey(id))) continue;
			if (book.owned.has(id) || (parcel.trade !== undefined && book.owned.has(parcel.trade))) continue;
			deliveries.push([id, parcel]);
		}
		for (const [id, parcel] of deliveries) this.deliver(book, id, parcel);

		const legs = new Array<Leg>();
		for (const [trade, leg] of pairs(ledger.legs)) {
			if (leg.coordinator === book.userId || book.handed.has(trade) || book.owned.has(trade)) continue;
			if (book.isSaved(legKey(trade))) legs.push(leg);
		}
		for (const leg of legs) this.handLeg(book, leg);
	}

	/** Moves saved inbox parcels into the inventory, as far as they fit. */
	private drain(book: Book): void {
		if (!this.trades.inventory.isReady(book.userId)) return;
		const ledger = book.ledger;
		for (const [id, parcel] of pairs(ledger.inbox)) {
			if (!book.isSaved(inboxKey(id))) continue;
			if (book.owned.has(id) || (parcel.trade !== undefined && book.owned.has(parcel.trade))) continue;
			const put = putFromTransfer(this.trades.inventory, book.userId, parcel);
			if (!put.ok) continue;
			delete ledger.inbox[id];
			if (this.trades.received.listening) {
				this.trades.received.Fire(book.session.player, id, {
					stacks: parcel.stacks,
					currency: parcel.currency,
				});
			}
		}
	}

	/**
	 * Delivers a saved outbox parcel: straight into the recipient's ledger when they are loaded
	 * here (retired once their save confirms it), otherwise as a vault message (retired once
	 * posted). Either way the recipient applies it at most once: its id is stamped.
	 */
	private deliver(book: Book, id: string, parcel: Parcel): void {
		book.delivering.add(id);
		const recipient = this.trades.bookOf(parcel.to);
		let done = false;
		if (recipient !== undefined) {
			this.trades.acceptParcel(recipient, id, parcel);
			this.trades.step("parcelDelivered", id);
			if (recipient.save(this.trades.limits.saveTimeout)) {
				done = true;
				this.kick(recipient);
			}
		}
		if (!done) {
			// Resolved is enough: already waiting (an earlier try) is applied just the same. A
			// rejection wrote nothing (the server may be shutting down): the parcel stays in the
			// outbox, saved with the ledger, for a later pass or the sender's next session.
			const [resolved] = this.trades.vault
				.postMessage(parcel.to, { id, kind: PARCEL_KIND, body: parcel })
				.await();
			done = resolved;
			if (resolved) this.trades.step("parcelPosted", id);
		}
		if (done) {
			delete book.ledger.outbox[id];
			this.trades.step("parcelRetired", id);
		}
		book.delivering.delete(id);
	}

	/**
	 * Tells a coordinator that its partner's side was refused (in the background): in memory when
	 * it is loaded here, otherwise by message. Only a hint: if it is lost, the deadline ends the trade.
	 */
	public sendRefusal(refusal: SideRefusal): void {
		task.spawn(() => {
			const coordinator = this.trades.bookOf(refusal.to);
			if (coordinator !== undefined) {
				this.trades.acceptRefusal(coordinator, refusal);
				return;
			}
			const message = { id: refusalId(refusal.trade, refusal.from), kind: REFUSAL_KIND, body: refusal };
			this.trades.vault.postMessage(refusal.to, message).await();
		});
	}

	/** Hands a saved leg to its coordinator: in memory when it is loaded here, otherwise by message. */
	private handLeg(book: Book, leg: Leg): void {
		const coordinator = this.trades.bookOf(leg.coordinator);
		if (coordinator !== undefined) {
			book.handed.add(leg.trade);
			this.trades.acceptLeg(coordinator, leg);
			this.trades.step("legHanded", leg.trade);
			this.kick(coordinator);
			return;
		}
		const [resolved] = this.trades.vault
			.postMessage(leg.coordinator, { id: legId(leg.trade, leg.from), kind: LEG_KIND, body: leg })
			.await();
		if (resolved) {
			book.handed.add(leg.trade);
			this.trades.step("legPosted", leg.trade);
		}
	}
}
