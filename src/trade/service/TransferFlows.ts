import { deepCopy } from "../../core/deepCopy";
import { checkTake, freeSlots } from "../../inventory/service/transferStacks";
import { liveInventory, takeForTransfer } from "../../inventory/service/transfers";
import type { InventoryState } from "../../inventory/state/types";
import type { PlayerRef } from "../../inventory/service/types";
import { checkTradeLedger } from "../ledger/checkTradeLedger";
import { summarizeBundle, summarizeTerms, type BundleTerms } from "../ledger/summary";
import type { Leg, Parcel, TradeLedger } from "../ledger/types";
import { decisionKey } from "../protocol/keys";
import { abortTrade, cancelLeg, decideIfReady, openLeg, revertCommit, revertKeys } from "../protocol/legs";
import { cancelParcel, sendParcel } from "../protocol/parcels";
import type { TradeRejectReason } from "../reasons";
import type { Book } from "./Book";
import type { Courier } from "./Courier";
import type { TradeServiceImpl } from "./TradeServiceImpl";
import type { CrossServerSide, GiftRequest, GiveSpec, TradeProposal, TransferOutcome } from "./types";

const userIdOf = (player: PlayerRef) => (typeIs(player, "number") ? player : player.UserId);

const outcome = (id: string, status: TransferOutcome["status"], reason?: TradeRejectReason): TransferOutcome =>
	reason === undefined ? { id, status } : { id, status, reason };

/** The definitions and counts `claims` name in `state` (for the other side's agreed terms). */
function termsOfClaims(state: InventoryState, spec: GiveSpec): BundleTerms {
	const items = new Array<{ def: string; count: number }>();
	for (const claim of spec.items) {
		for (const stack of state.slots) {
			if (stack !== false && stack.id === claim.id) items.push({ def: stack.def, count: claim.count });
		}
	}
	return { items, currency: spec.currency };
}

/**
 * The transfers themselves: the same-server swap, gifts and one side of a cross-server trade.
 * Each escrows, saves, and only then hands anything on; a save that is not confirmed is checked
 * against the stored profile, and what was not saved is taken back. Internal to the trade service.
 */
export class TransferFlows {
	public constructor(
		private readonly trades: TradeServiceImpl,
		private readonly courier: Courier,
	) {}

	/**
	 * Reads the book's stored profile: its ledger (undefined when it cannot be read or served),
	 * and whether the book's session still holds the lock there (its release is not written yet).
	 */
	private readStored(book: Book): { ledger?: TradeLedger; held: boolean } {
		const [read, stored] = pcall(() => {
			const options = new Instance("DataStoreGetOptions");
			options.UseCache = false;
			const store = this.trades.platform.dataStoreService.GetDataStore(this.trades.vault.name);
			const [value] = store.GetAsync<{
				Data?: { value?: unknown };
				MetaData?: { ActiveSession?: [number, string]; SessionLoadCount?: number };
			}>(book.session.key, options);
			const holder = value?.MetaData?.ActiveSession;
			const held =
				holder?.[1] === this.trades.platform.jobId &&
				value?.MetaData?.SessionLoadCount === book.session.generation;
			const data = value?.Data?.value;
			return { ledger: data === undefined ? undefined : this.trades.select(deepCopy(data) as object), held };
		});
		if (!read) return { held: false };
		const ledger = stored.ledger;
		return {
			ledger: ledger !== undefined && checkTradeLedger(ledger).size() === 0 ? ledger : undefined,
			held: stored.held,
		};
	}

	/**
	 * Saves `book` and, if that is not confirmed, reads the stored profile to learn whether the
	 * write landed anyway (a write that committed but errored). True (and the book's records up
	 * to the save count as saved) when `landed` holds for the stored ledger. A session being
	 * released under the save writes what it holds with its release: until that is written (at
	 * most the save timeout), the stored profile is read again.
	 */
	private saveOrConfirm(book: Book, landed: (stored: TradeLedger) => boolean): boolean {
		const generation = book.current();
		const timeout = this.trades.limits.saveTimeout;
		if (book.save(timeout)) return true;
		const started = os.clock();
		for (;;) {
			const stored = this.readStored(book);
			if (stored.ledger !== undefined && landed(stored.ledger)) {
				book.confirm(generation);
				return true;
			}
			if (book.session.isActive() || !stored.held || os.clock() - started >= timeout) return false;
			task.wait(1);
		}
	}

