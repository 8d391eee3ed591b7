import { describeThrown, makeError, type HopsafeError } from "../../core/errors";
import { deepCopy } from "../../core/deepCopy";
import type { Result } from "../../core/result";
import { HookSignal } from "../../inventory/protocol/signal";
import { InventoryServiceImpl } from "../../inventory/service/InventoryServiceImpl";
import type { Disconnectable, PlayerRef } from "../../inventory/service/types";
import type { StackBundle } from "../../inventory/service/transferStacks";
import { checkTake, freeSlots } from "../../inventory/service/transferStacks";
import { canPut, liveInventory, putFromTransfer, takeForTransfer } from "../../inventory/service/transfers";
import type { InventoryState } from "../../inventory/state/types";
import { defaultPlatform, type Platform } from "../../platform";
import type { Session } from "../../vault/types";
import type { VaultMessage } from "../../vault/messages";
import type { Vault } from "../../vault/vault";
import { checkTradeLedger, isLeg, isParcel } from "../ledger/checkTradeLedger";
import { legId } from "../ledger/ids";
import { summarizeBundle, summarizeTerms, type BundleTerms } from "../ledger/summary";
import type { Leg, Parcel, TradeLedger } from "../ledger/types";
import type { Trade } from "../machine/types";
import { decisionKey, inboxKey, legKey, outboxKey } from "../protocol/keys";
import {
	abortTrade,
	cancelLeg,
	decideIfReady,
	expireLegs,
	openLeg,
	receiveLeg,
	revertCommit,
	revertKeys,
	type LegVerdict,
} from "../protocol/legs";
import { cancelParcel, receiveParcel, sendParcel } from "../protocol/parcels";
import { pruneLedger } from "../protocol/prune";
import type { TradeRejectReason } from "../reasons";
import { Book } from "./Book";
import { Negotiations } from "./Negotiations";
import type {
	CrossServerSide,
	GiftRequest,
	GiveSpec,
	OfferClaim,
	TradeLimits,
	TradeProposal,
	TradeService,
	TradeServiceOptions,
	TradeStep,
	TransferOutcome,
} from "./types";

/** Message kinds the trade service posts through the vault. */
export const PARCEL_KIND = "hopsafe.parcel";
export const LEG_KIND = "hopsafe.leg";

const DAY = 86400;

/** Limits with every default filled in. */
export type ResolvedLimits = { readonly [K in keyof TradeLimits]-?: number };

function resolveLimits(limits: TradeLimits = {}): ResolvedLimits {
	return {
		maxStacks: limits.maxStacks ?? 16,
		maxCurrencies: limits.maxCurrencies ?? 4,
		inviteTimeout: limits.inviteTimeout ?? 30,
		idleTimeout: limits.idleTimeout ?? 300,
		decisionTimeout: limits.decisionTimeout ?? 120,
		saveTimeout: limits.saveTimeout ?? 30,
		retentionDays: limits.retentionDays ?? 180,
		sweepInterval: limits.sweepInterval ?? 5,
	};
}

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
 * The trade service: same-server negotiations and swaps, gifts and cross-server trades, all on
 * the ledgers in the players' profiles. See createTradeService and the design notes in
 * protocol/legs.ts.
 */
export class TradeServiceImpl implements TradeService {
	public readonly changed: HookSignal<[trade: Trade]>;
	public readonly settled: HookSignal<[userId: number, trade: string, outcome: "completed" | "failed"]>;
	public readonly received: HookSignal<[player: Player, parcel: string, bundle: StackBundle]>;
	public readonly callbackFailed: HookSignal<[failure: HopsafeError<"CallbackFailed">]>;

	public readonly limits: ResolvedLimits;
	public readonly inventory: InventoryServiceImpl;
	public readonly platform: Platform;
	private readonly vault: Vault<object>;
	private readonly select: (data: object) => TradeLedger;
	private readonly newId: () => string;
	private readonly onStep?: (step: TradeStep, id: string) => void;
	private readonly books = new Map<number, Book>();
	private readonly inFlight = new Set<string>();
	private readonly connections = new Array<Disconnectable>();
	private readonly negotiations: Negotiations;
	private destroyed = false;

