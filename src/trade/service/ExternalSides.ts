// Cross-server trades when the inventories are in external authority. Each server calls
// `escrowSide` for its own player; nothing is escrowed, because the save API moves both sides
// in one transfer or neither. The partner (the higher user id) checks its side and sends it, as
// the API leg it gives, to the coordinator through the vault; the coordinator compares the
// terms both sides agreed to, sends the one transfer keyed by the trade id, and sends back its
// verdict. Only the coordinator decides, so the two servers can never disagree on what happened;
// the API refuses a side whose items moved meanwhile. Internal to the trade service.
import type { StackBundle } from "../../inventory/service/transferStacks";
import { holdForTrade, liveInventory, releaseHold } from "../../inventory/service/transfers";
import type { PlayerRef } from "../../inventory/service/types";
import { plainAttrs } from "../../inventory/service/authorityDiff";
import type { ItemAttrs, ItemStack } from "../../inventory/state/types";
import type { TransferReceipt, TransferSettlement } from "../../sync/types";
import type { VaultMessage } from "../../vault/messages";
import { legId, refusalId, verdictId } from "../ledger/ids";
import { summarizeBundle, summarizeTerms } from "../ledger/summary";
import { SIDE_KIND, VERDICT_KIND } from "../protocol/keys";
import {
	isSideOffer,
	isSideRefusal,
	isSideVerdict,
	type SideOffer,
	type SideRefusal,
	type SideVerdict,
} from "../protocol/sideMessages";
import type { TradeRejectReason } from "../reasons";
import type { Book } from "./Book";
import type { ExternalFlows, Sent, Side } from "./ExternalFlows";
import type { TradeServiceImpl } from "./TradeServiceImpl";
import type { TransferFlows } from "./TransferFlows";
import type { CrossServerSide, TransferOutcome } from "./types";

const userIdOf = (player: PlayerRef) => (typeIs(player, "number") ? player : player.UserId);

const outcome = (id: string, status: TransferOutcome["status"], reason?: TradeRejectReason): TransferOutcome =>
	reason === undefined ? { id, status } : { id, status, reason };

/** Tries at sending a transfer whose answer was lost, before the trade is left pending. */
const RETRIES = 5;

/** Seconds a decision is remembered, to answer a partner whose side arrives again. */
const REMEMBER = 86400;

/** Partners' refusals kept in one coordinator's ledger at most (the oldest go first). */
const MAX_REFUSED = 32;

/** The coordinator's own side, waiting for the partner's. */
interface Held {
	readonly userId: number;
	readonly partner: number;
	readonly side: Side;
	readonly expect: string;
	readonly deadline: number;
}

/** Partner: a side sent to the coordinator, waiting for its verdict. */
interface Awaiting {
	readonly userId: number;
	readonly partner: number;
	/** The trade's deadline as this side set it: the coordinator starts no transfer after it. */
	readonly deadline: number;
}

/**
 * A trade the coordinator's server decided against before sending its transfer, being made final
 * with the authority (see `ExternalSides.refuse`).
 */
interface Refusal {
	readonly coordinator: number;
	readonly partner: number;
	readonly reason: TradeRejectReason;
	/** Whether the coordinator's own side was held here: its player is told how it ended. */
	readonly held: boolean;
	/** Whether the partner's side arrived: the partner is sent the verdict. */
	readonly offered: boolean;
	/** What the partner would receive, when the coordinator's side was held here. */
	readonly gives?: StackBundle;
}

type Applied = Extract<TransferSettlement, { status: "applied" }>;

/** The refusal of a trade whose coordinator's side is held here. */
const refusalOf = (held: Held, offer: SideOffer | undefined, reason: TradeRejectReason): Refusal => ({
	coordinator: held.userId,
	partner: held.partner,
	reason,
	held: true,
	offered: offer !== undefined,
	gives: held.side.bundle,
});

