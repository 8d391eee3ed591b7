// Trades and gifts when the inventories are in external authority: the save API is the truth
// for items and balances, so a trade is one API transfer (every leg or none, at most once per
// trade id) instead of the ledger's escrow protocol, and the inventories show the move at the
// pull that follows it. Internal to the trade service.
import { isHopsafeError } from "../../core/errors";
import type { StackBundle } from "../../inventory/service/transferStacks";
import {
	holdForTrade,
	isHeldElsewhere,
	liveInventory,
	mintForTransfer,
	releaseHold,
	unheldCurrency,
} from "../../inventory/service/transfers";
import type { ItemAuthority, PlayerRef } from "../../inventory/service/types";
import type { ItemStack } from "../../inventory/state/types";
import type { SyncItem, SyncTransferLeg, TransferSettlement } from "../../sync/types";
import type { UnansweredTransfer } from "../ledger/types";
import { transferKey } from "../protocol/transferKey";
import type { TradeRejectReason } from "../reasons";
import type { Book } from "./Book";
import type { TradeServiceImpl } from "./TradeServiceImpl";
import type { TransferFlows } from "./TransferFlows";
import type { GiftRequest, GiveSpec, TradeProposal, TransferOutcome } from "./types";

const userIdOf = (player: PlayerRef) => (typeIs(player, "number") ? player : player.UserId);

const outcome = (id: string, status: TransferOutcome["status"], reason?: TradeRejectReason): TransferOutcome =>
	reason === undefined ? { id, status } : { id, status, reason };

/** Seconds between looks at whether queued changes reached the API, or a pull landed. */
const POLL = 0.1;

/** The trade reason for a save API error code of a refused transfer. */
function reasonOfCode(code: string): TradeRejectReason {
	if (code === "item_not_owned") return "not_owned";
	if (code === "insufficient_funds") return "insufficient_funds";
	if (code === "item_exists") return "duplicate_item";
	if (code === "idempotency_key_reused") return "duplicate";
	// The partner settled the trade without this server: it went on past its deadline.
	if (code === "transfer_voided") return "expired";
	return "authority_refused";
}

const isServed = (book: Book) => book.active && book.session.isActive();

/**
 * The books of `users` to tell how a transfer ended: those still served here, and those whose
 * ledger never kept it (their session ended before it was written). A player whose session
 * ended after their ledger kept the transfer is told by their next server, where that saved copy
 * is sent again.
 */
function toTell(books: ReadonlyArray<Book>, users: ReadonlyArray<number>, kept: ReadonlyArray<number>): Array<Book> {
	return books.filter((book) => users.includes(book.userId) && (isServed(book) || !kept.includes(book.userId)));
}

/** One side of a transfer: the API's leg, and the same items as stacks for `received`. */
export interface Side {
	readonly leg: SyncTransferLeg;
	readonly bundle: StackBundle;
	/** Whether it moves nothing (a trade's side may give nothing; the API takes no empty leg). */
	readonly empty: boolean;
}

/** How a sent transfer ended, with the players' new versions when the API applied it. */
export interface Sent {
	readonly outcome: TransferOutcome;
	readonly versions?: ReadonlyMap<number, number>;
}

/** A transfer whose answer never came, kept to be sent again as it was under the same id. */
interface Unanswered {
	readonly sides: ReadonlyArray<Side>;
	readonly users: ReadonlyArray<number>;
	readonly kind: "trade" | "gift";
	/** Found in a loaded ledger, sent by an earlier server: news only to players whose ledger keeps it. */
	readonly adopted: boolean;
}

/**
 * Told when a transfer sent again is answered here: one an earlier server sent (`adopted`), or
 * one of this server's own whose answer was lost.
 */
export type ResentAnswer = (
	id: string,
	sides: ReadonlyArray<Side>,
	users: ReadonlyArray<number>,
	sent: Sent,
	adopted: boolean,
) => void;