	public constructor(options: TradeServiceOptions<object>) {
		if (!(options.inventory instanceof InventoryServiceImpl)) {
			throw makeError("InvalidArgument", "createTradeService needs a service made by createInventoryService", {
				argument: "inventory",
			});
		}
		this.inventory = options.inventory;
		this.vault = options.vault;
		this.select = options.ledger;
		this.limits = resolveLimits(options.limits);
		const platform = options.platform ?? defaultPlatform();
		this.platform = platform;
		this.newId = options.newId ?? (() => platform.httpService.GenerateGUID(false));
		this.onStep = options.onStep;
		const report = (signal: string, thrown: unknown) => this.reportFailure(`${signal} listener`, thrown);
		this.callbackFailed = new HookSignal("callbackFailed", (_signal, thrown) =>
			warn(`[hopsafe] a callbackFailed listener threw: ${describeThrown(thrown)}`),
		);
		this.changed = new HookSignal("changed", report);
		this.settled = new HookSignal("settled", report);
		this.received = new HookSignal("received", report);
		this.negotiations = new Negotiations(this, this.changed);

		this.connections.push(this.vault.onMessage((session, message) => this.onMessage(session, message)));
		this.connections.push(this.vault.loaded.Connect((session) => this.onLoaded(session)));
		this.connections.push(this.vault.released.Connect((userId) => this.onReleased(userId)));
		this.connections.push(
			this.inventory.ready.Connect((player) => {
				const book = this.books.get(player.UserId);
				if (book !== undefined) this.kick(book);
			}),
		);
		this.connections.push(
			this.inventory.changed.Connect((player) => {
				this.negotiations.inventoryChanged(player.UserId);
				const book = this.books.get(player.UserId);
				if (book !== undefined && next(book.ledger.inbox)[0] !== undefined) this.kick(book);
			}),
		);
		this.connections.push(
			platform.players.PlayerRemoving.Connect((player) => this.negotiations.left(player.UserId)),
		);
		for (const player of platform.players.GetPlayers()) {
			const session = this.vault.getSession(player);
			if (session !== undefined) this.onLoaded(session);
		}
		task.spawn(() => this.sweep());
	}

	// Sessions and books ----------------------------------------------------------------------

	/** @internal The active book of a player served on this server. */
	public bookOf(player: PlayerRef): Book | undefined {
		const book = this.books.get(userIdOf(player));
		if (book === undefined || !book.active) return undefined;
		if (!book.session.isActive()) {
			this.onReleased(book.userId);
			return undefined;
		}
		return book;
	}

	private bookFor(session: Session<object>): Book | undefined {
		const existing = this.books.get(session.userId);
		if (existing !== undefined && existing.session === session) return existing.active ? existing : undefined;
		if (!session.isActive()) return undefined;
		const [selected, ledger] = pcall(this.select, session.data);
		if (!selected) {
			this.reportFailure("ledger", ledger);
			return undefined;
		}
		const problems = checkTradeLedger(ledger);
		if (problems.size() > 0) {
			warn(`[hopsafe] the trade ledger of ${session.userId} is not served: ${problems.join("; ")}`);
			return undefined;
		}
		if (existing !== undefined) existing.active = false;
		const book = new Book(session.userId, session, ledger as TradeLedger);
		this.books.set(session.userId, book);
		return book;
	}

	private onLoaded(session: Session<object>): void {
		if (this.destroyed) return;
		const book = this.bookFor(session);
		if (book !== undefined) this.kick(book);
	}

	private onReleased(userId: number): void {
		this.negotiations.left(userId);
		const book = this.books.get(userId);
		if (book === undefined) return;
		book.active = false;
		this.books.delete(userId);
		// Legs handed to this coordinator in memory may not have been saved with it: hand them
		// again, by message (a repeat is recognised by its id).
		for (const [, other] of this.books) {
			for (const trade of [...other.handed]) {
				if (other.ledger.legs[trade]?.coordinator === userId) other.handed.delete(trade);
			}
			if (other.handed.size() > 0) this.kick(other);
		}
	}