/** A decision, kept to answer a repeated side. */
interface Decision {
	readonly verdict: SideVerdict;
	readonly at: number;
}

export class ExternalSides {
	/** Coordinator: its own sides waiting for the partner's. */
	private readonly held = new Map<string, Held>();
	/** Coordinator: partners' sides that arrived. */
	private readonly offers = new Map<string, SideOffer>();
	private readonly deciding = new Set<string>();
	private readonly decided = new Map<string, Decision>();
	/** Coordinator: failures being made final with the authority, or waiting to ask it again. */
	private readonly refusals = new Map<string, Refusal>();
	/** Coordinator: the refusals whose request is on its way right now. */
	private readonly asking = new Set<string>();
	/** Coordinator: trades whose transfer's answer never came, with what the partner gets. */
	private readonly unanswered = new Map<string, { readonly offer: SideOffer; readonly gives: StackBundle }>();
	/** Partner: trades whose side was sent, waiting for the verdict. */
	private readonly awaiting = new Map<string, Awaiting>();
	/** Partner: trades being settled with the authority right now. */
	private readonly settling = new Set<string>();
	/** Partner: verdicts acted upon here, with when (a repeat changes nothing). */
	private readonly heard = new Map<string, number>();

	public constructor(
		private readonly trades: TradeServiceImpl,
		private readonly flows: TransferFlows,
		private readonly external: ExternalFlows,
	) {
		external.onResentAnswer = (id, sides, users, sent, adopted) =>
			adopted ? this.adoptedAnswered(id, sides, users, sent) : this.answered(id, sent);
	}

	/** `escrowSide` in external authority. */
	public run(id: string, request: CrossServerSide): TransferOutcome {
		const again = this.external.resend(id);
		if (again !== undefined) return this.answered(id, again);
		const uid = userIdOf(request.player);
		const partner = request.partner;
		if (!typeIs(partner, "number") || partner === uid) return outcome(id, "failed", "self_trade");
		const book = this.trades.bookOf(uid);
		if (book === undefined || !this.trades.inventory.isReady(uid)) return outcome(id, "failed", "no_session");
		if (
			book.ledger.stamps[id] !== undefined ||
			this.held.has(id) ||
			this.awaiting.has(id) ||
			this.decided.has(id) ||
			this.unanswered.has(id) ||
			this.refusals.has(id)
		) {
			return outcome(id, "duplicate", "duplicate");
		}
		const refused = this.flows.checkGive(book, request, request.receive.items.size());
		if (refused !== undefined) return this.refuseOwn(id, uid, partner, refused);
		this.trades.step("validated", id);
		const side = this.external.side(id, uid, partner, request);
		if (typeIs(side, "string")) return this.refuseOwn(id, uid, partner, side);
		// Until the trade ends, this player cannot use up what the side gives.
		this.external.hold(id, side.leg);
		const expect = summarizeTerms(request.receive);
		const deadline = this.trades.now() + this.trades.limits.decisionTimeout;
		if (uid > partner) {
			return this.sendSide(book, {
				trade: id,
				from: uid,
				to: partner,
				leg: side.leg,
				bundle: side.bundle,
				expect,
				deadline,
			});
		}
		const held: Held = { userId: uid, partner, side, expect, deadline };
		const first = book.ledger.refused?.[id];
		if (first !== undefined && first.from === partner && !this.offers.has(id)) {
			this.forgetRefusal(uid, id);
			return this.refuse(id, refusalOf(held, undefined, first.refused));
		}
		this.held.set(id, held);
		this.trades.step("sideEscrowed", id);
		return this.offers.has(id) ? this.decide(id) : outcome(id, "escrowed");
	}

