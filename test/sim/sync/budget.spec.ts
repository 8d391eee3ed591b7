import { apiCoins, syncGame, syncWorld, waitSettled, type SyncGame } from "./support/api";

// Player ids of this file (the save API's database is shared by the whole run).
const BASE = 750_000;
const PLAYERS = 100;

interface Load {
	/** Mutations queued per player. */
	readonly queued: Map<number, number>;
	/** Virtual seconds from each mutation to its acknowledgement. */
	readonly latencies: Array<number>;
	readonly stop: () => void;
}

/** Every player does one mutation a second (a credit), at phases spread over the second. */
function startLoad(world: Sim.World, app: SyncGame, first: number): Load {
	const queued = new Map<number, number>();
	const latencies = new Array<number>();
	const waiting = new Map<string, Array<number>>();
	app.sync.committed.Connect((_userId, key) => {
		const times = waiting.get(key);
		if (times === undefined) return;
		waiting.delete(key);
		for (const time of times) latencies.push(world.now() - time);
	});
	const due = new Map<number, number>();
	for (let index = 0; index < PLAYERS; index++) due.set(first + index, world.now() + index / PLAYERS);
	const connection = app.server.run(() =>
		game.GetService("RunService").Heartbeat.Connect(() => {
			const now = world.now();
			for (const [userId, at] of due) {
				if (at > now) continue;
				due.set(userId, at + 1);
				const outcome = app.sync.addCurrency(userId, "coins", 1, { reason: "play:tick" });
				if (!outcome.ok) continue;
				queued.set(userId, (queued.get(userId) ?? 0) + 1);
				const times = waiting.get(outcome.value) ?? [];
				times.push(now);
				waiting.set(outcome.value, times);
			}
		}),
	);
	return { queued, latencies, stop: () => connection.Disconnect() };
}

/** Requests the server sent in each whole minute from now, for `minutes` minutes. */
function perMinute(world: Sim.World, server: Sim.Server, minutes: number): Array<number> {
	const counts = new Array<number>();
	for (let minute = 0; minute < minutes; minute++) {
		const before = world.counter("HttpService", "RequestAsync", server.name);
		world.advance(60);
		counts.push(world.counter("HttpService", "RequestAsync", server.name) - before);
	}
	return counts;
}

function median(values: Array<number>): number {
	const sorted = [...values];
	sorted.sort((a, b) => a < b);
	return sorted[math.floor(sorted.size() / 2)];
}

function joinAll(world: Sim.World, app: SyncGame, first: number): void {
	for (let index = 0; index < PLAYERS; index++) {
		app.server.join(first + index);
		world.advance(0.2);
	}
	world.runUntil(() => {
		for (let index = 0; index < PLAYERS; index++) if (!app.sync.isReady(first + index)) return false;
		return true;
	}, 300);
}

/**
 * Waits until nothing is pending, then compares every player's coins at the API and on the server
 * with the credits queued: returns the players that differ (applied twice, or lost).
 */
function mismatches(world: Sim.World, app: SyncGame, load: Load, first: number): Array<string> {
	for (let index = 0; index < PLAYERS; index++) waitSettled(world, app, first + index, 300);
	const wrong = new Array<string>();
	for (let index = 0; index < PLAYERS; index++) {
		const userId = first + index;
		const queued = load.queued.get(userId) ?? 0;
		const atApi = apiCoins(world, userId);
		const shown = app.sync.getState(userId)!.currencies.coins ?? 0;
		if (atApi !== queued || shown !== queued) wrong.push(`${userId}: queued ${queued}, API ${atApi}, shown ${shown}`);
	}
	return wrong;
}

export = () => {
	describe("sync request budget", () => {
		it("sends at most 120 requests a minute for 100 players doing a mutation a second, committing in under a second (median)", () => {
			const first = BASE + 1;
			const world = syncWorld(7501, { http: { latency: { min: 0.05, max: 0.25 } } });
			const app = syncGame(world.startServer());
			joinAll(world, app, first);
			world.advance(10);
			const load = startLoad(world, app, first);
			world.advance(10);
			const counts = perMinute(world, app.server, 3);
			load.stop();
			for (const count of counts) expect(count <= 120).to.equal(true);
			expect(median(load.latencies) <= 1).to.equal(true);
			expect(mismatches(world, app, load, first).size()).to.equal(0);
		});

		it("stays far under 500 requests a minute through a retry storm, then applies everything exactly once", () => {
			const first = BASE + 201;
			const world = syncWorld(7502);
			const app = syncGame(world.startServer());
			joinAll(world, app, first);
			world.advance(10);
			const load = startLoad(world, app, first);
			world.advance(5);
			// The API answers every request of this server with 503 for two minutes.
			const storm = world.failHttp({ kind: "status", status: 503, count: 1_000_000, server: app.server });
			const counts = perMinute(world, app.server, 2);
			storm.remaining = 1;
			const recovery = perMinute(world, app.server, 2);
			load.stop();
			for (const count of [...counts, ...recovery]) expect(count <= 500).to.equal(true);
			expect(app.sync.stats().deadLettered > 0).to.equal(true);
			// Dead letters come back every minute; give them time, then check every credit.
			world.advance(70);
			expect(mismatches(world, app, load, first).size()).to.equal(0);
		});

		it("caps requests at its budget even when configured to retry as fast as it can", () => {
			const first = BASE + 401;
			// Instant HTTP with no cap on requests in flight: only then can a server reach its budget
			// (one slot at 0.2-0.6 s a request could not send 380 a minute).
			const world = syncWorld(7503, { http: { concurrentRequests: math.huge, latency: { min: 0, max: 0 } } });
			const app = syncGame(world.startServer(), {
				flushInterval: 0.05,
				pullInterval: 0.1,
				retryBaseDelay: 0.01,
				retryMaxDelay: 0.01,
				maxRetries: 1000,
			});
			joinAll(world, app, first);
			const load = startLoad(world, app, first);
			const storm = world.failHttp({ kind: "status", status: 503, count: 1_000_000, server: app.server });
			const counts = perMinute(world, app.server, 2);
			storm.remaining = 1;
			load.stop();
			// The budget: 400 a minute plus a burst of 10, under HttpService's 500.
			for (const count of counts) expect(count <= 410).to.equal(true);
			expect(counts[1] >= 380).to.equal(true);
			expect(app.sync.stats().budgetWaits > 0).to.equal(true);
			expect(mismatches(world, app, load, first).size()).to.equal(0);
		});
	});
};