export class ExternalFlows {
	private readonly unanswered = new Map<string, Unanswered>();
	/** Ids being sent again right now (by the game or the sweep): one send at a time. */
	private readonly resending = new Set<string>();
	/** How transfers sent again here ended, for a game that asks again with the same id. */
	private readonly answered = new Map<string, TransferOutcome>();
	/** The ids of `answered`, oldest first. */
	private readonly answeredOrder = new Array<string>();
	/** Set by the cross-server flow: a coordinator's trade answered late still owes its partner a verdict. */
	public onResentAnswer?: ResentAnswer;

	public constructor(
		private readonly trades: TradeServiceImpl,
		private readonly flows: TransferFlows,
		private readonly authority: ItemAuthority,
	) {}

	/** Runs `check` every POLL seconds until it holds or `seconds` pass; whether it held. */
	public waitFor(seconds: number, check: () => boolean): boolean {
		const clock = this.trades.platform.clock;
		const deadline = clock() + seconds;
		while (!check()) {
			if (clock() >= deadline) return false;
			task.wait(POLL);
		}
		return true;
	}

	/**
	 * Waits (at most `saveTimeout`) until the players' queued changes reached the API: an item
	 * just split off, or coins just earned, must be there before a transfer names them.
	 */
	public flushed(users: ReadonlyArray<number>): boolean {
		const authority = this.authority;
		// A throw (the game's authority, say) is reported and counts as not flushed: it would
		// escape its caller, which holds what the side gives until the trade ends.
		const [counted, done] = pcall(() =>
			this.waitFor(this.trades.limits.saveTimeout, () =>
				users.every((userId) => authority.pendingCount(userId) === 0),
			),
		);
		if (counted) return done;
		this.trades.reportFailure("trade", done);
		return false;
	}

	/**
	 * Settles the transfer `id` for good with the authority (see `ItemAuthority.voidTransfer`):
	 * the settlement, `later` when there was no answer (ask again), or `never` when the
	 * authority cannot (no such call, or it refused the request).
	 */
	public settleKey(id: string, players: ReadonlyArray<number>): TransferSettlement | "later" | "never" {
		const authority = this.authority;
		if (authority.voidTransfer === undefined) return "never";
		// A throw (the game's authority, say) is reported and asked again later: it would escape
		// the callers' own threads, and leave their request marked as on its way for good.
		const [called, answer] = pcall(() => {
			const [ok, value] = authority.voidTransfer!(transferKey(id), players).await();
			return { ok, value };
		});
		if (!called) {
			this.trades.reportFailure("trade", answer);
			return "later";
		}
		const answered = answer.ok;
		const settlement = answer.value;
		if (answered) return settlement as TransferSettlement;
		const refused =
			isHopsafeError(settlement) && (settlement.kind === "ApiRejected" || settlement.kind === "InvalidArgument");
		return refused ? "never" : "later";
	}

	/** The item `id` as the authority's state here shows it for the player. */
	public heldItem(userId: number, id: string): SyncItem | undefined {
		const [read, state] = pcall(() => this.authority.getState(userId));
		if (read) return state?.items[id];
		this.trades.reportFailure("trade", state);
		return undefined;
	}

	/**
	 * Whether the player's state here is at `version` or later (a player who left shows nothing
	 * more). A throw (the game's authority, say) is reported and ends the wait for it: it would
	 * escape the threads that tell a trade's end, leaving players never told.
	 */
	public shows(userId: number, version: number): boolean {
		const [read, state] = pcall(() => this.authority.getState(userId));
		if (read) return (state?.version ?? math.huge) >= version;
		this.trades.reportFailure("trade", state);
		return true;
	}