	/**
	 * A side refused here. A partner's refusal is sent on to the coordinator (in the background),
	 * which ends the trade at once instead of holding its own side until the deadline.
	 */
	private refuseOwn(id: string, uid: number, partner: number, reason: TradeRejectReason): TransferOutcome {
		if (uid > partner) {
			const body: SideRefusal = { trade: id, from: uid, to: partner, refused: reason };
			const message: VaultMessage = { id: refusalId(id, uid), kind: SIDE_KIND, body };
			task.spawn(() => this.deliver(partner, message, () => this.receiveRefusal(body)));
		}
		return outcome(id, "failed", reason);
	}

	/** Whether the player has a side here waiting for the other side or for the verdict. */
	public isWaiting(userId: number): boolean {
		for (const [, held] of this.held) if (held.userId === userId) return true;
		for (const [, waiting] of this.awaiting) if (waiting.userId === userId) return true;
		for (const [, refusal] of this.refusals) if (refusal.coordinator === userId && refusal.held) return true;
		return false;
	}

	// Partner --------------------------------------------------------------------------------

	private sendSide(book: Book, offer: SideOffer): TransferOutcome {
		const id = offer.trade;
		// The coordinator's transfer names this player's items: what was queued here (a part
		// just minted, coins just earned) must be at the API before it is sent.
		if (!this.external.flushed([offer.from])) {
			releaseHold(this.trades.inventory, offer.from, id);
			// Never sent: refused like any side refused here, so the coordinator ends the trade now.
			return this.refuseOwn(id, offer.from, offer.to, "save_failed");
		}
		// Listed with the profile (saved soon) before the side leaves: if this server stops first,
		// the player's next one still hears the verdict, or settles the trade itself when none
		// comes. With `writeAheadTimeout` the listing is confirmed saved first, so no crash loses it.
		const wait = this.trades.limits.writeAheadTimeout;
		this.listSent(book, offer);
		if (wait > 0) this.external.confirmAll([book], wait);
		const message: VaultMessage = { id: legId(id, offer.from), kind: SIDE_KIND, body: offer };
		// A post that is not confirmed may still have landed (the write committed, its call
		// errored) and the coordinator may send the transfer: the side is not answered failed. It
		// waits for the verdict like any sent side, and once that is overdue it is settled with
		// the authority (found applied, or voided so it never applies).
		this.deliver(offer.to, message, () => this.receiveOffer(offer));
		book.ledger.stamps[id] = this.trades.now();
		// A coordinator loaded here may have answered already: a side listed first hears it at once.
		if (!this.heard.has(id))
			this.awaiting.set(id, { userId: offer.from, partner: offer.to, deadline: offer.deadline });
		this.trades.step("sideEscrowed", id);
		return outcome(id, "escrowed");
	}

	private listSent(book: Book, offer: SideOffer): void {
		const ledger = book.ledger;
		if (ledger.sent === undefined) ledger.sent = {};
		const ids = (offer.leg.items ?? []).map((item) => item.id);
		const gives = { ids, currency: table.clone(offer.leg.currencies ?? {}) };
		ledger.sent[offer.trade] = { partner: offer.to, deadline: offer.deadline, gives };
		this.trades.inventory.saveSoon(book.userId);
	}

