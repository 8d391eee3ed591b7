import { describeThrown, makeError, type HopsafeError } from "../../core/errors";
import { reportCallbackFailure } from "../../inventory/protocol/reportCallbackFailure";
import { deepCopy } from "../../core/deepCopy";
import type { Result } from "../../core/result";
import { HookSignal } from "../../inventory/protocol/signal";
import { InventoryServiceImpl } from "../../inventory/service/InventoryServiceImpl";
import type { Disconnectable, PlayerRef } from "../../inventory/service/types";
import type { StackBundle } from "../../inventory/service/transferStacks";
import { authorityOf, canPut } from "../../inventory/service/transfers";
import { defaultPlatform, type Platform } from "../../platform";
import type { Session } from "../../vault/types";
import type { VaultMessage } from "../../vault/messages";
import type { Vault } from "../../vault/vault";
import { checkTradeLedger, isLeg, isParcel } from "../ledger/checkTradeLedger";
import { legId, refusalId } from "../ledger/ids";
import type { Leg, Parcel, TradeLedger } from "../ledger/types";
import type { Trade } from "../machine/types";
import { LEG_KIND, PARCEL_KIND, REFUSAL_KIND, SIDE_KIND, VERDICT_KIND, decisionKey } from "../protocol/keys";
import { receiveLeg, receiveRefusal, type LegVerdict } from "../protocol/legs";
import { receiveParcel } from "../protocol/parcels";
import { isSideRefusal, type SideRefusal } from "../protocol/sideMessages";
import type { TradeRejectReason } from "../reasons";
import { Book } from "./Book";
import { Courier } from "./Courier";
import { ExternalFlows } from "./ExternalFlows";
import { ExternalSides } from "./ExternalSides";
import { Negotiations } from "./Negotiations";
import { OrphanedGifts } from "./OrphanedGifts";
import { TransferFlows } from "./TransferFlows";
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

/** Limits with every default filled in. */
export type ResolvedLimits = { readonly [K in keyof TradeLimits]-?: number };

function resolveLimits(limits: TradeLimits = {}): ResolvedLimits {
	return {
		maxStacks: limits.maxStacks ?? 16,
		maxCurrencies: limits.maxCurrencies ?? 4,
		inviteTimeout: limits.inviteTimeout ?? 30,
		idleTimeout: limits.idleTimeout ?? 300,
		decisionTimeout: limits.decisionTimeout ?? 120,
		verdictTimeout: limits.verdictTimeout ?? 120,
		saveTimeout: limits.saveTimeout ?? 30,
		writeAheadTimeout: math.max(0, limits.writeAheadTimeout ?? 0),
		retentionDays: limits.retentionDays ?? 180,
		sweepInterval: limits.sweepInterval ?? 5,
	};
}

const userIdOf = (player: PlayerRef) => (typeIs(player, "number") ? player : player.UserId);

