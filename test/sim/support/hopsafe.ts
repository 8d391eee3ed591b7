import { t } from "@rbxts/t";
import type * as Library from "../../../src";
import type { Vault, VaultOptions } from "../../../src/vault";

/** The library as loaded inside one simulated server. */
export type Hopsafe = typeof Library;

/** Loads the library inside `server` (its own module cache, services and clock). */
export function hopsafeOn(server: Sim.Server): Hopsafe {
	return server.require<Hopsafe>("ReplicatedStorage.hopsafe");
}

export interface Wallet {
	coins: number;
}

export const walletSchema = t.interface({ coins: t.number });

/** A small vault of `Wallet`s named "PlayerData" on `server`. */
export function walletVault(server: Sim.Server, overrides: Partial<VaultOptions<Wallet>> = {}): Vault<Wallet> {
	return hopsafeOn(server).createVault<Wallet>({
		name: "PlayerData",
		template: { coins: 0 },
		schema: walletSchema,
		...overrides,
	});
}

export const profileRef = (userId: number, store = "PlayerData"): Sim.EntryRef => ({ store, key: `player_${userId}` });

/** ProfileService's stored value: `{ Data, MetaData: { ActiveSession }, UserIds, ... }`. */
export interface StoredProfile {
	Data: { schemaVersion: number; lastCompatibleVersion: number; value: unknown };
	MetaData: { ActiveSession?: [number, string]; SessionLoadCount: number };
	UserIds: Array<number>;
}

export function storedProfile(world: Sim.World, userId: number, store = "PlayerData"): StoredProfile | undefined {
	return world.dataStore().read(profileRef(userId, store))?.value as StoredProfile | undefined;
}

/** The coins a wallet profile holds in the DataStore. */
export function storedCoins(world: Sim.World, userId: number): number {
	return (storedProfile(world, userId)!.Data.value as Wallet).coins;
}

/** The JobId holding a player's session lock in the DataStore, if any. */
export function lockHolder(world: Sim.World, userId: number): string | undefined {
	return storedProfile(world, userId)?.MetaData.ActiveSession?.[1];
}

/** Runs the world until `vault` has an active session for `userId`; returns the virtual seconds it took. */
export function waitForSession<T extends object>(world: Sim.World, vault: Vault<T>, userId: number, limit = 120): number {
	return world.runUntil(() => vault.getSession(userId) !== undefined, limit);
}

/** A new world with one server whose wallet vault has loaded `userId`'s session. */
export function walletSession(
	seed: number,
	userId: number,
	overrides: Partial<VaultOptions<Wallet>> = {},
): { world: Sim.World; server: Sim.Server; vault: Vault<Wallet>; player: Player } {
	const world = sim.World.new({ seed });
	const server = world.startServer();
	const vault = walletVault(server, overrides);
	const player = server.join(userId);
	waitForSession(world, vault, userId);
	return { world, server, vault, player };
}

/** A new world (with simulator `settings`) with two servers, each running a wallet vault. */
export function walletPair(
	seed: number,
	settings?: Record<string, unknown>,
): {
	world: Sim.World;
	a: Sim.Server;
	b: Sim.Server;
	vaultA: Vault<Wallet>;
	vaultB: Vault<Wallet>;
} {
	const world = sim.World.new({ seed, settings });
	const a = world.startServer();
	const b = world.startServer();
	return { world, a, b, vaultA: walletVault(a), vaultB: walletVault(b) };
}

/** Players arrive one at a time, as they do on a real server (users 1..count, `interval` s apart). */
export function joinGradually(world: Sim.World, server: Sim.Server, count: number, interval = 0.5): Array<Player> {
	const players = new Array<Player>();
	for (let userId = 1; userId <= count; userId++) {
		players.push(server.join(userId));
		world.advance(interval);
	}
	return players;
}
