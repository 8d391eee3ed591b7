import { lockHolder, storedCoins, waitForSession, walletPair, walletVault } from "../support/hopsafe";

export = () => {
	describe("hop handoff", () => {
		it("loads on the new server at its first attempt, even right after a save on the old one", () => {
			const { world, a, b, vaultA, vaultB } = walletPair(201);
			const player = a.join(21);
			waitForSession(world, vaultA, 21);
			vaultA.getSession(21)!.data.coins = 33;
			// Leave two seconds after the load's write: ProfileService alone would wait out its
			// seven-second cooldown before writing the release.
			world.advance(2);
			const updatesBefore = world.counter("DataStoreService", "UpdateAsync", b.name);
			a.leave(player);
			b.join(21);
			const took = waitForSession(world, vaultB, 21);
			expect(took < 1.5).to.equal(true);
			expect(vaultB.getSession(21)!.data.coins).to.equal(33);
			expect(world.counter("DataStoreService", "UpdateAsync", b.name) - updatesBefore).to.equal(1);
			expect(lockHolder(world, 21)).to.equal(b.jobId);
		});

		it("never lets two servers hold one player, checked at every write", () => {
			const world = sim.World.new({ seed: 202 });
			const servers = [world.startServer(), world.startServer(), world.startServer()];
			const vaults = servers.map((server) => walletVault(server));
			const violations = new Array<string>();
			world.dataStore().observe((write) => {
				if (write.ref.key !== "player_22") return;
				const active = new Array<string>();
				servers.forEach((server, index) => {
					if (vaults[index].getSession(22) !== undefined) active.push(server.name);
				});
				if (active.size() > 1) violations.push(`${active.join(",")} at ${world.now()}`);
				const holder = (write.after.value as { MetaData: { ActiveSession?: [number, string] } }).MetaData
					.ActiveSession?.[1];
				servers.forEach((server, index) => {
					const believes = vaults[index].getSession(22) !== undefined;
					if (believes && holder !== undefined && holder !== server.jobId) {
						violations.push(`${server.name} believes it holds a lock owned by ${holder}`);
					}
				});
			});
			let current = servers[0];
			let player = current.join(22);
			for (let hop = 0; hop < 12; hop++) {
				waitForSession(world, vaults[servers.indexOf(current)], 22);
				vaults[servers.indexOf(current)].getSession(22)!.data.coins += 1;
				world.advance(hop % 3);
				const following = servers[(servers.indexOf(current) + 1) % servers.size()];
				current.leave(player);
				player = following.join(22);
				current = following;
			}
			waitForSession(world, vaults[servers.indexOf(current)], 22);
			expect(violations.join("; ")).to.equal("");
			expect(vaults[servers.indexOf(current)].getSession(22)!.data.coins).to.equal(12);
		});
		// The release's write lands but its call errors (the DataStore says so for a write it
		// applied); the player's next server loads them before ProfileService's own release
		// retries and finds that server's lock.
		for (const [label, wait] of [
			["right after a save", 2],
			["well after the last save", 20],
		] as const) {
			it(`reports a release whose write landed but errored as released, not lost (${label})`, () => {
				const { world, a, b, vaultA, vaultB } = walletPair(207);
				const player = a.join(27);
				waitForSession(world, vaultA, 27);
				vaultA.getSession(27)!.data.coins = 12;
				world.advance(wait);
				const reasons = new Array<string>();
				vaultA.released.Connect((_userId, reason) => reasons.push(reason));
				let lost = false;
				vaultA.lockLost.Connect(() => (lost = true));
				a.services.DataStoreService.faults.commitButErrorNext(1, "UpdateAsync");
				a.leave(player);
				world.advance(0.5);
				world.runUntil(() => lockHolder(world, 27) === undefined, 10);
				b.join(27);
				waitForSession(world, vaultB, 27);
				world.advance(30);
				expect(lost).to.equal(false);
				expect(reasons.join(",")).to.equal("left");
				expect(vaultB.getSession(27)!.data.coins).to.equal(12);
			});
		}
	});

	describe("crash recovery", () => {
		it("takes a crashed server's lock once its liveness expires, within 20 seconds", () => {
			const world = sim.World.new({ seed: 203 });
			const a = world.startServer();
			const b = world.startServer();
			const vaultA = walletVault(a);
			const vaultB = walletVault(b);
			a.join(23);
			waitForSession(world, vaultA, 23);
			vaultA.getSession(23)!.saveAsync().await();
			a.crash();
			world.advance(1);
			b.join(23);
			const took = waitForSession(world, vaultB, 23, 60);
			expect(took <= 20).to.equal(true);
			expect(lockHolder(world, 23)).to.equal(b.jobId);
		});

		it("never steals from the server a player moved to while their load waited for a crashed holder", () => {
			const world = sim.World.new({ seed: 206 });
			const a = world.startServer();
			const b = world.startServer();
			const c = world.startServer();
			const vaultA = walletVault(a);
			const vaultB = walletVault(b);
			const vaultC = walletVault(c);
			a.join(26);
			waitForSession(world, vaultA, 26);
			vaultA.getSession(26)!.data.coins = 7;
			vaultA.getSession(26)!.saveAsync().await();
			a.crash();
			world.advance(1);
			// The player joins B, which waits for A's liveness to expire; they give up and join C.
			// B writes slowly, so C takes the lock first.
			b.services.DataStoreService.faults.setLatency(3, "UpdateAsync");
			const first = b.join(26);
			world.advance(2);
			b.leave(first);
			const player = c.join(26);
			waitForSession(world, vaultC, 26, 60);
			let lost = false;
			vaultC.lockLost.Connect(() => (lost = true));
			vaultC.getSession(26)!.data.coins += 1;
			world.advance(60);
			expect(lost).to.equal(false);
			expect(c.kickMessage(player)).to.equal(undefined);
			expect(vaultC.getSession(26)).never.to.equal(undefined);
			expect(vaultB.getSession(26)).to.equal(undefined);
			expect(lockHolder(world, 26)).to.equal(c.jobId);
			expect(storedCoins(world, 26)).to.equal(8);
		});

		it("never steals from a live but slow server, and loads once it releases", () => {
			const world = sim.World.new({ seed: 204 });
			const a = world.startServer();
			const b = world.startServer();
			const vaultA = walletVault(a);
			const vaultB = walletVault(b);
			const player = a.join(24);
			waitForSession(world, vaultA, 24);
			vaultA.getSession(24)!.data.coins = 41;
			// Server A answers slowly: every DataStore call takes 8 s, every MemoryStore call 5 s
			// (its heartbeat arrives late, but before the 12 s liveness expires).
			a.services.DataStoreService.faults.setLatency(8);
			(world.settings as { memoryStore: { latency: unknown } }).memoryStore.latency = { min: 4, max: 5 };
			world.advance(20);
			a.leave(player);
			b.join(24);
			let stolen = false;
			world.dataStore().observe((write) => {
				const holder = (write.after.value as { MetaData: { ActiveSession?: [number, string] } }).MetaData
					.ActiveSession?.[1];
				if (write.ref.key === "player_24" && holder === b.jobId && write.source === b.name) {
					// B may only take the lock after A's release is written.
					const before = (write.before?.value as { MetaData: { ActiveSession?: [number, string] } } | undefined)
						?.MetaData.ActiveSession?.[1];
					if (before === a.jobId) stolen = true;
				}
			});
			waitForSession(world, vaultB, 24, 120);
			expect(stolen).to.equal(false);
			expect(vaultB.getSession(24)!.data.coins).to.equal(41);
			expect(storedCoins(world, 24)).to.equal(41);
		});

		it("keeps a closing server alive to others until a load it was running has released", () => {
			const world = sim.World.new({ seed: 206 });
			const a = world.startServer();
			const b = world.startServer();
			// What the release hook writes reaches the release (a flushed outbox, say).
			const vaultA = walletVault(a, {
				hooks: {
					beforeRelease: (session) => {
						task.wait(3);
						session.data.coins = 56;
					},
				},
			});
			const vaultB = walletVault(b);
			// A writes slowly: the player's load is still running when the vault closes.
			a.services.DataStoreService.faults.setLatency(4);
			const player = a.join(26);
			world.advance(1);
			let closed = false;
			void vaultA.close().then(() => (closed = true));
			world.runUntil(() => closed, 60);
			expect(closed).to.equal(true);
			// The player (sent away by the closing A) joins B while A's release of that load is
			// still being written.
			expect(player.Parent).to.equal(undefined);
			b.join(26);
			waitForSession(world, vaultB, 26, 120);
			world.advance(30);
			expect(vaultB.getSession(26)!.data.coins).to.equal(56);
			expect(storedCoins(world, 26)).to.equal(56);
		});

		it("keeps a shutting-down server alive to others until its last vault has released", () => {
			const world = sim.World.new({ seed: 205 });
			const a = world.startServer();
			const b = world.startServer();
			const vaultA = walletVault(a);
			// A second vault on the same server, with no sessions: it closes at once.
			walletVault(a, { name: "Guilds", bindPlayers: false });
			const vaultB = walletVault(b);
			const player = a.join(25);
			waitForSession(world, vaultA, 25);
			world.advance(40);
			vaultA.getSession(25)!.data.coins = 55;
			// A writes slowly, so its release is still running when B asks for the player.
			a.services.DataStoreService.faults.setLatency(4);
			world.rejoin(player, a, b, { delay: 0.5 });
			a.shutdown();
			waitForSession(world, vaultB, 25, 120);
			world.advance(30);
			expect(vaultB.getSession(25)!.data.coins).to.equal(55);
			expect(storedCoins(world, 25)).to.equal(55);
		});
	});
};