	/**
	 * The leg `from` gives `to` in trade `id`. A whole stack keeps its id; a part of a stack gets
	 * a new id in the giver's series, as the slot inventory would mint it. The claims were
	 * checked already; a stack another waiting trade offers is `busy`.
	 */
	public side(id: string, from: number, to: number, spec: GiveSpec): Side | TradeRejectReason {
		const state = liveInventory(this.trades.inventory, from);
		if (state === undefined) return "no_session";
		for (const claim of spec.items) if (isHeldElsewhere(this.trades.inventory, from, claim.id, id)) return "busy";
		for (const [name, amount] of pairs(spec.currency ?? {})) {
			if (unheldCurrency(this.trades.inventory, from, name, id) < amount) return "busy";
		}
		const found = new Array<ItemStack>();
		let parts = 0;
		for (const claim of spec.items) {
			for (const stack of state.slots) {
				if (stack !== false && stack.id === claim.id) {
					found.push(stack);
					if (claim.count < stack.count) parts += 1;
				}
			}
		}
		if (found.size() !== spec.items.size()) return "not_owned";
		const minted = mintForTransfer(this.trades.inventory, from, parts);
		if (minted === undefined) return "authority_refused";
		const items = new Array<{ id: string; count: number; newId?: string }>();
		const stacks = new Array<ItemStack>();
		let partIndex = 0;
		spec.items.forEach((claim, index) => {
			const stack = found[index];
			const newId = claim.count < stack.count ? minted[partIndex++] : undefined;
			items.push(
				newId === undefined
					? { id: claim.id, count: claim.count }
					: { id: claim.id, count: claim.count, newId },
			);
			const moved: ItemStack = { id: newId ?? claim.id, def: stack.def, count: claim.count };
			stacks.push(stack.attrs === undefined ? moved : { ...moved, attrs: stack.attrs });
		});
		const currency: Record<string, number> = {};
		for (const [name, amount] of pairs(spec.currency ?? {})) currency[name] = amount;
		const leg: SyncTransferLeg = { from, to, items, currencies: currency };
		return { leg, bundle: { stacks, currency }, empty: items.size() === 0 && next(currency)[0] === undefined };
	}

	/**
	 * Sends the transfer once the givers' queued changes reached the API (an item just split
	 * off, or coins just earned, must be there), then waits until the pull shows it to the
	 * players loaded here.
	 */
	public commit(
		id: string,
		all: ReadonlyArray<Side>,
		books: ReadonlyArray<Book>,
		kind: "trade" | "gift",
		settleThrown = false,
	): Sent {
		const sides = all.filter((side) => !side.empty);
		if (sides.size() === 0) return { outcome: outcome(id, "failed", "empty_offer") };
		const users = books.map((book) => book.userId);
		const record: Unanswered = { sides, users, kind, adopted: false };
		// While it is on its way, the givers here cannot use up what it gives.
		for (const { leg } of sides) this.hold(id, leg);
		let kept: ReadonlyArray<number> | undefined;
		const [ran, sent] = pcall(() =>
			this.send(id, sides, users, kind, users, () => {
				kept = this.keep(id, record, books.filter(isServed));
				return kept;
			}),
		);
		if (!ran && kept !== undefined && settleThrown) {
			this.trades.reportFailure("trade", sent);
			return this.settleSent(id, record, books, kept);
		}
		// Unanswered, it may still apply (the sweep sends it again): held until it is answered.
		if (!ran || sent.outcome.status !== "pending") this.release(id, sides);
		if (!ran) {
			// A throw (the game's authority, say) ends the transfer as `internal_error`: the
			// ledgers' copy must go, or the players' next server would send it and apply it.
			this.unkeep(id, users);
			throw sent;
		}
		if (sent.outcome.status === "pending") this.unanswered.set(id, record);
		else this.unkeep(id, users);
		return sent;
	}

