import { t } from "@rbxts/t";
import type * as Library from "../../../../src";
import type * as ClientModule from "../../../../src/client";
import type { Catalog, InventoryState } from "../../../../src";
import type { InventoryRemotes, InventoryRemotesOptions } from "../../../../src/inventory/remotes";
import type { EarlySavePolicy, InventoryService } from "../../../../src/inventory/service";
import type { Vault } from "../../../../src/vault";

/** The library as loaded inside one simulated server. */
export type Hopsafe = typeof Library;

/** The client module as loaded inside one simulated client. */
export type HopsafeClient = typeof ClientModule;

export interface GameData {
	inventory: InventoryState;
}

/** A small catalog with every kind of item the inventory treats differently. */
export const CATALOG_DEFS = [
	{ key: "sword", equipSlots: ["weapon"], rarity: "rare" as const, visibleWhenEquipped: true },
	{ key: "shield", equipSlots: ["offhand"], visibleWhenEquipped: true },
	{ key: "ring", equipSlots: ["ring1", "ring2"], rarity: "epic" as const },
	{ key: "crown", equipSlots: ["hat"], rarity: "legendary" as const, visibleWhenEquipped: true },
	{ key: "potion", stackable: true, maxStack: 20, consumable: true },
	{ key: "arrow", stackable: true, maxStack: 99, equipSlots: ["ammo"] },
	{ key: "gem", stackable: true, maxStack: 5, tradeable: false, rarity: "rare" as const },
	{ key: "scroll", consumable: true, rarity: "uncommon" as const },
];
export const CURRENCIES = ["coins"];

export interface InventoryWorldOptions {
	readonly seed: number;
	readonly settings?: Record<string, unknown>;
	readonly capacity?: number;
	readonly policy?: EarlySavePolicy | false;
	/** Options of bindInventoryRemotes; `false` leaves the remotes unbound. */
	readonly remotes?: InventoryRemotesOptions | false;
}

/** A world with one server running a vault, an inventory service and (usually) its remotes. */
export interface InventoryWorld {
	readonly world: Sim.World;
	readonly server: Sim.Server;
	readonly hopsafe: Hopsafe;
	readonly catalog: Catalog;
	readonly vault: Vault<GameData>;
	readonly service: InventoryService;
	readonly remotes?: InventoryRemotes;
}

/**
 * The world's settings (beside `printLogs: false`), with instant remotes unless they say
 * otherwise: the specs read what a client sent or received a frame or two later.
 */
function withInstantRemotes(settings: Record<string, unknown> | undefined): Record<string, unknown> {
	const remotes = (settings?.remotes ?? {}) as Record<string, unknown>;
	return { printLogs: false, ...settings, remotes: { latency: { min: 0, max: 0 }, ...remotes } };
}

export function inventoryWorld(options: InventoryWorldOptions): InventoryWorld {
	const world = sim.World.new({ seed: options.seed, settings: withInstantRemotes(options.settings) });
	const server = world.startServer({ name: "inventory" });
	const hopsafe = server.require<Hopsafe>("ReplicatedStorage.hopsafe");
	const catalog = hopsafe.defineCatalog(CATALOG_DEFS, CURRENCIES);
	const capacity = options.capacity ?? 12;
	return server.run(() => {
		const vault = hopsafe.createVault<GameData>({
			name: "InventoryData",
			template: { inventory: hopsafe.createInventory(0, capacity) },
			schema: t.interface({ inventory: t.table }) as (value: unknown) => value is GameData,
		});
		const service = hopsafe.createInventoryService({
			catalog,
			sessions: vault,
			select: (data) => data.inventory,
			policy: options.policy,
		});
		const remotes = options.remotes === false ? undefined : hopsafe.bindInventoryRemotes(service, options.remotes);
		return { world, server, hopsafe, catalog, vault, service, remotes };
	});
}

/** Joins `userId` to `server` and runs `world` until `service` serves them. */
export function joinServed(
	world: Sim.World,
	server: Sim.Server,
	service: Pick<InventoryService, "isReady">,
	userId: number,
): Player {
	const player = server.join(userId);
	world.runUntil(() => service.isReady(player), 120);
	if (!service.isReady(player)) throw `player ${userId} was not served within 120 virtual seconds`;
	return player;
}

/** Joins `userId` to the setup's server and runs the world until its service serves them. */
export function joinReady(setup: InventoryWorld, userId: number): Player {
	return joinServed(setup.world, setup.server, setup.service, userId);
}

/** Moves the world on by `frames` frames (remote calls arrive, Heartbeat flushes). */
export function frames(setup: InventoryWorld, count = 2): void {
	setup.world.advance(count / 60);
}
