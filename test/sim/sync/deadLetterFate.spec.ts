import { apiCoins, joinedGame, reasonCounts, syncWorld } from "./support/api";

// A dead-lettered transaction the API may or may not have applied: a pull that read the player
// settles which, so the view neither drops coins the API never got nor counts them twice.

const BASE = 982_000;

/** Joins `userId`, fails the batch requests as `kind` says until one coin credit is dead-lettered. */
function deadLettered(seed: number, userId: number, kind: Sim.HttpFaultSpec["kind"]) {
	const world = syncWorld(seed);
	// Dead letters are tried again only much later: what happens before is the pull's doing.
	const { server, app } = joinedGame(world, userId, { deadLetterRetryInterval: 600 });
	let deadKey: string | undefined;
	app.sync.deadLettered.Connect((_userId, key) => (deadKey = key));
	// The first send and its 3 retries.
	world.failHttp({ kind, count: 4, server, match: "/v1/batch" });
	const queued = app.sync.addCurrency(userId, "coins", 5, { reason: `fate:${kind}` });
	assert(queued.ok, "queued");
	world.runUntil(() => deadKey !== undefined, 60);
	assert(deadKey === queued.value, "dead-lettered");
	// Several timer pulls, well before the dead letter is tried again.
	world.advance(20);
	return { world, app, key: queued.value };
}

export = () => {
	describe("the fate of a dead letter, at the pull", () => {
		it("keeps a dead letter the API never applied in the player's view", () => {
			const userId = BASE + 1;
			const { world, app } = deadLettered(98201, userId, "connectFail");
			expect(apiCoins(world, userId)).to.equal(0);
			expect(app.sync.getState(userId)!.currencies.coins).to.equal(5);
			expect(app.sync.pendingCount(userId)).to.equal(1);
			// Its next attempt applies it, once.
			world.advance(600);
			expect(apiCoins(world, userId)).to.equal(5);
			expect(app.sync.pendingCount(userId)).to.equal(0);
			expect(app.sync.getState(userId)!.currencies.coins).to.equal(5);
			expect(reasonCounts(world, userId).get("fate:connectFail")).to.equal(1);
		});

		it("acknowledges a dead letter the API applied, counting it once", () => {
			const userId = BASE + 2;
			const { world, app, key } = deadLettered(98202, userId, "dropResponse");
			expect(apiCoins(world, userId)).to.equal(5);
			expect(app.sync.pendingCount(userId)).to.equal(0);
			expect(app.sync.getState(userId)!.currencies.coins).to.equal(5);
			expect(app.commits.map((commit) => commit.key).includes(key)).to.equal(true);
			expect(reasonCounts(world, userId).get("fate:dropResponse")).to.equal(1);
		});
	});
};