	/**
	 * A transfer whose send threw once its request may have gone out (the game's authority, say),
	 * settled with the authority before its caller is answered: it may have applied. Voided it
	 * failed; found applied, its players are told as for an answer; with no answer, or with an
	 * authority that cannot settle it, it waits, with its holds and ledger copies, for the sweep
	 * to send it again under the same key until the API answers.
	 */
	private settleSent(id: string, record: Unanswered, books: ReadonlyArray<Book>, kept: ReadonlyArray<number>): Sent {
		// Every player the legs name: a gift's recipient need not be loaded here.
		const players = new Array<number>();
		for (const { leg } of record.sides) {
			for (const userId of [leg.from, leg.to]) if (!players.includes(userId)) players.push(userId);
		}
		const settlement = this.settleKey(id, players);
		if (settlement === "later" || settlement === "never") {
			this.unanswered.set(id, record);
			return { outcome: outcome(id, "pending", "save_failed") };
		}
		this.release(id, record.sides);
		this.unkeep(id, record.users);
		if (settlement.status === "voided") return { outcome: outcome(id, "failed", "internal_error") };
		const now = this.trades.now();
		const told = toTell(books, record.users, kept);
		if (settlement.status === "refused") {
			// As a refusal answered at once: the id is spent, and a trade's players are told. With
			// `writeAheadTimeout` the stamps (and the copies' removal) are confirmed saved first: a
			// crash after the telling would otherwise leave the saved copy for the next server to
			// send again, and the API's replayed refusal would tell them a second time.
			this.stamp(books.filter(isServed), id, now);
			if (record.kind === "trade") this.settle(told, id, "failed");
			return { outcome: outcome(id, "failed", reasonOfCode(settlement.code)) };
		}
		this.trades.step("transferred", id);
		const versions = settlement.versions;
		this.waitFor(this.trades.limits.saveTimeout, () =>
			books.every(({ userId }) => this.shows(userId, versions.get(userId) ?? 0)),
		);
		this.stamp(books.filter(isServed), id, now);
		this.tellCompleted(told, id, record.sides, record.kind);
		return { outcome: outcome(id, "completed"), versions };
	}

	/** Ends what the givers of `sides` served here held for transfer `id`. */
	private release(id: string, sides: ReadonlyArray<Side>): void {
		for (const { leg } of sides) releaseHold(this.trades.inventory, leg.from, id);
	}

	/**
	 * Holds what the player gives in the transfers an earlier server sent for them without an
	 * answer, once their inventory is served here (see `ExternalSides.holdSent`): sent again,
	 * they may still apply.
	 */
	public holdKept(book: Book): void {
		for (const [id, record] of this.unanswered) {
			for (const { leg } of record.sides) if (leg.from === book.userId) this.hold(id, leg);
		}
	}

	/** Holds what `leg` gives while trade `id` waits, if its giver is served here (see `holdForTrade`). */
	public hold(id: string, leg: SyncTransferLeg): void {
		const ids = (leg.items ?? []).map((item) => item.id);
		holdForTrade(this.trades.inventory, leg.from, id, ids, leg.currencies ?? {});
	}

	/**
	 * Writes a transfer about to be sent into the ledgers of its players loaded here (saved soon,
	 * or confirmed first with `writeAheadTimeout`), until its answer comes: if this server stops
	 * first, even mid-request, their next server sends it again (the API applies it at most once)
	 * and tells them how it ended.
	 */
	private keep(id: string, record: Unanswered, books: ReadonlyArray<Book>): ReadonlyArray<number> {
		const kept: UnansweredTransfer = {
			kind: record.kind,
			sides: record.sides.map(({ leg, bundle }) => ({ leg, bundle })),
			users: record.users,
			at: this.trades.now(),
		};
		for (const book of books) {
			if (book.ledger.unanswered === undefined) book.ledger.unanswered = {};
			book.ledger.unanswered[id] = kept;
			this.trades.inventory.saveSoon(book.userId);
		}
		const wait = this.trades.limits.writeAheadTimeout;
		if (wait > 0) this.confirmAll(books, wait);
		return books.map((book) => book.userId);
	}

	/** Saves every book at once and waits until each save is confirmed or gave up (`timeout`). */
	public confirmAll(books: ReadonlyArray<Book>, timeout: number): void {
		let left = books.size();
		for (const book of books) {
			task.spawn(() => {
				book.save(timeout);
				left -= 1;
			});
		}
		this.waitFor(timeout + 1, () => left === 0);
	}

	/**
	 * The transfer was answered: its players' ledgers here no longer keep it. Saved soon too, or
	 * a crash before the next auto-save would leave a kept copy already saved to be told again.
	 */
	private unkeep(id: string, users: ReadonlyArray<number>): void {
		for (const userId of users) {
			const ledger = this.trades.bookOf(userId)?.ledger.unanswered;
			if (ledger?.[id] === undefined) continue;
			delete ledger[id];
			this.trades.inventory.saveSoon(userId);
		}
	}