	// Validation ------------------------------------------------------------------------------

	/** Why `spec` cannot be given by `giver` to `taker` now, if it cannot. */
	public checkGive(giver: Book, spec: GiveSpec, incoming: number): TradeRejectReason | undefined {
		if (spec.items.size() > this.trades.limits.maxStacks) return "too_many_items";
		let currencies = 0;
		for (const [_name] of pairs(spec.currency ?? {})) currencies += 1;
		if (currencies > this.trades.limits.maxCurrencies) return "too_many_items";
		const state = liveInventory(this.trades.inventory, giver.userId);
		if (state === undefined) return "no_session";
		const refused = checkTake(this.trades.inventory.catalog, state, spec.items, spec.currency ?? {});
		if (refused !== undefined) return refused;
		let freed = 0;
		for (const claim of spec.items) {
			for (const stack of state.slots)
				if (stack !== false && stack.id === claim.id && stack.count === claim.count) freed += 1;
		}
		return freeSlots(state) + freed >= incoming ? undefined : "inventory_full";
	}

	private seen(book: Book, id: string): boolean {
		const ledger = book.ledger;
		return (
			ledger.stamps[id] !== undefined ||
			ledger.decisions[id] !== undefined ||
			ledger.legs[id] !== undefined ||
			ledger.waiting[id] !== undefined ||
			ledger.outbox[id] !== undefined
		);
	}

	/**
	 * The two-way swap on one server, in the protocol every trade follows (see Leg): the partner
	 * escrows its side and saves; its leg is handed to the coordinator, which escrows its own side
	 * and decides in one step, then saves: that save is the commit point. Each side then reaches
	 * the other (and every record that was not saved is put back) through the background work.
	 */
	/** The books of a same-server trade's two players, both served here; or why not. */
	public partiesOf(proposal: TradeProposal): readonly [Book, Book] | TradeRejectReason {
		const ua = userIdOf(proposal.a.player);
		const ub = userIdOf(proposal.b.player);
		if (ua === ub) return "self_trade";
		const bookA = this.trades.bookOf(ua);
		const bookB = this.trades.bookOf(ub);
		if (bookA === undefined || bookB === undefined) return "no_session";
		if (!this.trades.inventory.isReady(ua) || !this.trades.inventory.isReady(ub)) return "no_session";
		return [bookA, bookB];
	}

	public runExecute(id: string, proposal: TradeProposal): TransferOutcome {
		const parties = this.partiesOf(proposal);
		if (typeIs(parties, "string")) return outcome(id, "failed", parties);
		const [bookA, bookB] = parties;
		const [ua, ub] = [bookA.userId, bookB.userId];
		if (this.seen(bookA, id) || this.seen(bookB, id)) return outcome(id, "duplicate", "duplicate");
		const aFirst = ua < ub;
		const coordinator = aFirst ? bookA : bookB;
		const partner = aFirst ? bookB : bookA;
		const coordSpec: GiveSpec = aFirst ? proposal.a : proposal.b;
		const partnerSpec: GiveSpec = aFirst ? proposal.b : proposal.a;
		const refused =
			this.checkGive(coordinator, coordSpec, partnerSpec.items.size()) ??
			this.checkGive(partner, partnerSpec, coordSpec.items.size());
		if (refused !== undefined) return outcome(id, "failed", refused);
		this.trades.step("validated", id);
		coordinator.owned.add(id);
		partner.owned.add(id);
		const [ran, result] = pcall(() => this.commitSwap(id, coordinator, coordSpec, partner, partnerSpec));
		coordinator.owned.delete(id);
		partner.owned.delete(id);
		this.courier.kick(coordinator);
		this.courier.kick(partner);
		if (!ran) throw result;
		return result;
	}