	/**
	 * A verdict for a player loaded here, or (`receipt`) the settlement that stands for it. Never
	 * yields (a vault message handler).
	 */
	public receiveVerdict(book: Book, verdict: SideVerdict, receipt?: TransferReceipt): void {
		const trade = verdict.trade;
		// A side sent before this server loaded the player is still listed in the ledger; one
		// settled already (here or on an earlier server) no longer is, and is not told twice.
		if (verdict.to !== book.userId || this.heard.has(trade)) return;
		if (this.awaiting.get(trade)?.userId !== book.userId && book.ledger.sent?.[trade] === undefined) return;
		this.awaiting.delete(trade);
		releaseHold(this.trades.inventory, book.userId, trade);
		this.heard.set(trade, this.trades.now());
		task.spawn(() => {
			// The verdict is marked heard already: a throw before the telling (the game's
			// authority or hook, say) is reported, and the player is told all the same.
			const [ran, bundle] = pcall(() => {
				const version = verdict.version;
				if (verdict.outcome === "completed" && version !== undefined) {
					this.external.waitFor(this.trades.limits.saveTimeout, () =>
						this.external.shows(book.userId, version),
					);
				}
				if (verdict.outcome === "completed") this.trades.step("transferred", trade);
				const told = receipt ?? verdict.receipt;
				return verdict.bundle ?? (told !== undefined ? this.bundleOf(book.userId, told) : undefined);
			});
			if (!ran) this.trades.reportFailure("trade", bundle);
			// The side leaves the ledger, and the player is told once that is saved: a side still
			// listed in the saved ledger (or a verdict message not yet cleared from it) is settled
			// and told again by the player's next server after a crash.
			if (book.ledger.sent?.[trade] !== undefined) delete book.ledger.sent[trade];
			const gave = ran && verdict.outcome === "completed" ? bundle : undefined;
			this.trades.announceSaved(book, trade, verdict.outcome, gave);
		});
	}

	/**
	 * What the authority says a player received, as stacks: as their slots show them, or as the
	 * authority's state does for an item no slot can show (reported by `unplaced`).
	 */
	private bundleOf(userId: number, receipt: TransferReceipt): StackBundle {
		const state = liveInventory(this.trades.inventory, userId);
		const stacks = new Array<ItemStack>();
		for (const item of receipt.items) {
			let shown: { readonly def: string; readonly attrs?: ItemAttrs } | undefined;
			for (const stack of state?.slots ?? []) if (stack !== false && stack.id === item.id) shown = stack;
			if (shown === undefined) {
				const held = this.external.heldItem(userId, item.id);
				if (held !== undefined) shown = { def: held.def, attrs: plainAttrs(held.attrs) };
			}
			if (shown === undefined) continue;
			const moved: ItemStack = { id: item.id, def: shown.def, count: item.count };
			stacks.push(shown.attrs === undefined ? moved : { ...moved, attrs: shown.attrs });
		}
		return { stacks, currency: receipt.currencies };
	}

	/**
	 * Settles a trade whose verdict did not come in time (the coordinator's server stopped, or
	 * could not post it) with the authority: the transfer keyed by the trade id applied, or it
	 * never will. Either way this side now knows what the coordinator would have said, so the
	 * two cannot disagree; `settled` and `received` fire as for a verdict. Yields; runs on its
	 * own thread.
	 */
	private settle(id: string, waiting: Awaiting): void {
		this.settling.add(id);
		const settlement = this.external.settleKey(id, [waiting.partner, waiting.userId]);
		this.settling.delete(id);
		if (settlement === "later") return;
		// Heard meanwhile, or the player left (their next server settles it again: same answer).
		if (this.awaiting.get(id) !== waiting) return;
		this.awaiting.delete(id);
		releaseHold(this.trades.inventory, waiting.userId, id);
		const book = this.trades.bookOf(waiting.userId);
		// The authority cannot settle it: the side stays listed, so a late verdict is still heard
		// (and the player's next server asks once more).
		if (book === undefined || settlement === "never") return;
		if (settlement.status !== "applied") {
			this.receiveVerdict(book, { trade: id, to: waiting.userId, outcome: "failed" });
			return;
		}
		const version = settlement.versions.get(waiting.userId);
		const verdict: SideVerdict = { trade: id, to: waiting.userId, outcome: "completed", version };
		this.receiveVerdict(book, verdict, settlement.received.get(waiting.userId));
	}

	/** A player loaded here: their sides still waiting for a verdict are waited on here. */
	public adopt(book: Book): void {
		this.pruneRefused(book, this.trades.now());
		const sent = book.ledger.sent;
		if (sent === undefined) return;
		for (const [id, side] of pairs(sent)) {
			if (!this.awaiting.has(id) && !this.heard.has(id))
				this.awaiting.set(id, { userId: book.userId, partner: side.partner, deadline: side.deadline });
		}
		this.holdSent(book);
	}