	/**
	 * Sends a transfer whose answer never came again, as it was (the API applies it at most
	 * once); undefined when no such transfer waits here. A send of it already running is waited
	 * for, and a transfer answered here earlier gives that answer again.
	 */
	public resend(id: string): Sent | undefined {
		if (this.resending.has(id)) this.waitFor(math.huge, () => !this.resending.has(id));
		const known = this.answered.get(id);
		if (known !== undefined) {
			// A player who loaded after the answer came adopted the transfer again: tell them
			// that answer, or the sweep would return it here forever and their holds never go.
			const waiting = this.unanswered.get(id);
			if (waiting !== undefined) {
				if (known.status !== "duplicate") this.tellLate(id, waiting, known, []);
				this.conclude(id, waiting);
			}
			return { outcome: known };
		}
		const previous = this.unanswered.get(id);
		if (previous === undefined) return undefined;
		this.resending.add(id);
		// An earlier server's transfer is news only to the players whose ledger still keeps it.
		const tell = previous.adopted
			? previous.users.filter((userId) => this.trades.bookOf(userId)?.ledger.unanswered?.[id] !== undefined)
			: previous.users;
		const [ran, sent] = pcall(() => this.send(id, previous.sides, previous.users, previous.kind, tell));
		this.resending.delete(id);
		if (!ran) throw sent;
		if (sent.outcome.status !== "pending") {
			// Told before their copy goes (unkeep): otherwise no server would ever tell them.
			if (previous.adopted && sent.outcome.status !== "duplicate")
				this.tellLate(id, previous, sent.outcome, tell);
			this.remember(id, sent.outcome);
			this.conclude(id, previous);
			this.onResentAnswer?.(id, previous.sides, previous.users, sent, previous.adopted);
		}
		return sent;
	}

	/**
	 * Tells the players of an earlier server's transfer who loaded here but were not among
	 * `told` how it ended.
	 */
	private tellLate(id: string, previous: Unanswered, ended: TransferOutcome, told: ReadonlyArray<number>): void {
		const late = this.loadedMeanwhile(id, previous.users, told);
		if (ended.status === "completed") {
			this.stamp(late, id, this.trades.now());
			this.tellCompleted(late, id, previous.sides, previous.kind);
		} else if (ended.status === "failed" && previous.kind === "trade") {
			this.forgetRefused(late, id);
			this.settle(late, id, "failed");
		}
	}

	/** An answered transfer waits here no more: its holds go, and so do the ledgers' copies. */
	private conclude(id: string, previous: Unanswered): void {
		this.unanswered.delete(id);
		this.release(id, previous.sides);
		this.unkeep(id, previous.users);
	}

	/** Keeps how a transfer sent again ended (the last 256). */
	private remember(id: string, ended: TransferOutcome): void {
		this.answered.set(id, ended);
		this.answeredOrder.push(id);
		if (this.answeredOrder.size() > 256) this.answered.delete(this.answeredOrder.shift()!);
	}

	/**
	 * A player loaded here: transfers an earlier server sent for them without an answer are sent
	 * again by the sweep (see {@link retry}); one they were told about already is forgotten.
	 */
	public adopt(book: Book): void {
		const kept = book.ledger.unanswered;
		if (kept === undefined) return;
		for (const [id, record] of pairs(kept)) {
			if (book.ledger.stamps[id] !== undefined) delete kept[id];
			else if (!this.unanswered.has(id)) {
				const sides = record.sides.map(({ leg, bundle }): Side => ({ leg, bundle, empty: false }));
				this.unanswered.set(id, { sides, users: record.users, kind: record.kind, adopted: true });
			}
		}
		this.holdKept(book);
	}

	/**
	 * On the sweep: sends every transfer whose answer never came again, each on its own thread:
	 * those an earlier server sent, and this server's own (their players are told when the answer
	 * comes, and a negotiated trade ends then).
	 */
	public retry(): void {
		for (const [id] of this.unanswered) {
			if (!this.resending.has(id)) task.spawn(() => this.resendOnSweep(id));
		}
	}

