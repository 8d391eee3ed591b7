import { HttpService } from "@rbxts/services";
import { t } from "@rbxts/t";
import type * as Library from "../../../../src";
import type { Sync, SyncOp, SyncOptions, SyncRecord, SyncState } from "../../../../src/sync";
import type { Vault, VaultOptions } from "../../../../src/vault";
import { encodeOps } from "../../../../src/sync/wire";

/** The library as loaded inside one simulated server. */
type Hopsafe = typeof Library;

/** The name of the secret holding the save API's server key in every sync world. */
export const SECRET = "hopsafe-save-api";

/** The save API that tools/test.mjs started for this run (tools/lib/saveApi.mjs). */
export interface ApiEnv {
	readonly url: string;
	readonly serverKey: string;
	readonly adminKey: string;
	readonly openCloudPort: number;
	readonly openCloudKey: string;
	readonly database: string;
}

/** The running save API, or an error naming what is missing. */
export function apiEnv(): ApiEnv {
	const env = sim.env;
	const url = env.HOPSAFE_API_URL;
	if (url === undefined) {
		throw "the sync specs need the save API: run them through `npm test` (tools/test.mjs starts it)";
	}
	return {
		url,
		serverKey: env.HOPSAFE_API_SERVER_KEY!,
		adminKey: env.HOPSAFE_API_ADMIN_KEY!,
		openCloudPort: tonumber(env.HOPSAFE_OPEN_CLOUD_PORT)!,
		openCloudKey: env.HOPSAFE_OPEN_CLOUD_KEY!,
		database: env.HOPSAFE_API_DATABASE ?? "?",
	};
}

/**
 * A world wired to the save API: the server key in the secrets store, and the world's Open
 * Cloud endpoint on the port the API publishes its invalidations to.
 */
export function syncWorld(seed: number, settings: Record<string, unknown> = {}): Sim.World {
	const api = apiEnv();
	const world = sim.World.new({ seed, settings: { printLogs: false, ...settings } });
	world.setSecret(SECRET, api.serverKey);
	// The port of the previous test's world is freed once Lune's event loop runs: give it a moment.
	let lastError: unknown;
	for (let attempt = 1; attempt <= 1500; attempt++) {
		const [started, problem] = pcall(() =>
			world.startOpenCloud({
				port: api.openCloudPort,
				apiKeys: { [api.openCloudKey]: { scopes: ["universe-messaging-service:publish"] } },
			}),
		);
		if (started) return world;
		lastError = problem;
		sim.hostWait(0.02);
	}
	throw `could not serve Open Cloud on port ${api.openCloudPort}: ${tostring(lastError)}`;
}

export interface SyncData {
	sync: SyncRecord;
}

export interface SyncGame {
	readonly server: Sim.Server;
	readonly vault: Vault<SyncData>;
	readonly sync: Sync<SyncData>;
	readonly rollbacks: Array<{ userId: number; reason: string; key: string }>;
	readonly commits: Array<{ userId: number; key: string; version: number }>;
}

/** A game on `server` in the external-authority mode: a vault whose sessions the sync client drives. */
export function syncGame(
	server: Sim.Server,
	overrides: Partial<SyncOptions<SyncData>> = {},
	vaultOverrides: Partial<VaultOptions<SyncData>> = {},
): SyncGame {
	const hopsafe = server.require<Hopsafe>("ReplicatedStorage.hopsafe");
	const sync = hopsafe.createSync<SyncData>({
		baseUrl: apiEnv().url,
		secretName: SECRET,
		select: (data) => data.sync,
		...overrides,
	});
	const vault = hopsafe.createVault<SyncData>({
		name: "SyncData",
		template: { sync: hopsafe.createSyncRecord() },
		schema: t.interface({ sync: hopsafe.isSyncRecord }) as (value: unknown) => value is SyncData,
		hooks: sync.hooks,
		onLoadFailure: "hold",
		...vaultOverrides,
	});
	const rollbacks = new Array<{ userId: number; reason: string; key: string }>();
	const commits = new Array<{ userId: number; key: string; version: number }>();
	sync.rolledBack.Connect((userId, rollback) => rollbacks.push({ userId, reason: rollback.reason, key: rollback.key }));
	sync.committed.Connect((userId, key, version) => commits.push({ userId, key, version }));
	return { server, vault, sync, rollbacks, commits };
}

/** A game on a new server of `world`, with `userId` joined there and their state ready. */
export function joinedGame(
	world: Sim.World,
	userId: number,
	overrides: Partial<SyncOptions<SyncData>> = {},
): { readonly app: SyncGame; readonly server: Sim.Server; readonly player: Player } {
	const server = world.startServer();
	const app = syncGame(server, overrides);
	const player = server.join(userId);
	waitReady(world, app, userId);
	return { app, server, player };
}

/** Runs the world until the player's state is pulled and ready on `game`'s server. */
export function waitReady(world: Sim.World, client: SyncGame, userId: number, limit = 120): number {
	return world.runUntil(() => client.sync.isReady(userId), limit);
}

/** Runs the world until the player has nothing pending on `game`'s server. */
export function waitSettled(world: Sim.World, client: SyncGame, userId: number, limit = 60): number {
	return world.runUntil(() => client.sync.pendingCount(userId) === 0, limit);
}

/** An answer of the API as a spec reads it. */
export interface Reply {
	readonly status: number;
	readonly body: unknown;
	readonly headers: Record<string, string>;
}