	/**
	 * Holds what the player's sides still waiting give (sent by an earlier server) once their
	 * inventory is served here; called at the load and when the inventory is ready, whichever
	 * comes last.
	 */
	public holdSent(book: Book): void {
		for (const [id, side] of pairs(book.ledger.sent ?? {})) {
			if (side.gives !== undefined && this.awaiting.get(id)?.userId === book.userId)
				holdForTrade(this.trades.inventory, book.userId, id, side.gives.ids, side.gives.currency);
		}
	}

	// Coordinator ----------------------------------------------------------------------------

	/** A partner's refusal of its side, for a player loaded here. Never yields (a vault message handler). */
	public receiveRefusal(refusal: SideRefusal): void {
		const trade = refusal.trade;
		// A side that arrived, or a decision, governs the trade.
		if (this.decided.has(trade) || this.offers.has(trade) || this.deciding.has(trade)) return;
		if (this.unanswered.has(trade) || this.refusals.has(trade)) return;
		const held = this.held.get(trade);
		if (held === undefined) {
			this.keepRefusal(refusal);
			return;
		}
		if (held.partner !== refusal.from) return;
		this.held.delete(trade);
		task.spawn(() => this.refuse(trade, refusalOf(held, undefined, refusal.refused)));
	}

	/**
	 * Keeps a partner's refusal that came before the coordinator's own side in the coordinator's
	 * ledger, saved with the profile (with the message's removal, when it came as one): the
	 * server that serves the coordinator when their side comes, this one or the next, refuses it
	 * at once. Old ones are forgotten, and a ledger keeps a bounded number.
	 */
	private keepRefusal(refusal: SideRefusal): void {
		const book = this.trades.bookOf(refusal.to);
		if (book === undefined) return;
		const now = this.trades.now();
		const kept = (book.ledger.refused ??= {});
		kept[refusal.trade] = { from: refusal.from, refused: refusal.refused, at: now };
		this.pruneRefused(book, now);
		this.trades.inventory.saveSoon(book.userId);
	}

	/** Forgets the coordinator's kept refusal of `trade` (used, or superseded by a side). */
	private forgetRefusal(coordinator: number, trade: string): void {
		const kept = this.trades.bookOf(coordinator)?.ledger.refused;
		if (kept?.[trade] === undefined) return;
		delete kept[trade];
		this.trades.inventory.saveSoon(coordinator);
	}

	/** Drops the book's kept refusals older than a day, then the oldest beyond the bound. */
	private pruneRefused(book: Book, now: number): void {
		const kept = book.ledger.refused;
		if (kept === undefined) return;
		const ids = new Array<string>();
		for (const [id, first] of pairs(kept)) {
			if (now - first.at > REMEMBER) delete kept[id];
			else ids.push(id);
		}
		if (ids.size() > MAX_REFUSED) {
			ids.sort((x, y) => kept[x].at < kept[y].at || (kept[x].at === kept[y].at && x < y));
			for (let index = 0; index < ids.size() - MAX_REFUSED; index++) delete kept[ids[index]];
		}
		if (next(kept)[0] === undefined) book.ledger.refused = undefined;
	}

	/** A partner's side for a player loaded here. Never yields (a vault message handler). */
	public receiveOffer(offer: SideOffer): void {
		const trade = offer.trade;
		const decision = this.decided.get(trade);
		if (decision !== undefined) {
			if (decision.verdict.to === offer.from) this.sendVerdict(decision.verdict);
			return;
		}
		if (this.offers.has(trade) || this.unanswered.has(trade) || this.refusals.has(trade)) return;
		// A side sent by a later call of the partner supersedes its earlier refusal.
		this.forgetRefusal(offer.to, trade);
		this.offers.set(trade, offer);
		if (this.held.has(trade)) task.spawn(() => this.decide(trade));
	}