	/**
	 * {@link resend} on the sweep's own thread: a throw (the game's authority, say) is reported,
	 * not left to escape, and the transfer still waits to be sent again on the next sweep.
	 */
	private resendOnSweep(id: string): void {
		const [ran, thrown] = pcall(() => this.resend(id));
		if (!ran) this.trades.reportFailure("trade", thrown);
	}

	/**
	 * Sends the transfer (calling `sending` just before: it keeps the transfer in ledgers and
	 * returns whose; without it, every player's ledger keeps it already); `settled` and
	 * `received` are fired for the players of `tell` loaded here (see {@link toTell}).
	 */
	private send(
		id: string,
		sides: ReadonlyArray<Side>,
		users: ReadonlyArray<number>,
		kind: "trade" | "gift",
		tell: ReadonlyArray<number> = users,
		sending?: () => ReadonlyArray<number>,
	): Sent {
		const books = new Array<Book>();
		for (const userId of users) {
			const book = this.trades.bookOf(userId);
			if (book !== undefined) books.push(book);
		}
		const authority = this.authority;
		this.flushed(sides.map((side) => side.leg.from));
		const legs = sides.map((side) => side.leg);
		const kept = sending?.() ?? users;
		const [sent, answer] = authority.transfer(legs, { key: transferKey(id), reason: kind }).await();
		const now = this.trades.now();
		if (!sent) {
			if (isHopsafeError(answer) && answer.kind === "ApiRejected") {
				const why = reasonOfCode(answer.details.code);
				if (why === "duplicate") return { outcome: outcome(id, "duplicate", why) };
				// The id is spent, as an applied one is: sent again, the API would replay the
				// refusal and its players would be told again. Live sessions only (see below).
				for (const book of books.filter(isServed)) book.ledger.stamps[id] = now;
				if (kind === "trade") {
					const told = toTell(books, tell, kept);
					this.forgetRefused(books.filter(isServed), id);
					this.settle(told, id, "failed");
				}
				return { outcome: outcome(id, "failed", why) };
			}
			if (isHopsafeError(answer) && answer.kind === "InvalidArgument")
				return { outcome: outcome(id, "failed", "bad_request") };
			// No answer: the API may have applied it. Retrying with the same id is safe.
			return { outcome: outcome(id, "pending", "save_failed") };
		}
		this.trades.step("transferred", id);
		const versions = answer as ReadonlyMap<number, number>;
		this.waitFor(this.trades.limits.saveTimeout, () =>
			books.every(({ userId }) => this.shows(userId, versions.get(userId) ?? 0)),
		);
		// A stamp only in a live session: written into one that ended, it could reach the saved
		// copy and hide the transfer from the next server, which is to tell its player.
		this.stamp(books.filter(isServed), id, now);
		this.tellCompleted(toTell(books, tell, kept), id, sides, kind);
		return { outcome: outcome(id, "completed"), versions };
	}

	/**
	 * Stamps the completed transfer `id` in the ledgers of `books`, before their players are told.
	 * With `writeAheadTimeout` the stamps are confirmed saved first (bounded by it): a crash
	 * after the telling would otherwise leave the saved copy of the transfer, without its stamp,
	 * for the next server to send again and tell a second time.
	 */
	private stamp(books: ReadonlyArray<Book>, id: string, now: number): void {
		for (const book of books) book.ledger.stamps[id] = now;
		const wait = this.trades.limits.writeAheadTimeout;
		if (wait > 0 && books.size() > 0) this.confirmAll(books, wait);
	}

	/**
	 * With `writeAheadTimeout`, takes the refused transfer `id` out of the ledgers of `books` and
	 * waits (bounded by it) until that is confirmed saved, before their players are told it failed:
	 * a crash after the telling would otherwise leave the saved copy for the next server to send
	 * again, and the API's replayed refusal would tell them a second time. Without it the copies
	 * go when the answer is handled, saved soon.
	 */
	private forgetRefused(books: ReadonlyArray<Book>, id: string): void {
		const wait = this.trades.limits.writeAheadTimeout;
		if (wait <= 0) return;
		const keeping = books.filter((book) => book.ledger.unanswered?.[id] !== undefined);
		if (keeping.size() === 0) return;
		this.unkeep(
			id,
			keeping.map((book) => book.userId),
		);
		this.confirmAll(keeping, wait);
	}