/** A real request to the save API from the spec (the companion, the admin, or a check). */
export function apiRequest(
	world: Sim.World,
	method: string,
	path: string,
	options: { body?: string; auth?: string; key?: string; ifMatch?: number } = {},
): Reply {
	const api = apiEnv();
	const headers: Record<string, string> = { authorization: `Bearer ${options.auth ?? api.serverKey}` };
	if (options.body !== undefined) headers["content-type"] = "application/json";
	if (options.key !== undefined) headers["idempotency-key"] = options.key;
	if (options.ifMatch !== undefined) headers["if-match"] = `"${options.ifMatch}"`;
	const response = world.httpRequest({ url: `${api.url}${path}`, method, headers, body: options.body });
	let body: unknown;
	if (response.body !== "") {
		const [success, decoded] = pcall(() => HttpService.JSONDecode(response.body));
		body = success ? decoded : response.body;
	}
	return { status: response.statusCode, body, headers: response.headers };
}

/**
 * The player's profile data as the DataStore holds it (what a crash leaves behind), or
 * undefined before the first save.
 */
export function storedData<T = SyncData>(world: Sim.World, userId: number): T | undefined {
	const value = world.dataStore().read({ store: "SyncData", key: `player_${userId}` })?.value as
		| { Data?: { value?: T } }
		| undefined;
	return value?.Data?.value;
}

/** The player's canonical state, read with the server key. */
export function readPlayer(world: Sim.World, userId: number): SyncState & { items: Array<{ id: string; count: number }> } {
	const reply = apiRequest(world, "GET", `/v1/players/${userId}`);
	assert(reply.status === 200, `GET player ${userId}: ${reply.status}`);
	return reply.body as never;
}

/** Coins of the player at the API. */
export function apiCoins(world: Sim.World, userId: number): number {
	return (readPlayer(world, userId).currencies.coins as number | undefined) ?? 0;
}

/** A companion token for one player and some operation kinds (admin key). */
export function companionToken(world: Sim.World, userId: number, ops: Array<string> = ["currency.add", "item.remove"]): string {
	const reply = apiRequest(world, "POST", "/v1/companion/tokens", {
		auth: apiEnv().adminKey,
		body: HttpService.JSONEncode({ userId, ops }),
	});
	assert(reply.status === 201, `companion token: ${reply.status}`);
	return (reply.body as { token: string }).token;
}

/** A companion transaction over real HTTP (its own key unless given). */
export function companionWrite(
	world: Sim.World,
	token: string,
	userId: number,
	ops: ReadonlyArray<SyncOp>,
	options: { key?: string; reason?: string } = {},
): Reply {
	const encode = (value: unknown) => HttpService.JSONEncode(value);
	const reason = options.reason !== undefined ? `,"reason":"${options.reason}"` : "";
	return apiRequest(world, "POST", `/v1/players/${userId}/transactions`, {
		auth: token,
		key: options.key ?? HttpService.GenerateGUID(false),
		body: `{"ops":${encodeOps(encode, ops)}${reason}}`,
	});
}

/** A game-server transaction sent from the spec with the server key (seeding a player). */
export function serverWrite(world: Sim.World, userId: number, ops: ReadonlyArray<SyncOp>, key?: string): Reply {
	const encode = (value: unknown) => HttpService.JSONEncode(value);
	return apiRequest(world, "POST", `/v1/players/${userId}/transactions`, {
		key: key ?? HttpService.GenerateGUID(false),
		body: `{"ops":${encodeOps(encode, ops)}}`,
	});
}

/** The player's audit log, oldest first (admin key). */
export function auditLog(world: Sim.World, userId: number): Array<{ version: number; actor: string; reason?: string }> {
	const entries = new Array<{ version: number; actor: string; reason?: string }>();
	let before: number | undefined;
	for (;;) {
		const query = before === undefined ? "?limit=100" : `?limit=100&before=${before}`;
		const reply = apiRequest(world, "GET", `/v1/players/${userId}/audit${query}`, { auth: apiEnv().adminKey });
		assert(reply.status === 200, `audit ${userId}: ${reply.status}`);
		const page = reply.body as { entries: Array<{ version: number; actor: string; reason?: string }>; next?: number };
		for (const entry of page.entries) entries.push(entry);
		if (page.next === undefined || page.entries.size() === 0) break;
		before = page.next;
	}
	entries.sort((a, b) => a.version < b.version);
	return entries;
}

/**
 * Gives the save API wall time to publish the player's invalidation to the world's Open Cloud
 * endpoint while virtual time stands still (as during any real I/O): waits, at most `seconds` of
 * wall time, until the world's event log shows a publish on the player's topic after entry
 * `fromEvent` (take `world.events.size()` before the write). Returns whether it came.
 */
export function awaitPush(world: Sim.World, userId: number, fromEvent: number, seconds = 5): boolean {
	const suffix = ` messaging.publish openCloud hopsafe-player-${userId}`;
	const started = sim.wallClock();
	let seen = fromEvent;
	for (;;) {
		const events = world.events;
		for (let index = seen; index < events.size(); index++) {
			const event = events[index];
			if (event.sub(-suffix.size()) === suffix) return true;
		}
		seen = events.size();
		if (sim.wallClock() - started > seconds) return false;
		sim.hostWait(0.005);
	}
}

export function coins(amount: number): SyncOp {
	return { op: "currency.add", currency: "coins", amount };
}

/** How many writes of the player's audit log carry each reason (a reason names one operation in these specs). */
export function reasonCounts(world: Sim.World, userId: number): Map<string, number> {
	const counts = new Map<string, number>();
	for (const entry of auditLog(world, userId)) {
		if (entry.reason !== undefined) counts.set(entry.reason, (counts.get(entry.reason) ?? 0) + 1);
	}
	return counts;
}
