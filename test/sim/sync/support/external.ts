import { t } from "@rbxts/t";
import type { Catalog, InventoryService, InventoryState, TradeLedger, TransferOutcome } from "../../../../src";
import type { ItemAuthority } from "../../../../src/inventory/service/types";
import type {
	CrossServerSide,
	TradeLimits,
	TradeProposal,
	TradeService,
	TradeStep,
} from "../../../../src/trade/service/types";
import { CATALOG_DEFS, CURRENCIES, type Hopsafe } from "../../inventory/support/inventoryWorld";
import { auditLog, readPlayer, storedData, syncGame, type SyncData, type SyncGame } from "./api";

/** A profile in external authority: the sync record, the slot layout and the trade ledger. */
export interface ExternalData extends SyncData {
	inventory: InventoryState;
	trades: TradeLedger;
}

export interface ExternalServer {
	readonly app: SyncGame;
	readonly service: InventoryService;
	readonly catalog: Catalog;
	/** The trade service over the inventory, when asked for. */
	readonly trades?: TradeService;
	/** Called at each step of the trade service (replace it to inject a failure at one). */
	onStep?: (step: TradeStep, id: string) => void;
}

/**
 * A server of `world` in external authority (no player yet): a vault whose sessions the sync
 * client drives, the inventory service over both with its remotes bound, and optionally the
 * trade service.
 */
export function externalServer(
	world: Sim.World,
	options: {
		readonly name?: string;
		readonly trades?: boolean;
		readonly limits?: TradeLimits;
		/** The authority the inventory uses, given the sync client (the sync client itself by default). */
		readonly authority?: (sync: ItemAuthority) => ItemAuthority;
	} = {},
): ExternalServer {
	const server = world.startServer({ name: options.name });
	const hopsafe = server.require<Hopsafe>("ReplicatedStorage.hopsafe");
	const catalog = hopsafe.defineCatalog(CATALOG_DEFS, CURRENCIES);
	const template: ExternalData = {
		sync: hopsafe.createSyncRecord(),
		inventory: hopsafe.createInventory(0, 6),
		trades: hopsafe.createTradeLedger(),
	};
	const app = syncGame(
		server,
		{ flushInterval: 1 },
		{
			template,
			schema: t.interface({ sync: hopsafe.isSyncRecord, inventory: t.table }) as (
				value: unknown,
			) => value is ExternalData,
		},
	);
	const hook: { at?: ExternalServer } = {};
	const made = server.run(() => {
		const service = hopsafe.createInventoryService({
			catalog,
			sessions: app.vault,
			select: (data) => (data as ExternalData).inventory,
			authority: options.authority ? options.authority(app.sync) : app.sync,
		});
		hopsafe.bindInventoryRemotes(service);
		const trades = options.trades
			? hopsafe.createTradeService({
					inventory: service,
					vault: app.vault,
					ledger: (data) => (data as ExternalData).trades,
					limits: options.limits,
					onStep: (step, id) => hook.at?.onStep?.(step, id),
				})
			: undefined;
		return { app, service, catalog, trades };
	});
	const entry: ExternalServer = { ...made, onStep: undefined };
	hook.at = entry;
	return entry;
}

/** The slots' items as `id=def×count`, sorted. */
export function slotItems(state: InventoryState): string {
	const lines = new Array<string>();
	for (const stack of state.slots) if (stack !== false) lines.push(`${stack.id}=${stack.def}x${stack.count}`);
	lines.sort();
	return lines.join(" ");
}

/** The player's items at the save API, the same way. */
export function apiItems(world: Sim.World, userId: number): string {
	const lines = new Array<string>();
	for (const item of readPlayer(world, userId).items as unknown as Array<{ id: string; def: string; count: number }>) {
		lines.push(`${item.id}=${item.def}x${item.count}`);
	}
	lines.sort();
	return lines.join(" ");
}

/** The slot holding `id`, or -1. */
export function slotOf(state: InventoryState, id: string): number {
	for (let slot = 0; slot < state.capacity; slot++) {
		const stack = state.slots[slot];
		if (stack !== false && stack.id === id) return slot;
	}
	return -1;
}

/** Records `settled` as `userId outcome` and `received` as `userId stacks coins`, in order. */
export function listenTrades(trades: TradeService, settled: Array<string>, received: Array<string>): void {
	trades.settled.Connect((userId, _trade, outcome) => settled.push(`${userId} ${outcome}`));
	trades.received.Connect((player, _parcel, bundle) =>
		received.push(`${player.UserId} ${bundle.stacks.size()} ${bundle.currency.coins ?? 0}`),
	);
}

/** Runs the world until the promise settles; its outcome. */
export function outcomeOf(world: Sim.World, promise: Promise<TransferOutcome>): TransferOutcome {
	let result: TransferOutcome | undefined;
	void promise.then((value) => (result = value));
	world.runUntil(() => result !== undefined, 120);
	assert(result !== undefined, "the transfer never finished");
	return result;
}

/** How many trade transfers the save API's audit log of `userId` holds. */
export function tradeTransfers(world: Sim.World, userId: number): number {
	let transfers = 0;
	for (const entry of auditLog(world, userId)) if (entry.reason === "trade") transfers += 1;
	return transfers;
}