	/** Decides a trade once both sides are here; the coordinator's outcome. */
	private decide(id: string): TransferOutcome {
		const held = this.held.get(id);
		const offer = this.offers.get(id);
		if (held === undefined || offer === undefined || this.deciding.has(id)) return outcome(id, "escrowed");
		this.deciding.add(id);
		const [ran, result] = pcall(() => this.conclude(id, held, offer));
		this.deciding.delete(id);
		this.held.delete(id);
		this.offers.delete(id);
		if (!ran) {
			// A throw (the game's authority, say) must not escape: `decide` runs on its own thread
			// when the partner's side comes last. Reported, and refused as any failure decided here.
			this.trades.reportFailure("trade", result);
			return this.refuse(id, refusalOf(held, offer, "internal_error"));
		}
		return result;
	}

	private conclude(id: string, held: Held, offer: SideOffer): TransferOutcome {
		const agree =
			offer.from === held.partner &&
			offer.to === held.userId &&
			offer.expect === summarizeBundle(held.side.bundle) &&
			held.expect === summarizeBundle(offer.bundle);
		if (!agree) return this.refuse(id, refusalOf(held, offer, "terms_mismatch"));
		if (this.trades.now() > math.min(held.deadline, offer.deadline))
			return this.refuse(id, refusalOf(held, offer, "expired"));
		const book = this.trades.bookOf(held.userId);
		if (book === undefined) return this.refuse(id, refusalOf(held, offer, "no_session"));
		const theirs: Side = {
			leg: offer.leg,
			bundle: offer.bundle,
			empty: (offer.leg.items ?? []).size() === 0 && next(offer.leg.currencies ?? {})[0] === undefined,
		};
		// Nothing to send: a failure decided here like any other, so the coordinator is told too.
		if (held.side.empty && theirs.empty) return this.refuse(id, refusalOf(held, offer, "empty_offer"));
		// A send that threw once its request may have gone out is settled with the authority, or
		// left pending: failing it would tell both players a trade ended that may have applied.
		let sent = this.external.commit(id, [held.side, theirs], [book], "trade", true);
		for (let attempt = 1; attempt < RETRIES && sent.outcome.status === "pending"; attempt++) {
			task.wait(this.trades.limits.sweepInterval);
			const [ran, again] = pcall(() => this.external.resend(id));
			if (ran) sent = again ?? sent;
			else this.trades.reportFailure("trade", again);
		}
		if (sent.outcome.status === "pending") {
			// The API applied the transfer or nothing: the sweep (or `escrowSide` with the same id)
			// asks again, and the partner is told then.
			this.unanswered.set(id, { offer, gives: held.side.bundle });
			return sent.outcome;
		}
		// The key holds another body (an earlier server of the coordinator sent the trade with
		// other part ids): what became of it is the outcome, not a failure of this one.
		if (sent.outcome.status === "duplicate") return this.refuse(id, refusalOf(held, offer, "duplicate"));
		// Refused before it was sent (legs the authority does not take), or a send that threw
		// and was voided: nobody was told yet.
		if (sent.outcome.reason === "bad_request" || sent.outcome.reason === "internal_error")
			return this.refuse(id, refusalOf(held, offer, sent.outcome.reason));
		return this.tell(id, offer.from, sent, held.side.bundle);
	}

	/** A transfer the coordinator sent again answered at last (by the sweep or a repeated call). */
	private answered(id: string, sent: Sent): TransferOutcome {
		const waiting = this.unanswered.get(id);
		if (waiting === undefined || sent.outcome.status === "pending") return sent.outcome;
		this.unanswered.delete(id);
		if (sent.outcome.status === "duplicate") {
			const { offer, gives } = waiting;
			const refusal: Refusal = {
				coordinator: offer.to,
				partner: offer.from,
				reason: "duplicate",
				held: true,
				offered: true,
				gives,
			};
			return this.refuse(id, refusal);
		}
		return this.tell(id, waiting.offer.from, sent, waiting.gives);
	}

