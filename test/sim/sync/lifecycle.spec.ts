import {
	apiCoins,
	auditLog,
	coins,
	readPlayer,
	reasonCounts,
	serverWrite,
	joinedGame,
	syncGame,
	syncWorld,
	waitReady,
	waitSettled,
	storedData,
	type SyncData,
} from "./support/api";
import type * as Library from "../../../src";

// Player ids of this file (the save API's database is shared by the whole run).
const BASE = 740_000;

function storedOutbox(world: Sim.World, userId: number): number {
	return storedData(world, userId)?.sync.outbox.size() ?? -1;
}

/** Options `createSync` cannot work with, each with the argument its error must name. */
const BAD_OPTIONS: Array<[string, unknown]> = [
	["maxRequestsPerMinute", 0],
	["maxRequestsPerMinute", -5],
	["maxRequestsPerMinute", 0 / 0],
	["maxRequestsPerMinute", math.huge],
	["maxRequestsPerMinute", "400"],
	["flushInterval", 0],
	["pullInterval", -1],
	["pullInterval", math.huge],
	["maxRetries", -1],
	["maxRetries", 1.5],
	["maxRetries", math.huge],
	["retryBaseDelay", 0 / 0],
	["retryMaxDelay", 0],
	["requestTimeout", 0],
	["requestTimeout", math.huge],
	["flushDeadline", -8],
	["deadLetterRetryInterval", 0],
	["baseUrl", 5],
	["select", "sync"],
	["onUnreachable", "wait"],
];

