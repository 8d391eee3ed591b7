import type { HopsafeError } from "../../../src";
import { lockHolder, waitForSession, walletVault } from "../support/hopsafe";

interface BudgetDriver {
	setBudget(requestType: string, value: number): void;
}

/** Seconds between a key's dropped (queue full) requests, from the world's event log. */
function dropGaps(world: Sim.World): Array<number> {
	const lastDrop = new Map<string, number>();
	const gaps = new Array<number>();
	for (const line of world.events) {
		const [time, kind, , , key] = line.split(" ");
		if (kind !== "ds.throttled") continue;
		const at = tonumber(time)!;
		const previous = lastDrop.get(key);
		if (previous !== undefined) gaps.push(at - previous);
		lastDrop.set(key, at);
	}
	return gaps;
}

/**
 * A server whose first reads work but whose every lock write (UpdateAsync) is refused as
 * throttled, with a vault giving loads `loadTimeout` seconds; `failures` collects `loadFailed`.
 */
function lockWritesThrottled(seed: number, loadTimeout: number) {
	const world = sim.World.new({ seed });
	const server = world.startServer();
	const vault = walletVault(server, { loadTimeout });
	const failures = new Array<HopsafeError>();
	vault.loadFailed.Connect((report) => failures.push(report.error));
	const faults = server.services.DataStoreService.faults;
	faults.setErrorRate(1, "UpdateAsync");
	faults.failNext(1000, { operation: "UpdateAsync", code: "DatastoreThrottled" as never });
	return { world, server, vault, failures, faults };
}