	/**
	 * A coordinator's transfer that an earlier server sent without an answer, answered on this
	 * server: its partner, waiting on another server, is told now instead of settling it with
	 * the authority after `verdictTimeout`. A trade whose players were both on that server has
	 * no partner to tell.
	 */
	private adoptedAnswered(id: string, sides: ReadonlyArray<Side>, users: ReadonlyArray<number>, sent: Sent): void {
		const status = sent.outcome.status;
		if (status !== "completed" && status !== "failed") return;
		let partner: number | undefined;
		for (const { leg } of sides) {
			for (const userId of [leg.from, leg.to]) if (!users.includes(userId)) partner = userId;
		}
		if (partner === undefined) return;
		const gives = sides.find((candidate) => candidate.leg.to === partner);
		this.tell(id, partner, sent, gives?.bundle ?? { stacks: [], currency: {} });
	}

	/** Tells the partner how the transfer ended. */
	private tell(id: string, partner: number, sent: Sent, received: StackBundle): TransferOutcome {
		const completed = sent.outcome.status === "completed";
		const verdict: SideVerdict = completed
			? {
					trade: id,
					to: partner,
					outcome: "completed",
					version: sent.versions?.get(partner),
					bundle: received,
				}
			: { trade: id, to: partner, outcome: "failed" };
		this.record(verdict);
		return sent.outcome;
	}

	/**
	 * Ends a trade this server decided against before sending its transfer. An earlier server of
	 * the coordinator may have sent it and stopped before its ledger said so (the partner's side
	 * then arrives again here), so the failure is made final with the authority first: the key is
	 * voided, or found applied, and both players are told what the authority says. Yields; ends
	 * `pending` when the authority did not answer (asked again on the sweep).
	 */
	private refuse(id: string, refusal: Refusal): TransferOutcome {
		this.refusals.set(id, refusal);
		this.asking.add(id);
		const settlement = this.external.settleKey(id, [refusal.coordinator, refusal.partner]);
		this.asking.delete(id);
		if (settlement === "later") return outcome(id, "pending", "save_failed");
		this.refusals.delete(id);
		releaseHold(this.trades.inventory, refusal.coordinator, id);
		if (settlement !== "never" && settlement.status === "applied")
			return this.foundApplied(id, refusal, settlement);
		if (refusal.held && this.trades.settled.listening) this.trades.settled.Fire(refusal.coordinator, id, "failed");
		const verdict: SideVerdict = { trade: id, to: refusal.partner, outcome: "failed" };
		if (refusal.offered) this.record(verdict);
		else this.decided.set(id, { verdict, at: this.trades.now() });
		return outcome(id, "failed", refusal.reason);
	}

	/** A refused trade the authority found applied: both players are told it completed. */
	private foundApplied(id: string, refusal: Refusal, settlement: Applied): TransferOutcome {
		const { versions, received } = settlement;
		const partner = refusal.partner;
		// What the applied transfer gave, from the API: an earlier server's transfer may have
		// moved other part ids than this server's side names.
		const partnerReceipt = received.get(partner);
		this.record({
			trade: id,
			to: partner,
			outcome: "completed",
			version: versions.get(partner),
			bundle: partnerReceipt === undefined ? refusal.gives : undefined,
			receipt: partnerReceipt,
		});
		const book = this.trades.bookOf(refusal.coordinator);
		if (book === undefined) return outcome(id, "completed");
		book.ledger.stamps[id] = this.trades.now();
		// With a wait, the stamp is saved before the player is told: a crash after the telling
		// would otherwise let the coordinator's next server take the same side again (the stamp
		// is what refuses it) and find the transfer applied a second time.
		const wait = this.trades.limits.writeAheadTimeout;
		if (wait > 0 && book.active && book.session.isActive()) this.external.confirmAll([book], wait);
		const version = versions.get(book.userId) ?? 0;
		this.external.waitFor(this.trades.limits.saveTimeout, () => this.external.shows(book.userId, version));
		this.trades.step("transferred", id);
		if (this.trades.settled.listening) this.trades.settled.Fire(book.userId, id, "completed");
		const receipt = received.get(book.userId);
		if (receipt !== undefined && book.active && this.trades.received.listening)
			this.trades.received.Fire(book.session.player, id, this.bundleOf(book.userId, receipt));
		return outcome(id, "completed");
	}