	/** @internal */
	public reportFailure(callback: string, thrown: unknown): void {
		const failure = makeError(
			"CallbackFailed",
			`${callback} threw: ${describeThrown(thrown)}`,
			{ callback },
			thrown,
		);
		if (this.callbackFailed.listening) this.callbackFailed.Fire(failure);
		else warn(`[hopsafe] ${failure.message}`);
	}

	private step(name: TradeStep, id: string): void {
		const onStep = this.onStep;
		if (onStep === undefined) return;
		const [ran, thrown] = pcall(onStep, name, id);
		if (!ran) this.reportFailure("onStep", thrown);
	}

	private now(): number {
		return os.time();
	}

	// Messages --------------------------------------------------------------------------------

	private onMessage(session: Session<object>, message: VaultMessage): boolean {
		if (message.kind !== PARCEL_KIND && message.kind !== LEG_KIND) return false;
		const book = this.bookFor(session);
		if (book === undefined) return false;
		const body = message.body;
		if (message.kind === PARCEL_KIND) {
			if (!isParcel(body) || (body as Parcel).to !== book.userId) return false;
			this.acceptParcel(book, message.id, body as Parcel);
		} else {
			if (!isLeg(body) || legId((body as Leg).trade, (body as Leg).from) !== message.id) return false;
			this.acceptLeg(book, body as Leg);
		}
		task.defer(() => this.kick(book));
		return true;
	}

	private acceptParcel(book: Book, id: string, parcel: Parcel): void {
		const receipt = receiveParcel(book.ledger, book.userId, id, parcel, this.now());
		book.mark(receipt.keys);
		if (receipt.applied) this.step("parcelReceived", id);
		const settled = receipt.settled;
		if (settled !== undefined && this.settled.listening) {
			this.settled.Fire(book.userId, settled.trade, settled.outcome);
		}
	}

	private acceptLeg(book: Book, leg: Leg): LegVerdict {
		const step = receiveLeg(book.ledger, book.userId, leg, this.now());
		book.mark(step.keys);
		if (step.verdict !== "duplicate") this.step("legReceived", leg.trade);
		if (step.verdict === "committed") book.announce.set(leg.trade, "completed");
		else if (step.verdict === "aborted") book.announce.set(leg.trade, "failed");
		return step.verdict;
	}

	// Background work -------------------------------------------------------------------------

	private sweep(): void {
		while (!this.destroyed) {
			task.wait(this.limits.sweepInterval);
			for (const [, book] of this.books) if (book.active) this.kick(book);
			this.negotiations.expire(this.now());
		}
	}

	/** @internal Runs the book's background work soon (once at a time per book). */
	public kick(book: Book): void {
		if (this.destroyed || !book.active) return;
		if (book.running) {
			book.again = true;
			return;
		}
		book.running = true;
		task.spawn(() => {
			do {
				book.again = false;
				const [ran, thrown] = pcall(() => this.process(book));
				if (!ran) this.reportFailure("trade background work", thrown);
			} while (book.again && book.active && !this.destroyed);
			book.running = false;
		});
	}

