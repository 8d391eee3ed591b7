import { apiCoins, joinedGame, syncGame, syncWorld, waitReady, waitSettled } from "./support/api";

// Player ids of this file (the save API's database is shared by the whole run).
const BASE = 930_100;

const RATE_LIMITED = '{"error":{"code":"rate_limited","message":"Too many requests; retry later.","details":{}}}';

/** The save API answers the next `method` request to `match` of `server` 429 with `retryAfter`. */
function rateLimitNext(world: Sim.World, server: Sim.Server, method: string, match: string, retryAfter: string): void {
	world.failHttp({
		kind: "status",
		status: 429,
		count: 1,
		server,
		method,
		match,
		headers: { "Retry-After": retryAfter },
		body: RATE_LIMITED,
	});
}

/**
 * A player joins while the save API answers their first read 429 with `retryAfter`: the seconds
 * between the two reads, and whether the player became ready.
 */
function readGap(userId: number, seed: number, retryAfter: string): { readonly gap: number; readonly ready: boolean } {
	const world = syncWorld(seed);
	const server = world.startServer();
	const app = syncGame(server);
	rateLimitNext(world, server, "GET", "/v1/players/", retryAfter);
	server.join(userId);
	world.runUntil(() => app.sync.stats().reads === 1, 10);
	const firstAt = world.now();
	world.runUntil(() => app.sync.stats().reads === 2, 300);
	const gap = world.now() - firstAt;
	world.runUntil(() => app.sync.isReady(userId), 60);
	return { gap, ready: app.sync.isReady(userId) };
}

export = () => {
	describe("sync Retry-After", () => {
		it("sends a transfer answered 429 again within a minute however long a Retry-After asks for", () => {
			const giver = BASE + 4;
			const taker = BASE + 5;
			const world = syncWorld(9304);
			const { server, app } = joinedGame(world, giver);
			server.join(taker);
			waitReady(world, app, taker);
			expect(app.sync.addCurrency(giver, "coins", 50, { reason: "seed" }).ok).to.equal(true);
			waitSettled(world, app, giver);
			rateLimitNext(world, server, "POST", "/v1/transfers", "100000");
			let versions: ReadonlyMap<number, number> | undefined;
			let failure: unknown;
			app.sync.transfer([{ from: giver, to: taker, currencies: { coins: 20 } }], { key: "retry-after-9304" }).then(
				(result) => (versions = result),
				(problem: unknown) => (failure = problem),
			);
			const started = world.now();
			world.runUntil(() => versions !== undefined || failure !== undefined, 120);
			expect(failure).to.equal(undefined);
			expect(versions?.size()).to.equal(2);
			expect(world.now() - started > 59.9).to.equal(true);
		});

		it("sends a batch answered 429 again within a minute however long a Retry-After asks for", () => {
			const userId = BASE + 6;
			const world = syncWorld(9306);
			const { server, app } = joinedGame(world, userId);
			rateLimitNext(world, server, "POST", "/v1/batch", "100000");
			expect(app.sync.addCurrency(userId, "coins", 9, { reason: "limited batch" }).ok).to.equal(true);
			world.runUntil(() => app.sync.stats().batches === 1, 10);
			const limitedAt = world.now();
			world.runUntil(() => apiCoins(world, userId) === 9, 120);
			expect(world.now() - limitedAt > 59.9).to.equal(true);
		});

		it("pulls no sooner than the Retry-After of a pull answered 429", () => {
			const userId = BASE + 3;
			const world = syncWorld(9303);
			const { server, app } = joinedGame(world, userId);
			const before = app.sync.stats().pulls;
			rateLimitNext(world, server, "POST", "/v1/changes", "30");
			world.runUntil(() => app.sync.stats().pulls === before + 1, 30);
			const limitedAt = world.now();
			world.runUntil(() => app.sync.stats().pulls === before + 2, 120);
			expect(app.sync.stats().pulls).to.equal(before + 2);
			expect(world.now() - limitedAt > 29.9).to.equal(true);
		});

		it("waits out the Retry-After of a read answered 429 before reading again", () => {
			const { gap, ready } = readGap(BASE + 1, 9301, "20");
			// Virtual time moves in frames: allow for rounding.
			expect(gap > 19.9).to.equal(true);
			expect(ready).to.equal(true);
		});

		it("waits at most a minute however long a Retry-After asks for", () => {
			const { gap, ready } = readGap(BASE + 2, 9302, "100000");
			expect(gap > 59.9).to.equal(true);
			expect(gap < 70).to.equal(true);
			expect(ready).to.equal(true);
		});
	});
};
