import { t } from "@rbxts/t";
import type * as Library from "../../../../src";
import type { Catalog, InventoryState, TradeLedger } from "../../../../src";
import type { InventoryRemotes } from "../../../../src/inventory/remotes";
import type { InventoryService } from "../../../../src/inventory/service";
import type { TradeCensus } from "../../../../src/trade";
import type { CrossServerSide, TradeLimits, TradeService, TradeStep } from "../../../../src/trade/service/types";
import type { TradeRemotes } from "../../../../src/trade/remotes/types";
import type { Vault } from "../../../../src/vault";

/** The library as loaded inside one simulated server. */
export type Hopsafe = typeof Library;

export interface TradeData {
	inventory: InventoryState;
	trades?: TradeLedger;
}

export const STORE = "TradeData";

export const CATALOG_DEFS = [
	{ key: "sword", equipSlots: ["weapon"], rarity: "rare" as const, visibleWhenEquipped: true },
	{ key: "shield", equipSlots: ["offhand"] },
	{ key: "potion", stackable: true, maxStack: 20, consumable: true },
	{ key: "gem", stackable: true, maxStack: 5, tradeable: false },
];

/** One simulated server running a vault, an inventory service and a trade service. */
export interface TradeServer {
	readonly server: Sim.Server;
	readonly hopsafe: Hopsafe;
	readonly vault: Vault<TradeData>;
	readonly inventory: InventoryService;
	readonly trades: TradeService;
	readonly remotes?: TradeRemotes;
	readonly inventoryRemotes?: InventoryRemotes;
	/** Every step the trade service reported, as `step id`. */
	readonly steps: Array<string>;
	/** Called at each step (replace it to inject a failure at one). */
	onStep?: (step: TradeStep, id: string) => void;
}

export interface TradeWorld {
	readonly world: Sim.World;
	readonly catalog: Catalog;
	readonly servers: Array<TradeServer>;
	readonly startServer: () => TradeServer;
}

export interface TradeWorldOptions {
	readonly seed: number;
	readonly servers?: number;
	readonly limits?: TradeLimits;
	readonly remotes?: boolean;
	/** Binds the inventory's remotes too (replication to each owner's client). */
	readonly inventoryRemotes?: boolean;
	readonly capacity?: number;
	/** Simulator settings of the world (beside `printLogs: false`). */
	readonly settings?: Record<string, unknown>;
}

/**
 * The world's settings (beside `printLogs: false`), with instant remotes unless they say
 * otherwise: the specs read what a client sent or received a frame or two later.
 */
function withInstantRemotes(settings: Record<string, unknown> | undefined): Record<string, unknown> {
	const remotes = (settings?.remotes ?? {}) as Record<string, unknown>;
	return { printLogs: false, ...settings, remotes: { latency: { min: 0, max: 0 }, ...remotes } };
}

export function tradeWorld(options: TradeWorldOptions): TradeWorld {
	const world = sim.World.new({ seed: options.seed, settings: withInstantRemotes(options.settings) });
	const servers = new Array<TradeServer>();
	let catalog: Catalog | undefined;
	const startServer = (): TradeServer => {
		const server = world.startServer({ name: `trade-${servers.size() + 1}` });
		const hopsafe = server.require<Hopsafe>("ReplicatedStorage.hopsafe");
		const serverCatalog = hopsafe.defineCatalog(CATALOG_DEFS, ["coins"]);
		catalog ??= serverCatalog;
		const steps = new Array<string>();
		const setup = server.run(() => {
			const vault = hopsafe.createVault<TradeData>({
				name: STORE,
				template: { inventory: hopsafe.createInventory(0, options.capacity ?? 8), trades: hopsafe.createTradeLedger() },
				schema: t.interface({ inventory: t.table }) as (value: unknown) => value is TradeData,
			});
			const inventory = hopsafe.createInventoryService({
				catalog: serverCatalog,
				sessions: vault,
				select: (data) => data.inventory,
				policy: false,
			});
			const holder: { onStep?: (step: TradeStep, id: string) => void } = {};
			const trades = hopsafe.createTradeService({
				inventory,
				vault,
				ledger: (data) => (data.trades ??= hopsafe.createTradeLedger()),
				limits: options.limits,
				onStep: (step, id) => {
					steps.push(`${step} ${id}`);
					holder.onStep?.(step, id);
				},
			});
			const remotes = options.remotes === true ? hopsafe.bindTradeRemotes(trades) : undefined;
			const inventoryRemotes = options.inventoryRemotes === true ? hopsafe.bindInventoryRemotes(inventory) : undefined;
			return { holder, vault, inventory, trades, remotes, inventoryRemotes };
		});
		const entry: TradeServer = {
			server,
			hopsafe,
			vault: setup.vault,
			inventory: setup.inventory,
			trades: setup.trades,
			remotes: setup.remotes,
			inventoryRemotes: setup.inventoryRemotes,
			steps,
			onStep: undefined,
		};
		setup.holder.onStep = (step, id) => entry.onStep?.(step, id);
		servers.push(entry);
		return entry;
	};
	for (let index = 0; index < (options.servers ?? 1); index++) startServer();
	return { world, catalog: catalog!, servers, startServer };
}