	private record(verdict: SideVerdict): void {
		this.decided.set(verdict.trade, { verdict, at: this.trades.now() });
		this.sendVerdict(verdict);
	}

	private sendVerdict(verdict: SideVerdict): void {
		const message: VaultMessage = { id: verdictId(verdict.trade, verdict.to), kind: VERDICT_KIND, body: verdict };
		task.spawn(() =>
			this.deliver(verdict.to, message, () => {
				const book = this.trades.bookOf(verdict.to);
				if (book !== undefined) this.receiveVerdict(book, verdict);
			}),
		);
	}

	/**
	 * Hands a message to a player: in memory when they are loaded here, otherwise posted to their
	 * profile (applied once, wherever they are or next load). Whether it was handed or posted.
	 */
	private deliver(to: number, message: VaultMessage, here: () => void): boolean {
		if (this.trades.bookOf(to) !== undefined) {
			here();
			return true;
		}
		// Resolved is enough: `false` means a message with this id is already waiting (an earlier
		// try of this side), which is applied just the same.
		const [resolved] = this.trades.vault.postMessage(to, message).await();
		return resolved;
	}

	/** A vault message of this flow for a player loaded here; whether it was used. */
	public onMessage(book: Book, message: VaultMessage): boolean {
		const body = message.body;
		if (message.kind === SIDE_KIND && isSideRefusal(body)) {
			if (body.to !== book.userId || body.to > body.from || refusalId(body.trade, body.from) !== message.id)
				return true;
			this.receiveRefusal(body);
		} else if (message.kind === SIDE_KIND) {
			if (!isSideOffer(body) || body.to !== book.userId || body.to > body.from) return true;
			if (legId(body.trade, body.from) !== message.id) return true;
			this.receiveOffer(body);
		} else if (message.kind === VERDICT_KIND) {
			if (!isSideVerdict(body) || verdictId(body.trade, body.to) !== message.id) return true;
			this.receiveVerdict(book, body);
		}
		return true;
	}

	/**
	 * Ends the trades past their deadline (on the sweep), settles the partner's trades whose
	 * verdict is overdue, and forgets old decisions.
	 */
	public expire(now: number): void {
		const overdue = now - this.trades.limits.verdictTimeout;
		for (const [id, waiting] of this.awaiting) {
			if (overdue > waiting.deadline && !this.settling.has(id)) task.spawn(() => this.settle(id, waiting));
		}
		for (const [id, held] of this.held) {
			if (now > held.deadline && !this.offers.has(id) && !this.deciding.has(id)) {
				this.held.delete(id);
				task.spawn(() => this.refuse(id, refusalOf(held, undefined, "expired")));
			}
		}
		for (const [id, offer] of this.offers) {
			if (now > offer.deadline && !this.held.has(id)) {
				this.offers.delete(id);
				const refusal: Refusal = {
					coordinator: offer.to,
					partner: offer.from,
					reason: "expired",
					held: false,
					offered: true,
				};
				task.spawn(() => this.refuse(id, refusal));
			}
		}
		for (const [id, refusal] of this.refusals) {
			if (!this.asking.has(id)) task.spawn(() => this.refuse(id, refusal));
		}
		for (const [id, decision] of this.decided) {
			if (now - decision.at > REMEMBER) this.decided.delete(id);
		}
		for (const [id, at] of this.heard) {
			if (now - at > REMEMBER) this.heard.delete(id);
		}
	}
}