export = () => {
	describe("vault under DataStore throttling", () => {
		it("loads every player of a 100-player join burst on a server whose read budget is spent, kicking nobody", () => {
			// The pre-2026 budgets (60 + 10 per player a minute): the burst is several times what
			// the budget holds, so most first reads find the request queue full and are dropped.
			const world = sim.World.new({ seed: 910001, settings: { dataStore: { profile: "legacy" } } });
			const server = world.startServer();
			const vault = walletVault(server);
			const failures = new Array<string>();
			vault.loadFailed.Connect((report) => failures.push(report.error.message));
			(server.services.DataStoreService as unknown as BudgetDriver).setBudget("GetAsync", 0);
			const players = new Array<Player>();
			for (let index = 1; index <= 100; index++) {
				players.push(server.join(910000 + index));
				world.advance(0.03);
			}
			world.runUntil(() => {
				let settled = 0;
				for (const player of players) {
					if (vault.getSession(player) !== undefined || server.kickMessage(player) !== undefined) settled += 1;
				}
				return settled === players.size() || failures.size() > 0;
			}, 300);
			expect(failures.size() > 0 ? failures[0] : "none").to.equal("none");
			for (const player of players) {
				expect(server.kickMessage(player)).to.equal(undefined);
				expect(vault.getSession(player) !== undefined).to.equal(true);
			}
			// Some reads were dropped: the burst did meet the full queue.
			const gaps = dropGaps(world);
			expect(world.counter("DataStoreService", "throttled") > 0).to.equal(true);
			// A dropped read is retried after a backoff, never in a tight loop.
			for (const gap of gaps) expect(gap >= 1).to.equal(true);
		});

		it("waits out a throttled first read within throttleTimeout and loads once it clears", () => {
			const world = sim.World.new({ seed: 910002 });
			const server = world.startServer();
			const vault = walletVault(server, { throttleTimeout: 40 } as never);
			const failures = new Array<HopsafeError>();
			vault.loadFailed.Connect((report) => failures.push(report.error));
			const driver = server.services.DataStoreService;
			// Every read of this key is refused as throttled for the first 25 s.
			driver.faults.failNext(1000, { operation: "GetAsync", code: "DatastoreThrottled" as never });
			const player = server.join(910003);
			world.advance(25);
			expect(failures.size()).to.equal(0);
			expect(server.kickMessage(player)).to.equal(undefined);
			driver.faults.clear();
			waitForSession(world, vault, 910003, 60);
			expect(failures.size()).to.equal(0);
		});

		it("gives up on a read throttled for longer than throttleTimeout with a throttled PlatformFailure", () => {
			const world = sim.World.new({ seed: 910004 });
			const server = world.startServer();
			const vault = walletVault(server, { throttleTimeout: 30 } as never);
			const failures = new Array<HopsafeError>();
			vault.loadFailed.Connect((report) => failures.push(report.error));
			server.services.DataStoreService.faults.failNext(1000, {
				operation: "GetAsync",
				code: "DatastoreThrottled" as never,
			});
			const player = server.join(910005);
			const started = world.now();
			world.runUntil(() => failures.size() > 0, 120);
			const waited = world.now() - started;
			// The whole patience is used (the last try at its end, answered within a second), no more.
			expect(waited >= 29 && waited <= 31).to.equal(true);
			const failure = failures[0];
			expect(failure.kind).to.equal("PlatformFailure");
			if (failure.kind === "PlatformFailure") {
				expect(failure.details.retryable).to.equal(true);
				expect((failure.details as { throttled?: boolean }).throttled).to.equal(true);
			}
			expect(server.kickMessage(player) !== undefined).to.equal(true);
			// Backed off between tries: a handful of reads in 30 s, not one a frame.
			expect(world.counter("DataStoreService", "GetAsync") <= 8).to.equal(true);
		});

		it("stops retrying a throttled read once the player has left, reporting nothing", () => {
			const world = sim.World.new({ seed: 910006 });
			const server = world.startServer();
			const vault = walletVault(server);
			const failures = new Array<HopsafeError>();
			vault.loadFailed.Connect((report) => failures.push(report.error));
			server.services.DataStoreService.faults.failNext(1000, {
				operation: "GetAsync",
				code: "DatastoreThrottled" as never,
			});
			const player = server.join(910007);
			world.advance(10);
			server.leave(player);
			const readsAtLeave = world.counter("DataStoreService", "GetAsync");
			world.advance(150);
			// At most the try already waited for, then nothing: no reads for a player who is gone.
			expect(world.counter("DataStoreService", "GetAsync") - readsAtLeave <= 1).to.equal(true);
			expect(failures.size()).to.equal(0);
			expect(world.takeErrors().size()).to.equal(0);
		});

		it("gives up a load whose lock write keeps failing after loadTimeout, and frees the lock once it lands", () => {
			const { world, server, vault, failures, faults } = lockWritesThrottled(910008, 60);
			const player = server.join(910009);
			world.runUntil(() => failures.size() > 0, 120);
			const failure = failures[0];
			expect(failure.kind).to.equal("PlatformFailure");
			if (failure.kind === "PlatformFailure") {
				expect(failure.details.operation).to.equal("UpdateAsync");
				expect((failure.details as { throttled?: boolean }).throttled).to.equal(true);
			}
			expect(server.kickMessage(player) !== undefined).to.equal(true);
			expect(vault.getSession(910009)).to.equal(undefined);
			// The DataStore recovers: the write still in flight takes the lock, which is given
			// back at once, so the player's next server loads them without waiting.
			faults.clear();
			world.advance(30);
			expect(lockHolder(world, 910009)).to.equal(undefined);
			expect(vault.getSession(910009)).to.equal(undefined);
			expect(world.takeErrors().size()).to.equal(0);
		});

		it("reports a load's failing lock writes through loadFailed only, never as saveFailed", () => {
			const { world, vault, server, failures, faults } = lockWritesThrottled(910900, 30);
			let saveFailures = 0;
			vault.saveFailed.Connect(() => saveFailures++);
			server.join(910901);
			world.runUntil(() => failures.size() > 0, 60);
			expect(failures.size()).to.equal(1);
			// Nothing was saved or loaded, so no save failed: alerting on saveFailed stays quiet.
			expect(saveFailures).to.equal(0);
			faults.clear();
			world.advance(30);
			expect(world.takeErrors().size()).to.equal(0);
		});

		it("backs off before trying a throttled release again, not retrying it in the next frame", () => {
			const world = sim.World.new({ seed: 910010 });
			const server = world.startServer();
			const vault = walletVault(server);
			const player = server.join(910011);
			waitForSession(world, vault, 910011);
			// Past ProfileService's 7 s spacing: its release is written at once, then the vault's.
			world.advance(20);
			server.services.DataStoreService.faults.failNext(3, {
				operation: "UpdateAsync",
				code: "DatastoreThrottled" as never,
			});
			server.leave(player);
			world.runUntil(() => lockHolder(world, 910011) === undefined, 60);
			const refused = new Array<number>();
			for (const line of world.events) {
				const [time, kind, , operation] = line.split(" ");
				if (kind === "ds.fault" && operation === "UpdateAsync") refused.push(tonumber(time)!);
			}
			expect(refused.size()).to.equal(3);
			// ProfileService's release and the vault's first try are refused together; the vault's
			// next try waits a second.
			expect(refused[2] - refused[1] >= 1).to.equal(true);
		});
	});
};