/** Joins `userId` on `at` and runs the world until both services serve them. */
export function joinReady(setup: TradeWorld, at: TradeServer, userId: number): Player {
	const player = at.server.join(userId);
	setup.world.runUntil(() => at.inventory.isReady(userId) && at.trades.getLedger(userId) !== undefined, 120);
	if (!at.inventory.isReady(userId)) throw `player ${userId} was not served on ${at.server.name} within 120 s`;
	return player;
}

/** Grants items and waits until the grant is saved; returns the minted ids. */
export function grantSaved(at: TradeServer, userId: number, def: string, count = 1): Array<string> {
	const granted = at.inventory.grant(userId, def, count);
	if (!granted.ok) throw `could not grant ${def}: ${granted.error}`;
	at.server.run(() => at.vault.getSession(userId)!.saveAsync().await());
	return [...granted.value.minted];
}

/** Sets a coin balance and waits until it is saved. */
export function coinsSaved(at: TradeServer, userId: number, coins: number): void {
	const result = at.inventory.adjustCurrency(userId, "coins", coins);
	if (!result.ok) throw `could not add coins: ${result.error}`;
	at.server.run(() => at.vault.getSession(userId)!.saveAsync().await());
}

/** Runs `promise` to its end in virtual time and returns its value. */
export function settle<T>(world: Sim.World, promise: Promise<T>, limit = 300): T {
	world.runUntil(() => promise.getStatus() !== "Started", limit);
	if (promise.getStatus() === "Started") throw `the promise did not settle within ${limit} virtual seconds`;
	return promise.expect();
}

export interface StoredProfile {
	readonly inventory: InventoryState;
	readonly ledger: TradeLedger;
	readonly pending: Array<defined>;
	readonly holder?: string;
}

/** A player's profile as the DataStore holds it (what survives any crash). */
export function storedProfile(world: Sim.World, userId: number): StoredProfile | undefined {
	const value = world.dataStore().read({ store: STORE, key: `player_${userId}` })?.value as
		| {
				Data?: { value: TradeData };
				MetaData?: { ActiveSession?: [number, string] };
				GlobalUpdates?: [number, Array<[number, number, boolean, unknown]>];
		  }
		| undefined;
	if (value === undefined || value.Data === undefined) return undefined;
	const pending = new Array<defined>();
	for (const update of value.GlobalUpdates?.[1] ?? []) pending.push(update[3] as defined);
	return {
		inventory: value.Data.value.inventory,
		ledger: value.Data.value.trades!,
		pending,
		holder: value.MetaData?.ActiveSession?.[1],
	};
}

/** The ids (with counts) of a stored inventory, sorted: `1-1x1,1-2x5`. */
export function storedItems(world: Sim.World, userId: number): string {
	const profile = storedProfile(world, userId);
	if (profile === undefined) return "";
	const parts = new Array<string>();
	for (const stack of profile.inventory.slots) if (stack !== false) parts.push(`${stack.id}x${stack.count}`);
	parts.sort();
	const coins = profile.inventory.currencies.coins ?? 0;
	return `${parts.join(",")}|${coins}`;
}

