import {
	apiCoins,
	reasonCounts,
	joinedGame,
	syncGame,
	syncWorld,
	waitReady,
	waitSettled,
	storedData,
} from "./support/api";

// Player ids of this file (the save API's database is shared by the whole run).
const BASE = 730_000;

interface StoredSync {
	outbox: Array<{ key: string; reason?: string }>;
	deadLetters: Array<{ key: string; reason?: string }>;
}

/** The sync record as the DataStore holds it (what a crash leaves behind). */
function storedSync(world: Sim.World, userId: number): StoredSync | undefined {
	return storedData(world, userId)?.sync as unknown as StoredSync | undefined;
}

const FAULTS: Array<[string, Sim.HttpFaultSpec["kind"], number | undefined]> = [
	["the request is lost before it is sent", "connectFail", undefined],
	["the response is lost after the commit", "dropResponse", undefined],
	["the request times out", "timeout", undefined],
	["the API answers 503", "status", 503],
	["the API answers 500", "status", 500],
];

export = () => {
	describe("sync faults", () => {
		FAULTS.forEach(([label, kind, status], index) => {
			it(`applies a transaction exactly once when ${label}`, () => {
				const userId = BASE + 1 + index;
				const world = syncWorld(7301 + index);
				const { server, app } = joinedGame(world, userId, { requestTimeout: 3 });
				world.failHttp({ kind, status, count: 2, server, match: "/v1/batch" });
				expect(app.sync.addCurrency(userId, "coins", 10, { reason: `fault:${kind}` }).ok).to.equal(true);
				expect(app.sync.grantItem(userId, { def: "gem" }, { reason: `fault:${kind}:item` }).ok).to.equal(true);
				waitSettled(world, app, userId, 60);
				world.advance(6);

				expect(apiCoins(world, userId)).to.equal(10);
				const reasons = reasonCounts(world, userId);
				expect(reasons.get(`fault:${kind}`)).to.equal(1);
				expect(reasons.get(`fault:${kind}:item`)).to.equal(1);
				expect(app.commits.size()).to.equal(2);
				expect(app.sync.getState(userId)!.currencies.coins).to.equal(10);
				const stats = app.sync.stats();
				expect(stats.transportFailures >= 2 || kind === "status").to.equal(true);
				// A response lost after the commit is answered from the stored response on retry.
				if (kind === "dropResponse") expect(stats.replayed).to.equal(2);
				else expect(stats.replayed).to.equal(0);
			});
		});

		it("replays the outbox a crashed server left, with the same keys, at the next join", () => {
			const userId = BASE + 10;
			const world = syncWorld(7310);
			const a = world.startServer({ name: "a" });
			const first = syncGame(a);
			a.join(userId);
			waitReady(world, first, userId);
			// The first batch commits but its answer is lost; every later one never leaves.
			world.failHttp({ kind: "dropResponse", count: 1, server: a, match: "/v1/batch" });
			world.failHttp({ kind: "connectFail", count: 1000, server: a, match: "/v1/batch" });
			expect(first.sync.addCurrency(userId, "coins", 10, { reason: "crash:1" }).ok).to.equal(true);
			expect(first.sync.addCurrency(userId, "coins", 20, { reason: "crash:2" }).ok).to.equal(true);
			world.runUntil(() => first.sync.stats().transportFailures >= 2, 30);
			expect(first.sync.addCurrency(userId, "coins", 30, { reason: "crash:3" }).ok).to.equal(true);
			// The entries whose fate is unknown are saved soon after their first failure.
			world.runUntil(() => (storedSync(world, userId)?.outbox.size() ?? 0) === 3, 60);
			const stored = storedSync(world, userId)!.outbox.map((entry) => entry.key);
			expect(apiCoins(world, userId)).to.equal(30);
			a.crash();

			const b = world.startServer({ name: "b" });
			const second = syncGame(b);
			b.join(userId);
			waitReady(world, second, userId, 180);
			waitSettled(world, second, userId);

			expect(apiCoins(world, userId)).to.equal(60);
			const reasons = reasonCounts(world, userId);
			for (const reason of ["crash:1", "crash:2", "crash:3"]) expect(reasons.get(reason)).to.equal(1);
			// The same keys: the two committed ones were answered from their stored responses.
			expect(second.sync.stats().replayed).to.equal(2);
			const committed = second.commits.map((commit) => commit.key);
			for (const key of stored) expect(committed.includes(key)).to.equal(true);
			expect(second.sync.getState(userId)!.currencies.coins).to.equal(60);
		});

		it("dead-letters a transaction after 3 retries, keeps it in the profile and applies it once at the next session", () => {
			const userId = BASE + 11;
			const world = syncWorld(7311);
			const server = world.startServer();
			const app = syncGame(server);
			let deadKey: string | undefined;
			app.sync.deadLettered.Connect((_userId, key) => (deadKey = key));
			const player = server.join(userId);
			waitReady(world, app, userId);
			// The first send and 3 retries fail, then the attempt made at leave.
			world.failHttp({ kind: "connectFail", count: 5, server, match: "/v1/batch" });
			const queued = app.sync.addCurrency(userId, "coins", 5, { reason: "dead:1" });
			world.runUntil(() => deadKey !== undefined, 60);
			expect(deadKey).to.equal(queued.ok ? queued.value : "");
			expect(app.sync.getState(userId)!.currencies.coins).to.equal(5);
			world.runUntil(() => (storedSync(world, userId)?.deadLetters.size() ?? 0) === 1, 30);
			let released = false;
			app.vault.released.Connect(() => (released = true));
			server.leave(player);
			world.runUntil(() => released, 60);
			expect(apiCoins(world, userId)).to.equal(0);
			expect(storedSync(world, userId)!.deadLetters.size()).to.equal(1);

			const later = syncGame(world.startServer());
			later.server.join(userId);
			waitReady(world, later, userId);
			waitSettled(world, later, userId);
			expect(apiCoins(world, userId)).to.equal(5);
			expect(reasonCounts(world, userId).get("dead:1")).to.equal(1);
			expect(later.commits[0].key).to.equal(deadKey);
		});

		it("counts a coalesced entry saved before it grew as applied when its key answers 422", () => {
			const userId = BASE + 14;
			const world = syncWorld(7314);
			const a = world.startServer({ name: "a" });
			const first = syncGame(a, { flushInterval: 5 });
			a.join(userId);
			waitReady(world, first, userId);
			world.advance(6);
			const key = first.sync.addCurrency(userId, "coins", 1, { reason: "grow" });
			// Saved while it holds one credit...
			first.vault.getSession(userId)!.saveAsync().await();
			// ...then a second credit joins the same unsent transaction, which commits with both.
			const again = first.sync.addCurrency(userId, "coins", 2, { reason: "grow" });
			expect(key.ok && again.ok && key.value === again.value).to.equal(true);
			world.runUntil(() => first.commits.size() > 0, 10);
			a.crash();
			const stored = storedSync(world, userId)!.outbox as unknown as Array<{ ops: Array<{ amount: number }> }>;
			expect(stored.size()).to.equal(1);
			expect(stored[0].ops[0].amount).to.equal(1);

			const later = syncGame(world.startServer({ name: "b" }));
			later.server.join(userId);
			waitReady(world, later, userId, 180);
			waitSettled(world, later, userId);
			world.advance(6);
			expect(apiCoins(world, userId)).to.equal(3);
			expect(later.sync.getState(userId)!.currencies.coins).to.equal(3);
			expect(reasonCounts(world, userId).get("grow")).to.equal(1);
		});

		it("rolls back a transaction the API cannot store without holding up the others in its batch", () => {
			const [deep, plain] = [BASE + 15, BASE + 16];
			const world = syncWorld(7315);
			const { server, app } = joinedGame(world, deep);
			server.join(plain);
			waitReady(world, app, plain);
			// Attributes nested deeper than the API stores: it refuses that entry alone.
			let attrs: Record<string, unknown> = {};
			for (let level = 0; level < 40; level++) attrs = { inner: attrs };
			const refused = app.sync.mutate(deep, [
				{ op: "item.grant", item: { id: `${deep}-deep`, def: "gem", count: 1, attrs } },
			]);
			expect(refused.ok).to.equal(true);
			expect(app.sync.addCurrency(plain, "coins", 5).ok).to.equal(true);
			waitSettled(world, app, plain);
			// The rollback is told once the refetch it starts has answered, after the entry left the outbox.
			world.runUntil(() => app.rollbacks.size() > 0, 60);
			expect(apiCoins(world, plain)).to.equal(5);
			expect(app.rollbacks.map((rollback) => `${rollback.userId} ${rollback.reason}`).join(",")).to.equal(
				`${deep} invalid_request`,
			);
			expect(app.sync.getState(deep)!.items[`${deep}-deep`]).to.equal(undefined);
			expect(app.sync.stats().transportFailures).to.equal(0);
		});

		it("refuses at once a write whose values JSON cannot carry, holding up no other player", () => {
			const [odd, plain] = [BASE + 17, BASE + 18];
			const world = syncWorld(7317);
			const { server, app } = joinedGame(world, odd);
			server.join(plain);
			waitReady(world, app, plain);
			const cycle: Record<string, unknown> = {};
			cycle.self = cycle;
			const mixed: Record<string | number, unknown> = { name: "x" };
			mixed[1] = "y";
			const values: Array<[string, Record<string, unknown>]> = [
				["nan", { volume: 0 / 0 }],
				["inf", { nested: { range: math.huge } }],
				["-inf", { list: [1, -math.huge] }],
				["a function", { onUse: () => 1 }],
				["a Vector3", { at: new Vector3(1, 2, 3) }],
				["a cycle", { loop: cycle }],
				["a table mixing keys", { tags: mixed }],
				["an array with a hole", { list: [1, undefined, 3] }],
			];
			const answers = new Array<string>();
			for (const [label, value] of values) {
				const attempts: Array<() => unknown> = [
					() => app.sync.setDoc(odd, "settings", value),
					() => app.sync.grantItem(odd, { def: "gem", attrs: value }, { freshIds: true }),
					() => app.sync.updateItem(odd, "none", value),
				];
				attempts.forEach((attempt, index) => {
					const [called, result] = pcall(attempt);
					const answer = called
						? (result as { ok: boolean; error?: string }).ok
							? "queued"
							: (result as { error: string }).error
						: `threw ${tostring(result)}`;
					answers.push(`${label} ${index}: ${answer}`);
				});
			}
			expect(answers.filter((answer) => answer.find("invalid_request")[0] === undefined).join("; ")).to.equal("");
			expect(app.sync.pendingCount(odd)).to.equal(0);
			expect(app.sync.addCurrency(plain, "coins", 5).ok).to.equal(true);
			waitSettled(world, app, plain);
			expect(apiCoins(world, plain)).to.equal(5);
			expect(app.sync.stats().transportFailures).to.equal(0);
			expect(world.takeErrors().size()).to.equal(0);
		});

		it("retries a 408 at join as a transient failure, so the player becomes ready", () => {
			const userId = BASE + 19;
			const world = syncWorld(7319);
			const server = world.startServer();
			const app = syncGame(server);
			let held: string | undefined;
			app.vault.loadFailed.Connect((report) => (held = report.error.kind));
			world.failHttp({
				kind: "status",
				status: 408,
				count: 2,
				server,
				method: "GET",
				match: "/v1/players/",
				body: '{"error":{"code":"request_timeout","message":"The request was not received in time.","details":{}}}',
			});
			server.join(userId);
			world.runUntil(() => app.sync.isReady(userId) || held !== undefined, 60);
			expect(held).to.equal(undefined);
			expect(app.sync.isReady(userId)).to.equal(true);
			expect(app.sync.stats().reads).to.equal(3);
		});

		it("waits out the retryAfterSeconds of an entry refused 429 inside a batch answer", () => {
			const userId = BASE + 20;
			const world = syncWorld(7320);
			const { server, app } = joinedGame(world, userId);
			const limited =
				'{"error":{"code":"rate_limited","message":"Too many requests; retry later.","details":{"retryAfterSeconds":30}}}';
			world.failHttp({
				kind: "status",
				status: 200,
				count: 1,
				server,
				match: "/v1/batch",
				body: `{"results":[{"status":429,"replayed":false,"body":${limited}}]}`,
			});
			expect(app.sync.addCurrency(userId, "coins", 7, { reason: "limited" }).ok).to.equal(true);
			world.runUntil(() => app.sync.stats().batches === 1, 10);
			const sentAt = world.now();
			world.runUntil(() => app.sync.stats().batches === 2, 90);
			expect(world.now() - sentAt >= 30).to.equal(true);
			waitSettled(world, app, userId);
			expect(apiCoins(world, userId)).to.equal(7);
			expect(reasonCounts(world, userId).get("limited")).to.equal(1);
		});

		it("holds a joining player with a clear error while the API cannot be reached", () => {
			const userId = BASE + 12;
			const world = syncWorld(7312);
			const server = world.startServer();
			const app = syncGame(server);
			let failure: string | undefined;
			app.vault.loadFailed.Connect((report) => (failure = report.error.kind));
			world.failHttp({ kind: "connectFail", count: 50, server });
			const player = server.join(userId);
			world.runUntil(() => failure !== undefined, 60);
			expect(failure).to.equal("HttpFailure");
			expect(app.sync.isReady(userId)).to.equal(false);
			expect(app.vault.getSession(userId)).to.equal(undefined);
			expect(server.kickMessage(player)).to.equal(undefined);
		});

		it("holds players with SecretMissing when the API key is not in the secrets store", () => {
			const userId = BASE + 13;
			const world = sim.World.new({ seed: 7313, settings: { printLogs: false } });
			const server = world.startServer();
			const app = syncGame(server);
			const failures = new Array<string>();
			app.sync.failed.Connect((_userId, failure) => failures.push(failure.kind));
			let held: string | undefined;
			app.vault.loadFailed.Connect((report) => (held = report.error.kind));
			server.join(userId);
			world.runUntil(() => held !== undefined, 60);
			expect(held).to.equal("SecretMissing");
			expect(failures.includes("SecretMissing")).to.equal(true);
			expect(world.takeErrors().size()).to.equal(0);
			expect(world.counter("HttpService")).to.equal(0);
		});
	});
};