/** A sword sale between two players served by one server, with what that server told them. */
export interface SwordSale {
	readonly players: [number, number];
	readonly id: string;
	readonly first: Array<string>;
	/** `received` on that server, as {@link listenTrades} records it. */
	readonly received: Array<string>;
	readonly sword: string;
	readonly proposal: TradeProposal;
}

/**
 * On `one` (its sweep off, so the spec decides when a trade is sent again), `a` and `b` are
 * served, `a` holds a sword and `b` 40 coins, and `settled` is recorded into `first`: the
 * proposal `id` sells the sword to `b` for 25 coins.
 */
export function swordSale(world: Sim.World, one: ExternalServer, [a, b]: [number, number], id: string): SwordSale {
	serveEach(world, [one, a], [one, b]);
	const [first, received] = [new Array<string>(), new Array<string>()];
	listenTrades(one.trades!, first, received);
	const granted = one.service.grant(a, "sword");
	assert(granted.ok && one.service.adjustCurrency(b, "coins", 40).ok, "the grants failed");
	const sword = granted.value.minted[0];
	const proposal = {
		id,
		a: { player: a, items: [{ id: sword, count: 1 }] },
		b: { player: b, items: [], currency: { coins: 25 } },
	};
	return { players: [a, b], id, first, received, sword, proposal };
}

/** Sends the sale once without an answer (it never reaches the API) and waits until both ledgers' copy is saved. */
export function leaveUnanswered(world: Sim.World, one: ExternalServer, sale: SwordSale): void {
	const [a, b] = sale.players;
	world.failHttp({ kind: "connectFail", count: 4, server: one.app.server, match: "/v1/transfers" });
	const pending = outcomeOf(world, one.trades!.execute(sale.proposal));
	assert(pending.status === "pending", `the trade was ${pending.status}`);
	const kept = () =>
		[a, b].every(
			(userId) => storedData<ExternalData>(world, userId)?.trades.unanswered?.[sale.id] !== undefined,
		);
	world.runUntil(kept, 30);
	assert(kept(), "the ledgers' copy was not saved");
}

/**
 * Crashes `one` once both players were told (twice `settled` in `first`), serves them on a
 * second server whose sweep runs every 2 s, and runs it a while. What that server told them.
 */
export function crashAndServeElsewhere(world: Sim.World, one: ExternalServer, sale: SwordSale): Array<string> {
	const [a, b] = sale.players;
	world.runUntil(() => sale.first.size() >= 2, 90);
	assert(sale.first.size() >= 2, "the players were never told");
	one.app.server.crash();
	const two = externalServer(world, { name: "two", trades: true, limits: { sweepInterval: 2 } });
	const second = new Array<string>();
	listenTrades(two.trades!, second, new Array<string>());
	for (const userId of [a, b]) two.app.server.join(userId);
	// The crashed server's sessions are taken over once its liveness lapses; then the sweep runs.
	world.runUntil(() => two.service.isReady(a) && two.service.isReady(b), 180);
	assert(two.service.isReady(a) && two.service.isReady(b), "the second server never served them");
	world.advance(30);
	return second;
}

/** Joins each player to its server and waits until every one of these inventories is served. */
export function serveEach(world: Sim.World, ...placed: Array<[ExternalServer, number]>): void {
	for (const [server, userId] of placed) server.app.server.join(userId);
	const ready = () => placed.every(([server, userId]) => server.service.isReady(userId));
	world.runUntil(ready, 120);
	assert(ready(), "the inventories were not served");
}

/** A cross-server sale: what both servers told, and each player's side of the trade. */
export interface CrossServerSale {
	/** `settled` on either server. */
	readonly settled: Array<string>;
	/** `callbackFailed` messages of the watched server's trade service. */
	readonly failures: Array<string>;
	readonly sword: string;
	/** `a`'s side (the coordinator): the sword for 25 coins. */
	readonly swordSide: CrossServerSide;
	/** `b`'s side: 25 coins for the sword. */
	readonly coinSide: CrossServerSide;
}

/**
 * `a` served on `one` with a sword, `b` on `two` with 25 coins, and the two sides of the trade
 * `trade` that sells the sword; `watched` is the server whose `callbackFailed` is recorded.
 */
export function crossServerSale(
	world: Sim.World,
	[one, a]: [ExternalServer, number],
	[two, b]: [ExternalServer, number],
	trade: string,
	watched: ExternalServer,
): CrossServerSale {
	serveEach(world, [one, a], [two, b]);
	const settled = new Array<string>();
	for (const server of [one, two]) listenTrades(server.trades!, settled, new Array<string>());
	const failures = new Array<string>();
	watched.trades!.callbackFailed.Connect((failure) => failures.push(failure.message));
	const granted = one.service.grant(a, "sword");
	assert(granted.ok && two.service.adjustCurrency(b, "coins", 25).ok, "the grants failed");
	const sword = granted.value.minted[0];
	const coins = { items: [], currency: { coins: 25 } };
	return {
		settled,
		failures,
		sword,
		swordSide: { trade, player: a, partner: b, items: [{ id: sword, count: 1 }], receive: coins },
		coinSide: { trade, player: b, partner: a, ...coins, receive: { items: [{ def: "sword", count: 1 }] } },
	};
}