	/**
	 * One pass over a book: abort trades past their deadline, save what is unsaved, then act on
	 * what is saved (announce decisions, move received parcels into the inventory, deliver the
	 * outbox, hand escrowed legs to their coordinators).
	 */
	private process(book: Book): void {
		const ledger = book.ledger;
		const now = this.now();
		if (now - book.prunedAt >= 3600) {
			book.prunedAt = now;
			pruneLedger(ledger, now, this.limits.retentionDays * DAY);
		}
		const expired = expireLegs(ledger, book.userId, now, (trade) => book.owned.has(trade));
		book.mark(expired.keys);
		for (const trade of expired.trades) book.announce.set(trade, "failed");
		if (book.hasUnsaved() && !book.save(this.limits.saveTimeout)) return;
		if (!book.active) return;

		for (const [trade, result] of book.announce) {
			if (!book.owned.has(trade) && book.isSaved(decisionKey(trade))) {
				book.announce.delete(trade);
				if (this.settled.listening) this.settled.Fire(book.userId, trade, result);
			}
		}
		this.drain(book);

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
		if (!this.inventory.isReady(book.userId)) return;
		const ledger = book.ledger;
		for (const [id, parcel] of pairs(ledger.inbox)) {
			if (!book.isSaved(inboxKey(id))) continue;
			if (book.owned.has(id) || (parcel.trade !== undefined && book.owned.has(parcel.trade))) continue;
			const put = putFromTransfer(this.inventory, book.userId, parcel);
			if (!put.ok) continue;
			delete ledger.inbox[id];
			if (this.received.listening) {
				this.received.Fire(book.session.player, id, { stacks: parcel.stacks, currency: parcel.currency });
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
		const recipient = this.bookOf(parcel.to);
		let done = false;
		if (recipient !== undefined) {
			this.acceptParcel(recipient, id, parcel);
			this.step("parcelDelivered", id);
			if (recipient.save(this.limits.saveTimeout)) {
				done = true;
				this.kick(recipient);
			}
		}
		if (!done) {
			const [posted] = this.vault.postMessage(parcel.to, { id, kind: PARCEL_KIND, body: parcel }).await();
			done = posted;
			if (posted) this.step("parcelPosted", id);
		}
		if (done) {
			delete book.ledger.outbox[id];
			this.step("parcelRetired", id);
		}
		book.delivering.delete(id);
	}

	/** Hands a saved leg to its coordinator: in memory when it is loaded here, otherwise by message. */
	private handLeg(book: Book, leg: Leg): void {
		const coordinator = this.bookOf(leg.coordinator);
		if (coordinator !== undefined) {
			book.handed.add(leg.trade);
			this.acceptLeg(coordinator, leg);
			this.step("legHanded", leg.trade);
			this.kick(coordinator);
			return;
		}
		const [posted] = this.vault
			.postMessage(leg.coordinator, { id: legId(leg.trade, leg.from), kind: LEG_KIND, body: leg })
			.await();
		if (posted) {
			book.handed.add(leg.trade);
			this.step("legPosted", leg.trade);
		}
	}

	/**
	 * After a save that was not confirmed: reads the stored profile to learn whether it landed
	 * anyway (a write that committed but errored). True (and the book's records up to
	 * `generation` count as saved) when `landed` holds for the stored ledger.
	 */
	private landedAnyway(book: Book, generation: number, landed: (stored: TradeLedger) => boolean): boolean {
		const [read, stored] = pcall(() => {
			const options = new Instance("DataStoreGetOptions");
			options.UseCache = false;
			const store = this.platform.dataStoreService.GetDataStore(this.vault.name);
			const [value] = store.GetAsync<{ Data?: { value?: unknown } }>(book.session.key, options);
			const data = value?.Data?.value;
			return data === undefined ? undefined : this.select(deepCopy(data) as object);
		});
		if (!read || stored === undefined || checkTradeLedger(stored).size() > 0) return false;
		if (!landed(stored)) return false;
		book.confirm(generation);
		return true;
	}

	/** Saves `book` and, if that is not confirmed, checks whether the write landed anyway. */
	private saveOrConfirm(book: Book, landed: (stored: TradeLedger) => boolean): boolean {
		const generation = book.current();
		if (book.save(this.limits.saveTimeout)) return true;
		return this.landedAnyway(book, generation, landed);
	}

	// Validation ------------------------------------------------------------------------------

	/** Why `spec` cannot be given by `giver` to `taker` now, if it cannot. */
	private checkGive(giver: Book, spec: GiveSpec, incoming: number): TradeRejectReason | undefined {
		if (spec.items.size() > this.limits.maxStacks) return "too_many_items";
		let currencies = 0;
		for (const [_name] of pairs(spec.currency ?? {})) currencies += 1;
		if (currencies > this.limits.maxCurrencies) return "too_many_items";
		const state = liveInventory(this.inventory, giver.userId);
		if (state === undefined) return "no_session";
		const refused = checkTake(this.inventory.catalog, state, spec.items, spec.currency ?? {});
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

	// Same-server trade -----------------------------------------------------------------------

	public execute(proposal: TradeProposal): Promise<TransferOutcome> {
		return this.run(proposal.id, (id) => this.runExecute(id, proposal));
	}

	private run(requested: string | undefined, flow: (id: string) => TransferOutcome): Promise<TransferOutcome> {
		const id = requested ?? this.newId();
		return new Promise<TransferOutcome>((resolve) => {
			if (this.destroyed) return resolve(outcome(id, "failed", "no_session"));
			if (!typeIs(id, "string") || id.size() === 0 || id.size() > 64)
				return resolve(outcome(tostring(id), "failed", "bad_request"));
			if (this.inFlight.has(id)) return resolve(outcome(id, "duplicate", "duplicate"));
			this.inFlight.add(id);
			const [ran, result] = pcall(flow, id);
			this.inFlight.delete(id);
			if (ran) return resolve(result as TransferOutcome);
			this.reportFailure("trade", result);
			resolve(outcome(id, "failed", "internal_error"));
		});
	}

	/**
	 * The two-way swap on one server, in the protocol every trade follows (see Leg): the partner
	 * escrows its side and saves; its leg is handed to the coordinator, which escrows its own side
	 * and decides in one step, then saves: that save is the commit point. Each side then reaches
	 * the other (and every record that was not saved is put back) through the background work.
	 */
	private runExecute(id: string, proposal: TradeProposal): TransferOutcome {
		const ua = userIdOf(proposal.a.player);
		const ub = userIdOf(proposal.b.player);
		if (ua === ub) return outcome(id, "failed", "self_trade");
		const bookA = this.bookOf(ua);
		const bookB = this.bookOf(ub);
		if (bookA === undefined || bookB === undefined) return outcome(id, "failed", "no_session");
		if (!this.inventory.isReady(ua) || !this.inventory.isReady(ub)) return outcome(id, "failed", "no_session");
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
		this.step("validated", id);
		coordinator.owned.add(id);
		partner.owned.add(id);
		const [ran, result] = pcall(() => this.commitSwap(id, coordinator, coordSpec, partner, partnerSpec));
		coordinator.owned.delete(id);
		partner.owned.delete(id);
		this.kick(coordinator);
		this.kick(partner);
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
		const now = this.now();
		const deadline = now + this.limits.decisionTimeout;
		const coordState = liveInventory(this.inventory, coordinator.userId)!;
		const partnerExpects = summarizeTerms(termsOfClaims(coordState, coordSpec));

		// 1. The partner's side leaves its inventory into escrow, and is saved.
		const taken = takeForTransfer(this.inventory, partner.userId, partnerSpec.items, partnerSpec.currency ?? {});
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
		this.step("partnerEscrowed", id);
		if (!this.saveOrConfirm(partner, (stored) => stored.legs[id] !== undefined)) {
			// Never handed to anyone: take it back. If the escrow was saved after all and the
			// server stops before the take-back is, the coordinator refunds it when it arrives.
			if (partner.active) partner.mark(cancelLeg(partner.ledger, partner.userId, id, this.now()));
			return outcome(id, "failed", "save_failed");
		}
		this.step("partnerSaved", id);

		// 2. The leg is handed to the coordinator (in memory: both are here).
		if (!coordinator.active || !coordinator.session.isActive()) return outcome(id, "pending");
		partner.handed.add(id);
		this.acceptLeg(coordinator, leg);
		this.step("legHanded", id);

		// 3. The coordinator's side leaves its inventory and the trade is decided, in one step.
		const mine = takeForTransfer(this.inventory, coordinator.userId, coordSpec.items, coordSpec.currency ?? {});
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
		this.step("decided", id);

		// 4. The coordinator's save is the commit point.
		const saved = this.saveOrConfirm(coordinator, (stored) => stored.decisions[id]?.outcome === verdict);
		if (saved || coordinator.isSaved(decisionKey(id))) {
			this.step("decisionSaved", id);
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
			revertCommit(coordinator.ledger, coordinator.userId, id, partner.userId, this.now())
		) {
			coordinator.mark(revertKeys(coordinator.userId, id, partner.userId));
			coordinator.announce.set(id, "failed");
		}
		return outcome(id, "failed", reason ?? "save_failed");
	}

	// Gifts -----------------------------------------------------------------------------------

	public gift(request: GiftRequest): Promise<TransferOutcome> {
		return this.run(request.id, (id) => this.runGift(id, request));
	}

	private runGift(id: string, request: GiftRequest): TransferOutcome {
		const from = userIdOf(request.from);
		if (!typeIs(request.to, "number") || request.to === from) return outcome(id, "failed", "self_trade");
		const book = this.bookOf(from);
		if (book === undefined || !this.inventory.isReady(from)) return outcome(id, "failed", "no_session");
		if (this.seen(book, id)) return outcome(id, "duplicate", "duplicate");
		const spec: GiveSpec = { items: request.items, currency: request.currency };
		const refused = this.checkGive(book, spec, 0);
		if (refused !== undefined) return outcome(id, "failed", refused);
		if (request.items.size() === 0 && next(request.currency ?? {})[0] === undefined) {
			return outcome(id, "failed", "empty_offer");
		}
		book.owned.add(id);
		const [ran, result] = pcall(() => {
			const taken = takeForTransfer(this.inventory, from, request.items, request.currency ?? {});
			if (!taken.ok) return outcome(id, "failed", taken.error);
			const now = this.now();
			const parcel: Parcel = { ...taken.value, from, to: request.to, at: now };
			book.mark(sendParcel(book.ledger, id, parcel, now));
			this.step("giftEscrowed", id);
			if (this.saveOrConfirm(book, (stored) => stored.stamps[id] !== undefined)) {
				this.step("giftSaved", id);
				return outcome(id, "completed");
			}
			if (!book.active || !book.session.isActive()) return outcome(id, "pending");
			const keys = cancelParcel(book.ledger, from, id, this.now());
			if (keys !== undefined) book.mark(keys);
			return outcome(id, "failed", "save_failed");
		});
		book.owned.delete(id);
		this.kick(book);
		if (!ran) throw result;
		return result;
	}

	// Cross-server trades ---------------------------------------------------------------------

	public escrowSide(side: CrossServerSide): Promise<TransferOutcome> {
		return this.run(side.trade, (id) => this.runEscrowSide(id, side));
	}

	private runEscrowSide(id: string, side: CrossServerSide): TransferOutcome {
		const uid = userIdOf(side.player);
		if (!typeIs(side.partner, "number") || side.partner === uid) return outcome(id, "failed", "self_trade");
		const book = this.bookOf(uid);
		if (book === undefined || !this.inventory.isReady(uid)) return outcome(id, "failed", "no_session");
		if (
			book.ledger.stamps[id] !== undefined ||
			book.ledger.legs[id] !== undefined ||
			book.ledger.decisions[id] !== undefined
		) {
			return outcome(id, "duplicate", "duplicate");
		}
		const refused = this.checkGive(book, side, side.receive.items.size());
		if (refused !== undefined) return outcome(id, "failed", refused);
		const coordinator = math.min(uid, side.partner);
		const partner = math.max(uid, side.partner);
		book.owned.add(id);
		const [ran, result] = pcall(() => {
			const taken = takeForTransfer(this.inventory, uid, side.items, side.currency ?? {});
			if (!taken.ok) return outcome(id, "failed", taken.error);
			const now = this.now();
			const leg: Leg = {
				trade: id,
				coordinator,
				partner,
				from: uid,
				give: taken.value,
				expect: summarizeTerms(side.receive),
				deadline: now + this.limits.decisionTimeout,
				at: now,
			};
			book.mark(openLeg(book.ledger, leg, now));
			const decided = uid === coordinator ? decideIfReady(book.ledger, uid, id, now) : undefined;
			if (decided !== undefined) {
				book.mark(decided.keys);
				book.announce.set(id, decided.verdict === "committed" ? "completed" : "failed");
			}
			this.step("sideEscrowed", id);
			const saved = this.saveOrConfirm(
				book,
				(stored) =>
					stored.stamps[id] !== undefined &&
					(decided === undefined || stored.decisions[id]?.outcome === decided.verdict),
			);
			if (saved) {
				this.step("sideSaved", id);
				if (decided === undefined) return outcome(id, "escrowed");
				return decided.verdict === "committed"
					? outcome(id, "completed")
					: outcome(id, "failed", "terms_mismatch");
			}
			if (!book.active || !book.session.isActive()) return outcome(id, "pending");
			if (decided === undefined) {
				book.mark(cancelLeg(book.ledger, uid, id, this.now()));
			} else if (decided.verdict === "committed") {
				if (revertCommit(book.ledger, uid, id, partner, this.now())) book.mark(revertKeys(uid, id, partner));
				book.announce.set(id, "failed");
			}
			return outcome(id, "failed", "save_failed");
		});
		book.owned.delete(id);
		this.kick(book);
		if (!ran) throw result;
		return result;
	}

	// Negotiation (delegated) -----------------------------------------------------------------

	public invite(from: Player, to: Player): Result<Trade, TradeRejectReason> {
		return this.negotiations.invite(from, to);
	}

	public accept(player: Player, tradeId: string): Result<Trade, TradeRejectReason> {
		return this.negotiations.accept(player, tradeId);
	}

	public decline(player: Player, tradeId: string): Result<Trade, TradeRejectReason> {
		return this.negotiations.decline(player, tradeId);
	}

	public offer(
		player: Player,
		tradeId: string,
		items: ReadonlyArray<OfferClaim>,
		currency?: Readonly<Record<string, number>>,
	): Result<Trade, TradeRejectReason> {
		return this.negotiations.offer(player, tradeId, items, currency ?? {});
	}

	public confirm(player: Player, tradeId: string, revision: number): Result<Trade, TradeRejectReason> {
		return this.negotiations.confirm(player, tradeId, revision);
	}

	public cancel(player: Player, tradeId: string): Result<Trade, TradeRejectReason> {
		return this.negotiations.cancel(player, tradeId);
	}

	public getTrade(tradeId: string): Trade | undefined {
		return this.negotiations.get(tradeId);
	}

	public tradeOf(player: PlayerRef): Trade | undefined {
		return this.negotiations.of(userIdOf(player));
	}

	/** @internal Whether the player may take part in a trade now (served, ledger valid). */
	public canTrade(userId: number): boolean {
		return this.bookOf(userId) !== undefined && this.inventory.isReady(userId);
	}

	/** @internal Checks a side for the negotiation (the same rules as a commit). */
	public checkSide(userId: number, spec: GiveSpec, incoming: number): TradeRejectReason | undefined {
		const book = this.bookOf(userId);
		if (book === undefined) return "no_session";
		return this.checkGive(book, spec, incoming);
	}

	/** @internal A new trade id. */
	public mintId(): string {
		return this.newId();
	}

	// Reading and the rest --------------------------------------------------------------------

	public getLedger(player: PlayerRef): TradeLedger | undefined {
		const book = this.bookOf(player);
		return book === undefined ? undefined : deepCopy(book.ledger);
	}

	public isSettled(player: PlayerRef): boolean {
		const book = this.bookOf(player);
		if (book === undefined) return false;
		const ledger = book.ledger;
		if (next(ledger.outbox)[0] !== undefined || next(ledger.legs)[0] !== undefined) return false;
		if (next(ledger.waiting)[0] !== undefined || book.hasUnsaved()) return false;
		// Parcels that fit are about to enter the inventory; those that do not wait for room.
		for (const [, parcel] of pairs(ledger.inbox)) {
			if (canPut(this.inventory, book.userId, parcel) === undefined) return false;
		}
		return true;
	}

	public destroy(): void {
		if (this.destroyed) return;
		this.destroyed = true;
		for (const connection of this.connections) connection.Disconnect();
		for (const [, book] of this.books) book.active = false;
		this.books.clear();
		this.negotiations.destroy();
	}
}