export = () => {
	describe("sync sessions", () => {
		it("refuses at creation an option it cannot work with, with InvalidArgument naming it", () => {
			const world = sim.World.new({ seed: 7420, settings: { printLogs: false } });
			const server = world.startServer();
			const hopsafe = server.require<typeof Library>("ReplicatedStorage.hopsafe");
			const base = { baseUrl: "http://127.0.0.1:1", select: (data: SyncData) => data.sync };
			for (const [name, value] of BAD_OPTIONS) {
				const [created, problem] = pcall(() => hopsafe.createSync<SyncData>({ ...base, [name]: value }));
				expect(`${name}=${tostring(value)}: ${created ? "created" : (problem as { kind?: string }).kind}`).to.equal(
					`${name}=${tostring(value)}: InvalidArgument`,
				);
				expect((problem as { details: { argument: string } }).details.argument).to.equal(name);
			}
			// Sensible values still make a client (its thread stops at once).
			const sync = hopsafe.createSync<SyncData>({ ...base, maxRequestsPerMinute: 0.5, maxRetries: 0 });
			sync.close();
			world.advance(1);
			expect(world.takeErrors().size()).to.equal(0);
		});

		it("flushes a leaving player's outbox before the release is written", () => {
			const userId = BASE + 1;
			const world = syncWorld(7401);
			const { server, app, player } = joinedGame(world, userId, { flushInterval: 5 });
			expect(app.sync.addCurrency(userId, "coins", 25, { reason: "leave:1" }).ok).to.equal(true);
			let coinsAtRelease = -1;
			app.vault.released.Connect(() => (coinsAtRelease = apiCoins(world, userId)));
			server.leave(player);
			world.runUntil(() => coinsAtRelease >= 0, 30);
			expect(coinsAtRelease).to.equal(25);
			expect(storedOutbox(world, userId)).to.equal(0);
		});

		it("hands a player to another server in a hop with nothing lost and nothing applied twice", () => {
			const userId = BASE + 2;
			const world = syncWorld(7402);
			const a = world.startServer({ name: "a" });
			const b = world.startServer({ name: "b" });
			const appA = syncGame(a);
			const appB = syncGame(b);
			const player = a.join(userId);
			waitReady(world, appA, userId);
			for (let index = 1; index <= 5; index++) {
				expect(appA.sync.addCurrency(userId, "coins", index, { reason: `hop:${index}` }).ok).to.equal(true);
				world.advance(0.3);
			}
			world.teleport(player, a, b);
			waitReady(world, appB, userId, 60);
			expect(appB.sync.getState(userId)!.currencies.coins).to.equal(15);
			for (let index = 6; index <= 8; index++) {
				expect(appB.sync.addCurrency(userId, "coins", index, { reason: `hop:${index}` }).ok).to.equal(true);
			}
			waitSettled(world, appB, userId);
			expect(apiCoins(world, userId)).to.equal(36);
			const reasons = reasonCounts(world, userId);
			for (let index = 1; index <= 8; index++) expect(reasons.get(`hop:${index}`)).to.equal(1);
		});

		it("never blocks the game on the network: mutations return at once while the API is slow", () => {
			const userId = BASE + 3;
			const world = syncWorld(7403, { http: { latency: { min: 5, max: 5 } } });
			const server = world.startServer();
			const app = syncGame(server);
			server.join(userId);
			waitReady(world, app, userId, 120);
			const [took, shown] = server.run(() => {
				const started = os.clock();
				for (let index = 0; index < 20; index++) app.sync.addCurrency(userId, "coins", 1, { reason: "slow" });
				return [os.clock() - started, app.sync.getState(userId)!.currencies.coins] as const;
			});
			expect(took).to.equal(0);
			expect(shown).to.equal(20);
			// Heartbeat keeps running while requests take 5 virtual seconds each.
			let frames = 0;
			const connection = server.run(() =>
				game.GetService("RunService").Heartbeat.Connect(() => {
					frames += 1;
				}),
			);
			world.advance(4);
			connection.Disconnect();
			expect(frames >= 4 * 55).to.equal(true);
			waitSettled(world, app, userId, 60);
			expect(apiCoins(world, userId)).to.equal(20);
		});

		it("coalesces credits queued between two flushes into one transaction", () => {
			const userId = BASE + 4;
			const world = syncWorld(7404);
			const { app } = joinedGame(world, userId, { flushInterval: 2 });
			world.advance(2.5);
			const keys = new Set<string>();
			for (let index = 0; index < 5; index++) {
				const queued = app.sync.addCurrency(userId, "coins", 3, { reason: "kill:reward" });
				if (queued.ok) keys.add(queued.value);
			}
			// A debit never joins (it could be refused on its own).
			const debit = app.sync.addCurrency(userId, "coins", -1, { reason: "kill:reward" });
			expect(keys.size()).to.equal(1);
			expect(debit.ok && !keys.has(debit.value)).to.equal(true);
			waitSettled(world, app, userId);
			expect(apiCoins(world, userId)).to.equal(14);
			expect(auditLog(world, userId).size()).to.equal(2);
		});

		it("migrates the canonical state at join once, under a key tied to the version", () => {
			const userId = BASE + 5;
			const world = syncWorld(7405);
			expect(serverWrite(world, userId, [{ op: "currency.add", currency: "gold", amount: 50 }]).status).to.equal(201);
			const migrate = (state: { currencies: Record<string, number> }) => {
				const gold = state.currencies.gold ?? 0;
				if (gold === 0) return undefined;
				return [
					{ op: "currency.add" as const, currency: "gold", amount: -gold },
					{ op: "currency.add" as const, currency: "coins", amount: gold },
				];
			};
			const { server, app, player } = joinedGame(world, userId, { migrate });
			expect(app.sync.getState(userId)!.currencies.coins).to.equal(50);
			waitSettled(world, app, userId);
			expect(app.commits[0].key).to.equal(`migrate-${userId}-v1`);
			server.leave(player);
			world.runUntil(() => app.vault.getSession(userId) === undefined, 30);
			world.advance(10);
			const again = syncGame(world.startServer());
			again.server.join(userId);
			waitReady(world, again, userId);
			world.advance(3);
			const state = readPlayer(world, userId);
			expect(state.currencies.coins).to.equal(50);
			expect(state.currencies.gold).to.equal(0);
			expect(state.version).to.equal(2);
		});

		it("resolves awaitCommit with the version once acknowledged, and rejects it on a rollback", () => {
			const userId = BASE + 6;
			const world = syncWorld(7407);
			expect(serverWrite(world, userId, [coins(10)]).status).to.equal(201);
			const { app } = joinedGame(world, userId);
			const credit = app.sync.addCurrency(userId, "coins", 5, { reason: "await:1" });
			const committed = app.sync.awaitCommit(credit.ok ? credit.value : "");
			const spend = app.sync.addCurrency(userId, "coins", -15, { reason: "await:2" });
			const refused = app.sync.awaitCommit(spend.ok ? spend.value : "");
			// Another writer takes 10 coins first: the spend of 15 can no longer be paid.
			expect(serverWrite(world, userId, [coins(-10)]).status).to.equal(201);
			const [ok, version] = committed.await();
			expect(ok).to.equal(true);
			expect(typeIs(version, "number") && version >= 2).to.equal(true);
			const [rejectedOk, failure] = refused.await();
			expect(rejectedOk).to.equal(false);
			expect((failure as { kind: string }).kind).to.equal("ApiRejected");
			expect((failure as { details: { code: string } }).details.code).to.equal("insufficient_funds");
			expect(apiCoins(world, userId)).to.equal(5);
		});

		it("flushes every player at shutdown in shared requests", () => {
			const world = syncWorld(7406);
			const server = world.startServer();
			const app = syncGame(server, { flushInterval: 30 });
			for (let index = 0; index < 20; index++) server.join(BASE + 100 + index);
			world.runUntil(() => {
				for (let index = 0; index < 20; index++) if (!app.sync.isReady(BASE + 100 + index)) return false;
				return true;
			}, 120);
			world.advance(31);
			for (let index = 0; index < 20; index++) app.sync.addCurrency(BASE + 100 + index, "coins", 7, { reason: "shutdown" });
			const before = app.sync.stats().batches;
			server.shutdown();
			for (let index = 0; index < 20; index++) expect(apiCoins(world, BASE + 100 + index)).to.equal(7);
			expect(app.sync.stats().batches - before <= 3).to.equal(true);
		});
	});
};