	private commitSwap(
		id: string,
		coordinator: Book,
		coordSpec: GiveSpec,
		partner: Book,
		partnerSpec: GiveSpec,
	): TransferOutcome {
		const now = this.trades.now();
		const deadline = now + this.trades.limits.decisionTimeout;
		const coordState = liveInventory(this.trades.inventory, coordinator.userId)!;
		const partnerExpects = summarizeTerms(termsOfClaims(coordState, coordSpec));

		// 1. The partner's side leaves its inventory into escrow, and is saved.
		const taken = takeForTransfer(
			this.trades.inventory,
			partner.userId,
			partnerSpec.items,
			partnerSpec.currency ?? {},
		);
		if (!taken.ok) return outcome(id, "failed", taken.error);
		const leg: Leg = {
			trade: id,
			coordinator: coordinator.userId,
			partner: partner.userId,
			from: partner.userId,
			give: taken.value,
			expect: partnerExpects,
			deadline,
			at: now,
		};
		partner.mark(openLeg(partner.ledger, leg, now));
		this.trades.step("partnerEscrowed", id);
		if (!this.saveOrConfirm(partner, (stored) => stored.legs[id] !== undefined)) {
			// Never handed to anyone: take it back. If the escrow was saved after all and the
			// server stops before the take-back is, the coordinator refunds it when it arrives.
			if (partner.active) partner.mark(cancelLeg(partner.ledger, partner.userId, id, this.trades.now()));
			return outcome(id, "failed", "save_failed");
		}
		this.trades.step("partnerSaved", id);

		// 2. The leg is handed to the coordinator (in memory: both are here). A coordinator that
		// left first never had it, so it comes back at once: nothing can complete this trade.
		if (!coordinator.active || !coordinator.session.isActive()) {
			if (partner.active) partner.mark(cancelLeg(partner.ledger, partner.userId, id, this.trades.now()));
			return outcome(id, "failed", "no_session");
		}
		partner.handed.add(id);
		this.trades.acceptLeg(coordinator, leg);
		this.trades.step("legHanded", id);

		// 3. The coordinator's side leaves its inventory and the trade is decided, in one step.
		const mine = takeForTransfer(
			this.trades.inventory,
			coordinator.userId,
			coordSpec.items,
			coordSpec.currency ?? {},
		);
		let verdict: "committed" | "aborted";
		let reason: TradeRejectReason | undefined;
		if (!mine.ok) {
			coordinator.mark(abortTrade(coordinator.ledger, coordinator.userId, id, now).keys);
			verdict = "aborted";
			reason = mine.error;
		} else {
			const own: Leg = {
				trade: id,
				coordinator: coordinator.userId,
				partner: partner.userId,
				from: coordinator.userId,
				give: mine.value,
				expect: summarizeBundle(leg.give),
				deadline,
				at: now,
			};
			coordinator.mark(openLeg(coordinator.ledger, own, now));
			const decided = decideIfReady(coordinator.ledger, coordinator.userId, id, now)!;
			coordinator.mark(decided.keys);
			verdict = decided.verdict;
			if (verdict === "aborted") reason = "terms_mismatch";
		}
		coordinator.announce.set(id, verdict === "committed" ? "completed" : "failed");
		this.trades.step("decided", id);

		// 4. The coordinator's save is the commit point.
		const saved = this.saveOrConfirm(coordinator, (stored) => stored.decisions[id]?.outcome === verdict);
		if (saved || coordinator.isSaved(decisionKey(id))) {
			this.trades.step("decisionSaved", id);
			return verdict === "committed" ? outcome(id, "completed") : outcome(id, "failed", reason);
		}
		if (!coordinator.active || !coordinator.session.isActive()) {
			// Whatever the coordinator's last write holds decides; the partner's leg goes to its
			// next session by message, which settles it either way.
			partner.handed.delete(id);
			return outcome(id, "pending");
		}
		if (
			verdict === "committed" &&
			revertCommit(coordinator.ledger, coordinator.userId, id, partner.userId, this.trades.now())
		) {
			coordinator.mark(revertKeys(coordinator.userId, id, partner.userId));
			coordinator.announce.set(id, "failed");
		}
		return outcome(id, "failed", reason ?? "save_failed");
	}

