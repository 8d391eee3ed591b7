import {
	lockHolder,
	profileRef,
	storedCoins,
	storedProfile,
	waitForSession,
	walletPair,
	walletSession,
	walletVault,
} from "../support/hopsafe";

export = () => {
	describe("vault sessions", () => {
		it("loads a new player from the template and locks the profile to this server", () => {
			const { world, server, vault } = walletSession(101, 1);
			const session = vault.getSession(1)!;
			expect(session.data.coins).to.equal(0);
			expect(session.schemaVersion).to.equal(1);
			expect(lockHolder(world, 1)).to.equal(server.jobId);
			// GDPR: the key carries the player's user id once the session's first save lands.
			session.saveAsync().await();
			expect(world.dataStore().read(profileRef(1))!.userIds.includes(1)).to.equal(true);
		});

		it("saves changes and clears the lock when the player leaves", () => {
			const { world, server, vault, player } = walletSession(102, 2);
			vault.getSession(2)!.data.coins = 75;
			let released: string | undefined;
			vault.released.Connect((_userId, reason) => (released = reason));
			server.leave(player);
			world.runUntil(() => released !== undefined, 30);
			expect(released).to.equal("left");
			const stored = storedProfile(world, 2)!;
			expect((stored.Data.value as { coins: number }).coins).to.equal(75);
			expect(stored.MetaData.ActiveSession).to.equal(undefined);
		});

		it("confirms a save only once the change is in the DataStore", () => {
			const { world, server, vault } = walletSession(103, 3);
			const session = vault.getSession(3)!;
			session.data.coins = 12;
			// Slow writes: the confirmation must wait for the write, not return at once.
			server.services.DataStoreService.faults.setLatency(2, "UpdateAsync");
			const started = world.now();
			const [ok] = session.saveAsync().await();
			expect(ok).to.equal(true);
			expect(world.now() - started >= 2).to.equal(true);
			expect(storedCoins(world, 3)).to.equal(12);
		});

		it("keeps a confirmed save pending through a failed write and confirms it after the retry", () => {
			const { world, server, vault } = walletSession(104, 4);
			const session = vault.getSession(4)!;
			session.data.coins = 9;
			server.services.DataStoreService.faults.failNext(1, { operation: "UpdateAsync" });
			const [ok] = session.saveAsync().await();
			expect(ok).to.equal(true);
			expect(storedCoins(world, 4)).to.equal(9);
		});

		it("shares one load between concurrent callers", () => {
			const world = sim.World.new({ seed: 105 });
			const server = world.startServer();
			const vault = walletVault(server, { bindPlayers: false });
			const player = server.join(5);
			const first = vault.load(player);
			const second = vault.load(player);
			expect(first).to.equal(second);
			const [ok, session] = first.await();
			expect(ok).to.equal(true);
			expect(session).to.equal(vault.getSession(5));
		});

		it("loads a player who rejoins the same server while their first load is still running", () => {
			const world = sim.World.new({ seed: 110 });
			const server = world.startServer();
			const vault = walletVault(server);
			server.services.DataStoreService.faults.setLatency(2);
			const first = server.join(10);
			world.advance(1);
			server.leave(first);
			world.advance(0.5);
			const second = server.join(10);
			waitForSession(world, vault, 10, 60);
			expect(vault.getSession(10)!.player).to.equal(second);
			// The first Player's late leave does not end the second one's session.
			world.advance(30);
			expect(vault.getSession(10)!.player).to.equal(second);
			expect(lockHolder(world, 10)).to.equal(server.jobId);
			expect(world.takeErrors().size()).to.equal(0);
		});

		it("loads a player who rejoins the same server while beforeRelease still runs", () => {
			const world = sim.World.new({ seed: 111 });
			const server = world.startServer();
			const vault = walletVault(server, {
				hooks: {
					beforeRelease: (session) => {
						task.wait(5);
						session.data.coins += 1;
					},
				},
			});
			const failures = new Array<string>();
			vault.loadFailed.Connect((report) => failures.push(report.error.kind));
			const first = server.join(11);
			waitForSession(world, vault, 11);
			world.advance(10);
			server.leave(first);
			world.advance(1);
			const second = server.join(11);
			world.runUntil(() => vault.getSession(11)?.player === second, 60);
			expect(failures.size()).to.equal(0);
			expect(server.kickMessage(second)).to.equal(undefined);
			// The new session starts from what the release saved, hook included.
			expect(vault.getSession(11)!.data.coins).to.equal(1);
		});

		it("erases a player's profile (GDPR) after ending the session", () => {
			const { world, vault } = walletSession(106, 6);
			let saveFailures = 0;
			vault.saveFailed.Connect(() => (saveFailures += 1));
			const [ok] = vault.erase(6).await();
			expect(ok).to.equal(true);
			expect(vault.getSession(6)).to.equal(undefined);
			expect(world.dataStore().read({ store: "PlayerData", key: "player_6" })).to.equal(undefined);
			// Nothing of the ended session is still trying to write to the erased key.
			world.advance(60);
			expect(saveFailures).to.equal(0);
		});

		it("erases the profile of a player who just left without leaving a release write behind", () => {
			const { world, server, vault, player } = walletSession(115, 15);
			vault.getSession(15)!.data.coins = 3;
			let saveFailures = 0;
			vault.saveFailed.Connect(() => (saveFailures += 1));
			// A "delete my data" button: the player is kicked, then their data erased.
			server.kick(player, "Deleting your data.");
			const [ok] = vault.erase(15).await();
			expect(ok).to.equal(true);
			world.advance(60);
			expect(saveFailures).to.equal(0);
			expect(world.dataStore().read(profileRef(15))).to.equal(undefined);
		});

		it("erases on another server the profile of a player who just left, without leaving a release write behind", () => {
			const { world, a, vaultA, vaultB } = walletPair(117);
			const player = a.join(17);
			waitForSession(world, vaultA, 17);
			vaultA.getSession(17)!.data.coins = 4;
			let saveFailures = 0;
			vaultA.saveFailed.Connect(() => (saveFailures += 1));
			let released = false;
			vaultA.released.Connect(() => (released = true));
			a.leave(player);
			world.runUntil(() => released, 30);
			const [ok] = vaultB.erase(17).await();
			expect(ok).to.equal(true);
			world.advance(60);
			expect(saveFailures).to.equal(0);
			expect(world.dataStore().read(profileRef(17))).to.equal(undefined);
		});

		it("erases a profile another server holds after that server released it, and ends its session", () => {
			const { world, a, vaultA, vaultB } = walletPair(113);
			const player = a.join(13);
			waitForSession(world, vaultA, 13);
			vaultA.getSession(13)!.data.coins = 20;
			const reasons = new Array<string>();
			vaultA.released.Connect((_userId, reason) => reasons.push(reason));
			let saveFailures = 0;
			vaultA.saveFailed.Connect(() => (saveFailures += 1));
			const [ok] = vaultB.erase(13).await();
			expect(ok).to.equal(true);
			expect(world.dataStore().read(profileRef(13))).to.equal(undefined);
			// The holder does not go on with a session whose profile is gone: its saves would all
			// fail and its release would never be written.
			world.advance(60);
			expect(vaultA.getSession(13)).to.equal(undefined);
			expect(reasons.join(",")).to.equal("erased");
			expect(a.kickMessage(player)).to.equal("Your data was erased.");
			expect(saveFailures).to.equal(0);
			expect(world.dataStore().read(profileRef(13))).to.equal(undefined);
		});

		it("fires budgetLow once each time a budget drops below the threshold, not at every check", () => {
			const { world, server, vault } = walletSession(114, 14);
			const budgets = server.services.DataStoreService as unknown as {
				setBudget(requestType: string, value: number): void;
			};
			const fired = new Array<string>();
			vault.budgetLow.Connect((requestType) => fired.push(requestType));
			// The read budget stays empty for 20 s, recovers, then is empty again for 20 s.
			const drain = () => {
				for (let second = 0; second < 20; second++) {
					budgets.setBudget("StandardRead", 0);
					world.advance(1);
				}
			};
			drain();
			world.advance(30);
			drain();
			expect(fired.join(",")).to.equal("GetAsync,GetAsync");
		});

		it("runs the session hooks: data pulled before start, changes flushed before the release is written", () => {
			const world = sim.World.new({ seed: 108 });
			const server = world.startServer();
			let startedWith = -1;
			const vault = walletVault(server, {
				hooks: {
					beforeStart: (session) => {
						startedWith = session.data.coins;
						session.data.coins = 500;
					},
					beforeRelease: (session) => {
						task.wait(2);
						session.data.coins += 1;
					},
				},
			});
			const player = server.join(8);
			waitForSession(world, vault, 8);
			expect(startedWith).to.equal(0);
			expect(vault.getSession(8)!.data.coins).to.equal(500);
			let released = false;
			vault.released.Connect(() => (released = true));
			server.leave(player);
			world.runUntil(() => released, 60);
			expect(storedCoins(world, 8)).to.equal(501);
		});

		it("holds the player and releases the lock when beforeStart refuses the session", () => {
			const world = sim.World.new({ seed: 109 });
			const server = world.startServer();
			const vault = walletVault(server, {
				onLoadFailure: "hold",
				hooks: {
					beforeStart: () => {
						throw "the save API is unreachable";
					},
				},
			});
			let failure: string | undefined;
			vault.loadFailed.Connect((report) => (failure = report.error.kind));
			server.join(9);
			world.runUntil(() => failure !== undefined, 60);
			world.advance(20);
			expect(failure).to.equal("CallbackFailed");
			expect(vault.getSession(9)).to.equal(undefined);
			expect(lockHolder(world, 9)).to.equal(undefined);
		});

		it("never confirms a save after another server took the lock and saved as often", () => {
			const world = sim.World.new({ seed: 112 });
			const a = world.startServer();
			const b = world.startServer();
			const liveness = { heartbeatInterval: 1, heartbeatTtl: 4 };
			// A releases players itself (bindPlayers off), so its session outlives the player's leave.
			const vaultA = walletVault(a, { ...liveness, bindPlayers: false });
			const vaultB = walletVault(b, liveness);
			const sessionA = vaultA.load(a.join(12)).expect();
			sessionA.saveAsync().expect();
			// A looks dead (its heartbeats fail) and never hears B's request: B steals the lock.
			world.memoryStore().failNext(1000, "InternalError", "HashMap.SetAsync");
			world.messaging().dropNext(1000);
			world.advance(5);
			b.join(12);
			waitForSession(world, vaultB, 12, 60);
			// B confirms as many saves as A will have asked for.
			vaultB.getSession(12)!.saveAsync().expect();
			expect(sessionA.isActive()).to.equal(true);
			sessionA.data.coins = 5;
			const [confirmed, failure] = sessionA.saveAsync().await();
			expect(confirmed).to.equal(false);
			expect((failure as { kind: string }).kind).to.equal("SessionLost");
			expect(storedCoins(world, 12)).to.equal(0);
		});

		it("reports a lock taken while the session's release was running as lost, not as released", () => {
			const world = sim.World.new({ seed: 116 });
			const a = world.startServer();
			const b = world.startServer();
			const liveness = { heartbeatInterval: 1, heartbeatTtl: 4 };
			// A's release hook takes 8 s (an outbox flush to a slow web service).
			const vaultA = walletVault(a, { ...liveness, hooks: { beforeRelease: () => task.wait(8) } });
			const vaultB = walletVault(b, liveness);
			const player = a.join(16);
			waitForSession(world, vaultA, 16);
			vaultA.getSession(16)!.saveAsync().expect();
			const reasons = new Array<string>();
			vaultA.released.Connect((_userId, reason) => reasons.push(reason));
			let lost = 0;
			vaultA.lockLost.Connect(() => (lost += 1));
			// A looks dead (its heartbeats fail) and never hears B: B takes the lock while A's
			// release still runs, so A's release write is refused.
			world.memoryStore().failNext(1000, "InternalError", "HashMap.SetAsync");
			world.messaging().dropNext(1000);
			world.advance(5);
			vaultA.getSession(16)!.data.coins = 5;
			a.leave(player);
			b.join(16);
			waitForSession(world, vaultB, 16, 60);
			world.runUntil(() => reasons.size() > 0, 60);
			world.advance(10);
			expect(lockHolder(world, 16)).to.equal(b.jobId);
			expect(storedCoins(world, 16)).to.equal(0);
			expect(reasons.join(",")).to.equal("lockLost");
			expect(lost).to.equal(1);
		});

		it("keeps a live server's liveness key through a few failed heartbeats", () => {
			const world = sim.World.new({ seed: 117 });
			const a = world.startServer();
			const b = world.startServer();
			walletVault(a, { heartbeatInterval: 3, heartbeatTtl: 12 });
			world.advance(5);
			// Four writes in a row fail: at the 3 s interval the key would lapse for 3 s, and a
			// server finding a player's lock there would take it from this live server.
			world.memoryStore().failNext(4, "InternalError", "HashMap.SetAsync");
			let lapses = 0;
			for (let second = 0; second < 30; second++) {
				world.advance(1);
				const [read, value] = b.run(() =>
					pcall(() =>
						game.GetService("MemoryStoreService").GetHashMap("hopsafe-liveness").GetAsync(a.jobId),
					),
				);
				if (read && value === undefined) lapses += 1;
			}
			expect(lapses).to.equal(0);
		});

		it("reports a session whose lock was taken by kicking the player, and stops writing", () => {
			const { world, server: a, vault: vaultA, player } = walletSession(107, 7);
			let lost = false;
			vaultA.lockLost.Connect(() => (lost = true));
			// An operator force-steals the profile from outside (another server's steal).
			const stored = storedProfile(world, 7)!;
			stored.MetaData.ActiveSession = [1, "another-server"];
			stored.MetaData.SessionLoadCount += 1;
			(stored.Data.value as { coins: number }).coins = 500;
			world.dataStore().write({ store: "PlayerData", key: "player_7" }, { value: stored, userIds: [7] });
			vaultA.getSession(7)!.data.coins = 1;
			world.runUntil(() => lost, 120);
			expect(a.kickMessage(player)).to.equal("Your data was loaded on another server. Please rejoin.");
			world.advance(60);
			// Nothing this server wrote after losing the lock reached the DataStore.
			expect(storedCoins(world, 7)).to.equal(500);
			expect(lockHolder(world, 7)).to.equal("another-server");
		});
	});
};