/** The stored items and coins of players 1 and 2: `"<player 1> <player 2>"` (see {@link storedItems}). */
export function storedPair(setup: TradeWorld): string {
	return `${storedItems(setup.world, 1)} ${storedItems(setup.world, 2)}`;
}

/** Fails the spec unless `actual` equals `wanted` (usable outside `it`, where `expect` is not). */
export function same(actual: unknown, wanted: unknown, what: string): void {
	if (actual !== wanted) throw `${what}: expected ${tostring(wanted)}, got ${tostring(actual)}`;
}

/** Runs `act` the first time `at` reaches `step`; returns a function telling whether it has. */
export function onceAt(at: TradeServer, step: TradeStep, act: () => void): () => boolean {
	let done = false;
	at.onStep = (reached) => {
		if (reached !== step || done) return;
		done = true;
		act();
	};
	return () => done;
}

/** A census over the stored profiles of `userIds`. */
export function storedCensus(setup: TradeWorld, userIds: ReadonlyArray<number>): TradeCensus {
	const profiles = userIds.map((userId) => {
		const profile = storedProfile(setup.world, userId);
		return {
			userId,
			inventory: profile?.inventory,
			ledger: profile?.ledger,
			pending: profile?.pending,
		};
	});
	return setup.servers[0].hopsafe.takeTradeCensus(profiles);
}

/** The census of the stored profiles of `userIds` in one line: "N dupes, N items, N coins". */
export function storedTotals(setup: TradeWorld, userIds: ReadonlyArray<number>): string {
	const census = storedCensus(setup, userIds);
	return `${census.dupes.size()} dupes, ${census.itemCount} items, ${census.currencies.get("coins") ?? 0} coins`;
}

/**
 * Servers (`servers`, at least two): `giver` on the first with a sword and 50 coins, `taker` on
 * the second with ten potions, all saved.
 */
export function swordAndPotions(
	options: TradeWorldOptions,
	giver: number,
	taker: number,
): { setup: TradeWorld; one: TradeServer; two: TradeServer } {
	const setup = tradeWorld(options);
	const [one, two] = setup.servers;
	joinReady(setup, one, giver);
	joinReady(setup, two, taker);
	grantSaved(one, giver, "sword");
	coinsSaved(one, giver, 50);
	grantSaved(two, taker, "potion", 10);
	setup.world.advance(10);
	return { setup, one, two };
}

/**
 * The two sides of the cross-server trade `trade` in a {@link swordAndPotions} world: `giver`'s
 * sword and 50 coins for `taker`'s ten potions. Each call builds a fresh side.
 */
export function swordForPotions(
	trade: string,
	giver: number,
	taker: number,
): { giverSide: () => CrossServerSide; takerSide: () => CrossServerSide } {
	return {
		giverSide: () => ({
			trade,
			player: giver,
			partner: taker,
			items: [{ id: `${giver}-1`, count: 1 }],
			currency: { coins: 50 },
			receive: { items: [{ def: "potion", count: 10 }] },
		}),
		takerSide: () => ({
			trade,
			player: taker,
			partner: giver,
			items: [{ id: `${taker}-1`, count: 10 }],
			receive: { items: [{ def: "sword", count: 1 }], currency: { coins: 50 } },
		}),
	};
}

/** Whether nothing of `userIds` is in flight in the stored profiles (no escrow, no message waiting). */
export function storedQuiet(world: Sim.World, userIds: ReadonlyArray<number>): boolean {
	for (const userId of userIds) {
		const profile = storedProfile(world, userId);
		if (profile === undefined) continue;
		const ledger = profile.ledger;
		for (const records of [ledger.outbox, ledger.inbox, ledger.legs, ledger.waiting]) {
			if (next(records)[0] !== undefined) return false;
		}
		for (const message of profile.pending) {
			const { id, kind } = message as { id?: string; kind?: string };
			if (kind !== "hopsafe.parcel" && kind !== "hopsafe.leg") continue;
			// Applied and waiting to be cleared by the next save is quiet enough.
			if (id === undefined || ledger.stamps[id] === undefined) return false;
		}
	}
	return true;
}