	public runGift(id: string, request: GiftRequest): TransferOutcome {
		const from = userIdOf(request.from);
		if (!typeIs(request.to, "number") || request.to === from) return outcome(id, "failed", "self_trade");
		const book = this.trades.bookOf(from);
		if (book === undefined || !this.trades.inventory.isReady(from)) return outcome(id, "failed", "no_session");
		if (this.seen(book, id)) return outcome(id, "duplicate", "duplicate");
		const spec: GiveSpec = { items: request.items, currency: request.currency };
		const refused = this.checkGive(book, spec, 0);
		if (refused !== undefined) return outcome(id, "failed", refused);
		if (request.items.size() === 0 && next(request.currency ?? {})[0] === undefined) {
			return outcome(id, "failed", "empty_offer");
		}
		book.owned.add(id);
		const [ran, result] = pcall(() => {
			const taken = takeForTransfer(this.trades.inventory, from, request.items, request.currency ?? {});
			if (!taken.ok) return outcome(id, "failed", taken.error);
			const now = this.trades.now();
			const parcel: Parcel = { ...taken.value, from, to: request.to, at: now };
			book.mark(sendParcel(book.ledger, id, parcel, now));
			this.trades.step("giftEscrowed", id);
			// Listed before the save: if this server dies once it landed, another one sends it.
			this.trades.orphans?.list(book);
			if (this.saveOrConfirm(book, (stored) => stored.stamps[id] !== undefined)) {
				this.trades.step("giftSaved", id);
				return outcome(id, "completed");
			}
			if (!book.active || !book.session.isActive()) return outcome(id, "pending");
			const keys = cancelParcel(book.ledger, from, id, this.trades.now());
			if (keys !== undefined) book.mark(keys);
			return outcome(id, "failed", "save_failed");
		});
		book.owned.delete(id);
		this.courier.kick(book);
		if (!ran) throw result;
		return result;
	}

	public runEscrowSide(id: string, side: CrossServerSide): TransferOutcome {
		const uid = userIdOf(side.player);
		if (!typeIs(side.partner, "number") || side.partner === uid) return outcome(id, "failed", "self_trade");
		const book = this.trades.bookOf(uid);
		if (book === undefined || !this.trades.inventory.isReady(uid)) return outcome(id, "failed", "no_session");
		if (
			book.ledger.stamps[id] !== undefined ||
			book.ledger.legs[id] !== undefined ||
			book.ledger.decisions[id] !== undefined
		) {
			return outcome(id, "duplicate", "duplicate");
		}
		const coordinator = math.min(uid, side.partner);
		const partner = math.max(uid, side.partner);
		// A side refused here ends the trade at once instead of at the deadline: a partner tells
		// its coordinator; a coordinator records the abort, which sends back the partner's leg
		// waiting here, or the one arriving later as it arrives.
		const refuse = (reason: TradeRejectReason) => {
			const ledger = book.ledger;
			if (uid === partner) {
				this.courier.sendRefusal({ trade: id, from: uid, to: coordinator, refused: reason });
			} else if (ledger.decisions[id] === undefined) {
				book.mark(abortTrade(ledger, uid, id, this.trades.now()).keys);
				this.courier.kick(book);
			}
			return outcome(id, "failed", reason);
		};
		const refused = this.checkGive(book, side, side.receive.items.size());
		if (refused !== undefined) return refuse(refused);
		book.owned.add(id);
		const [ran, result] = pcall(() => {
			const taken = takeForTransfer(this.trades.inventory, uid, side.items, side.currency ?? {});
			if (!taken.ok) return refuse(taken.error);
			const now = this.trades.now();
			const leg: Leg = {
				trade: id,
				coordinator,
				partner,
				from: uid,
				give: taken.value,
				expect: summarizeTerms(side.receive),
				deadline: now + this.trades.limits.decisionTimeout,
				at: now,
			};
			book.mark(openLeg(book.ledger, leg, now));
			const decided = uid === coordinator ? decideIfReady(book.ledger, uid, id, now) : undefined;
			if (decided !== undefined) {
				book.mark(decided.keys);
				book.announce.set(id, decided.verdict === "committed" ? "completed" : "failed");
			}
			this.trades.step("sideEscrowed", id);
			const saved = this.saveOrConfirm(
				book,
				(stored) =>
					stored.stamps[id] !== undefined &&
					(decided === undefined || stored.decisions[id]?.outcome === decided.verdict),
			);
			if (saved) {
				this.trades.step("sideSaved", id);
				if (decided === undefined) return outcome(id, "escrowed");
				return decided.verdict === "committed"
					? outcome(id, "completed")
					: outcome(id, "failed", "terms_mismatch");
			}
			if (!book.active || !book.session.isActive()) return outcome(id, "pending");
			if (decided === undefined) {
				book.mark(cancelLeg(book.ledger, uid, id, this.trades.now()));
			} else if (decided.verdict === "committed") {
				if (revertCommit(book.ledger, uid, id, partner, this.trades.now()))
					book.mark(revertKeys(uid, id, partner));
				book.announce.set(id, "failed");
			}
			return outcome(id, "failed", "save_failed");
		});
		book.owned.delete(id);
		this.courier.kick(book);
		if (!ran) throw result;
		return result;
	}
}