const outcome = (id: string, status: TransferOutcome["status"], reason?: TradeRejectReason): TransferOutcome =>
	reason === undefined ? { id, status } : { id, status, reason };

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
	/** @internal */
	public readonly vault: Vault<object>;
	/** @internal Finds the ledger in a profile's data. */
	public readonly select: (data: object) => TradeLedger;
	private readonly newId: () => string;
	private readonly onStep?: (step: TradeStep, id: string) => void;
	private readonly books = new Map<number, Book>();
	private readonly inFlight = new Set<string>();
	private readonly connections = new Array<Disconnectable>();
	private readonly negotiations: Negotiations;
	private readonly courier: Courier;
	private readonly flows: TransferFlows;
	/** In external authority: trades and gifts as the save API's transfers. */
	private readonly external?: ExternalFlows;
	/** In external authority: cross-server trades as one transfer sent by the coordinator. */
	private readonly sides?: ExternalSides;
	/** @internal In DataStore authority: gifts a crashed or released sender left unsent. */
	public readonly orphans?: OrphanedGifts;
	/** @internal */
	public destroyed = false;

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
		this.courier = new Courier(this);
		this.flows = new TransferFlows(this, this.courier);
		const authority = authorityOf(this.inventory);
		const onMessage = (session: Session<object>, message: VaultMessage) => this.onMessage(session, message);
		this.connections.push(this.vault.onMessage(PARCEL_KIND, onMessage));
		this.connections.push(this.vault.onMessage(LEG_KIND, onMessage));
		if (authority === undefined) {
			this.orphans = new OrphanedGifts(this);
			this.connections.push(
				this.vault.onMessage(REFUSAL_KIND, (session, message) => {
					const book = this.bookFor(session);
					if (book === undefined) return false;
					const body = message.body;
					if (
						!isSideRefusal(body) ||
						body.to !== book.userId ||
						refusalId(body.trade, body.from) !== message.id
					)
						return true;
					this.acceptRefusal(book, body);
					return true;
				}),
			);
		} else {
			const external = new ExternalFlows(this, this.flows, authority);
			const sides = new ExternalSides(this, this.flows, external);
			this.external = external;
			this.sides = sides;
			const onSideMessage = (session: Session<object>, message: VaultMessage) => {
				const book = this.bookFor(session);
				return book !== undefined && sides.onMessage(book, message);
			};
			this.connections.push(this.vault.onMessage(SIDE_KIND, onSideMessage));
			this.connections.push(this.vault.onMessage(VERDICT_KIND, onSideMessage));
		}
		this.connections.push(this.vault.loaded.Connect((session) => this.onLoaded(session)));
		this.connections.push(this.vault.released.Connect((userId) => this.onReleased(userId)));
		this.connections.push(this.vault.addReleaseHook((session) => this.beforeRelease(session)));
		this.connections.push(
			this.inventory.ready.Connect((player) => {
				const book = this.books.get(player.UserId);
				if (book === undefined) return;
				this.sides?.holdSent(book);
				this.external?.holdKept(book);
				this.courier.kick(book);
			}),
		);
		this.connections.push(
			this.inventory.changed.Connect((player) => {
				this.negotiations.inventoryChanged(player.UserId);
				const book = this.books.get(player.UserId);
				if (book !== undefined && next(book.ledger.inbox)[0] !== undefined) this.courier.kick(book);
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
		if (book === undefined) return;
		this.sides?.adopt(book);
		this.external?.adopt(book);
		// The vault offers the messages that waited for this load right after `loaded`: the
		// first pass must see them, or it would hand on a leg whose verdict is already here.
		task.defer(() => this.courier.kick(book));
	}

	/** Before a session's release is written: its book hands on what is saved (see Courier.finish). */
	private beforeRelease(session: Session<object>): void {
		const book = this.books.get(session.userId);
		if (this.destroyed || book === undefined || book.session !== session) return;
		this.courier.finish(book);
	}

	private onReleased(userId: number): void {
		this.negotiations.left(userId);
		const book = this.books.get(userId);
		// A release of an older session must not end a newer one (a fast rejoin here).
		if (book === undefined || book.session.isActive()) return;
		book.active = false;
		this.books.delete(userId);
		this.orphans?.released(book);
		// Legs handed to this coordinator in memory may not have been saved with it: hand them
		// again, by message (a repeat is recognised by its id).
		for (const [, other] of this.books) {
			for (const trade of [...other.handed]) {
				if (other.ledger.legs[trade]?.coordinator === userId) other.handed.delete(trade);
			}
			if (other.handed.size() > 0) this.courier.kick(other);
		}
	}

	/** @internal Reports a throwing game callback through `callbackFailed`. */
	public reportFailure(callback: string, thrown: unknown): void {
		reportCallbackFailure(this.callbackFailed, callback, thrown);
	}

	/** @internal Reports a step to `onStep`. */
	public step(name: TradeStep, id: string): void {
		const onStep = this.onStep;
		if (onStep === undefined) return;
		const [ran, thrown] = pcall(onStep, name, id);
		if (!ran) this.reportFailure("onStep", thrown);
	}

	/** @internal */
	public now(): number {
		return os.time();
	}

	// Messages --------------------------------------------------------------------------------

	private onMessage(session: Session<object>, message: VaultMessage): boolean {
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
		task.defer(() => this.courier.kick(book));
		return true;
	}

	/** @internal Receives a parcel into a loaded ledger (stamped: at most once). */
	public acceptParcel(book: Book, id: string, parcel: Parcel): void {
		const receipt = receiveParcel(book.ledger, book.userId, id, parcel, this.now());
		// Told once the arrival is saved: told at once, a crash before that save would have the
		// player's next server receive it again and tell them again. The announcement waits for
		// the trade's decision key, marked with the arrival, so a save already under way when
		// the parcel came (it may have been written without it) does not count.
		const settled = receipt.settled;
		book.mark(settled !== undefined ? [...receipt.keys, decisionKey(settled.trade)] : receipt.keys);
		if (receipt.applied) this.step("parcelReceived", id);
		if (settled !== undefined) book.announce.set(settled.trade, settled.outcome);
	}

	/**
	 * @internal Tells the player how `trade` ended once the ledger's change that goes with it,
	 * made just now, is saved: told before, a crash before that save would have their next
	 * server tell them again. `bundle`, what they received, is fired with it (`received`).
	 */
	public announceSaved(book: Book, trade: string, result: "completed" | "failed", bundle?: StackBundle): void {
		book.mark([decisionKey(trade)]);
		book.announce.set(trade, result);
		if (bundle !== undefined) book.receipts.set(trade, bundle);
		this.courier.kick(book);
	}

	/** @internal A coordinator receives a leg (stamped: at most once). */
	public acceptLeg(book: Book, leg: Leg): LegVerdict {
		const step = receiveLeg(book.ledger, book.userId, leg, this.now());
		book.mark(step.keys);
		if (step.verdict === "held") {
			this.step("legHeld", leg.trade);
			warn(`[hopsafe] trade ${leg.trade}: a leg older than what ${book.userId}'s ledger forgot stays escrowed`);
		} else if (step.verdict !== "duplicate") this.step("legReceived", leg.trade);
		if (step.verdict === "committed") book.announce.set(leg.trade, "completed");
		else if (step.verdict === "aborted") book.announce.set(leg.trade, "failed");
		return step.verdict;
	}

	/** @internal A coordinator hears that its partner's side was refused (see `receiveRefusal`). */
	public acceptRefusal(book: Book, refusal: SideRefusal): void {
		const step = receiveRefusal(book.ledger, book.userId, refusal.trade, refusal.from, this.now());
		if (step === undefined) return;
		book.mark(step.keys);
		book.announce.set(refusal.trade, "failed");
		this.courier.kick(book);
	}

	// Background work -------------------------------------------------------------------------

	private sweep(): void {
		while (!this.destroyed) {
			task.wait(this.limits.sweepInterval);
			for (const [, book] of this.books) if (book.active) this.courier.kick(book);
			this.negotiations.expire(this.now());
			this.sides?.expire(this.now());
			this.external?.retry();
			this.orphans?.sweep();
		}
	}

	// Same-server trade -----------------------------------------------------------------------

	public execute(proposal: TradeProposal): Promise<TransferOutcome> {
		const external = this.external;
		return this.run(proposal.id, (id) =>
			external !== undefined ? external.runExecute(id, proposal) : this.flows.runExecute(id, proposal),
		);
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

	// Gifts -----------------------------------------------------------------------------------

	public gift(request: GiftRequest): Promise<TransferOutcome> {
		const external = this.external;
		return this.run(request.id, (id) =>
			external !== undefined ? external.runGift(id, request) : this.flows.runGift(id, request),
		);
	}

	// Cross-server trades ---------------------------------------------------------------------

	public escrowSide(side: CrossServerSide): Promise<TransferOutcome> {
		const sides = this.sides;
		return this.run(side.trade, (id) =>
			sides !== undefined ? sides.run(id, side) : this.flows.runEscrowSide(id, side),
		);
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
		return this.flows.checkGive(book, spec, incoming);
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
		// External authority: a side waiting for its verdict or for the partner's, or a transfer
		// waiting for its answer.
		if (next(ledger.sent ?? {})[0] !== undefined || next(ledger.unanswered ?? {})[0] !== undefined) return false;
		if (this.sides?.isWaiting(book.userId)) return false;
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