	/** Fires `settled` (a trade) and `received` for the players of `told`. */
	private tellCompleted(
		told: ReadonlyArray<Book>,
		id: string,
		sides: ReadonlyArray<Side>,
		kind: "trade" | "gift",
	): void {
		if (kind === "trade") this.settle(told, id, "completed");
		if (this.trades.received.listening) {
			for (const side of sides) {
				const book = told.find((candidate) => candidate.userId === side.leg.to);
				if (book !== undefined && book.active) this.trades.received.Fire(book.session.player, id, side.bundle);
			}
		}
	}

	/**
	 * Players of an earlier server's transfer whose session loaded here while it was being sent
	 * again: their ledger keeps it, and they were not among those the answer was told to.
	 */
	private loadedMeanwhile(id: string, users: ReadonlyArray<number>, told: ReadonlyArray<number>): Array<Book> {
		const books = new Array<Book>();
		for (const userId of users) {
			const book = this.trades.bookOf(userId);
			if (told.includes(userId) || book === undefined || !isServed(book)) continue;
			if (book.ledger.unanswered?.[id] !== undefined) books.push(book);
		}
		return books;
	}

	private settle(books: ReadonlyArray<Book>, id: string, result: "completed" | "failed"): void {
		if (!this.trades.settled.listening) return;
		for (const book of books) this.trades.settled.Fire(book.userId, id, result);
	}

	/** The same-server swap: both sides in one API transfer. */
	public runExecute(id: string, proposal: TradeProposal): TransferOutcome {
		const again = this.resend(id);
		if (again !== undefined) return again.outcome;
		const parties = this.flows.partiesOf(proposal);
		if (typeIs(parties, "string")) return outcome(id, "failed", parties);
		const [bookA, bookB] = parties;
		const [ua, ub] = [bookA.userId, bookB.userId];
		if (bookA.ledger.stamps[id] !== undefined || bookB.ledger.stamps[id] !== undefined)
			return outcome(id, "duplicate", "duplicate");
		const refused =
			this.flows.checkGive(bookA, proposal.a, proposal.b.items.size()) ??
			this.flows.checkGive(bookB, proposal.b, proposal.a.items.size());
		if (refused !== undefined) return outcome(id, "failed", refused);
		this.trades.step("validated", id);
		const sideA = this.side(id, ua, ub, proposal.a);
		if (typeIs(sideA, "string")) return outcome(id, "failed", sideA);
		const sideB = this.side(id, ub, ua, proposal.b);
		if (typeIs(sideB, "string")) return outcome(id, "failed", sideB);
		return this.commit(id, [sideA, sideB], [bookA, bookB], "trade", true).outcome;
	}

	/** A gift to any player, loaded anywhere or not at all: one leg. */
	public runGift(id: string, request: GiftRequest): TransferOutcome {
		const again = this.resend(id);
		if (again !== undefined) return again.outcome;
		const from = userIdOf(request.from);
		if (!typeIs(request.to, "number") || request.to === from) return outcome(id, "failed", "self_trade");
		const book = this.trades.bookOf(from);
		if (book === undefined || !this.trades.inventory.isReady(from)) return outcome(id, "failed", "no_session");
		if (book.ledger.stamps[id] !== undefined) return outcome(id, "duplicate", "duplicate");
		const spec: GiveSpec = { items: request.items, currency: request.currency };
		const refused = this.flows.checkGive(book, spec, 0);
		if (refused !== undefined) return outcome(id, "failed", refused);
		const side = this.side(id, from, request.to, spec);
		if (typeIs(side, "string")) return outcome(id, "failed", side);
		const books = [book];
		const recipient = this.trades.bookOf(request.to);
		if (recipient !== undefined) books.push(recipient);
		return this.commit(id, [side], books, "gift", true).outcome;
	}
}
