import { lockHolder, storedCoins, waitForSession, walletVault, type Wallet } from "../support/hopsafe";

// Offline edits of a profile whose lock a crashed server left behind.

const addFive = (data: Wallet) => {
	data.coins += 5;
	return true;
};

export = () => {
	describe("offline edits after a crash", () => {
		it("takes over a crashed server's lock once its liveness expired, and the next load reads the edit", () => {
			const world = sim.World.new({ seed: 9401 });
			const a = world.startServer();
			const b = world.startServer();
			const vaultA = walletVault(a);
			const vaultB = walletVault(b);
			a.join(940010);
			waitForSession(world, vaultA, 940010);
			vaultA.getSession(940010)!.data.coins = 10;
			vaultA.getSession(940010)!.saveAsync().expect();
			a.crash();
			// Until the dead server's liveness key expires, its lock counts as held.
			expect(b.run(() => vaultB.editOffline(940010, addFive).expect())).to.equal("held");
			world.advance(15);
			expect(b.run(() => vaultB.editOffline(940010, addFive).expect())).to.equal("edited");
			expect(lockHolder(world, 940010)).to.equal(undefined);
			expect(storedCoins(world, 940010)).to.equal(15);
			b.join(940010);
			waitForSession(world, vaultB, 940010, 30);
			expect(vaultB.getSession(940010)!.data.coins).to.equal(15);
		});

		it("leaves a lock alone while its server's liveness key is kept, and a holder wrongly taken for dead writes nothing after the edit", () => {
			const world = sim.World.new({ seed: 9402 });
			const a = world.startServer();
			const b = world.startServer();
			const liveness = { heartbeatInterval: 1, heartbeatTtl: 4 };
			const vaultA = walletVault(a, { ...liveness, bindPlayers: false });
			const vaultB = walletVault(b, liveness);
			const session = vaultA.load(a.join(940011)).expect();
			session.data.coins = 10;
			session.saveAsync().expect();
			world.advance(30);
			expect(b.run(() => vaultB.editOffline(940011, addFive).expect())).to.equal("held");
			// A only looks dead (its heartbeats fail): the edit takes the lock, and A's release is
			// refused and reported as a lost lock, not as a release that saved its data.
			const reasons = new Array<string>();
			vaultA.released.Connect((_userId, reason) => reasons.push(reason));
			world.memoryStore().failNext(100000, "InternalError", "HashMap.SetAsync");
			world.advance(6);
			expect(b.run(() => vaultB.editOffline(940011, addFive).expect())).to.equal("edited");
			session.data.coins = 99;
			vaultA.release(940011, "left").await();
			world.runUntil(() => reasons.size() > 0, 60);
			expect(reasons.join(",")).to.equal("lockLost");
			expect(storedCoins(world, 940011)).to.equal(15);
			expect(lockHolder(world, 940011)).to.equal(undefined);
		});

		it("leaves alone a lock just taken by a server whose first heartbeats failed", () => {
			const world = sim.World.new({ seed: 9403 });
			const a = world.startServer();
			const b = world.startServer();
			const vaultB = walletVault(b);
			world.advance(5);
			// A starts while MemoryStore refuses its first heartbeats, and loads a player at once:
			// for a few seconds it holds a lock with no liveness key.
			world.memoryStore().failNext(6, "InternalError", "HashMap.SetAsync");
			const vaultA = walletVault(a);
			a.join(940012);
			waitForSession(world, vaultA, 940012, 5);
			const holder = lockHolder(world, 940012);
			expect(holder).to.equal(a.jobId);
			const missing = b.run(
				() => game.GetService("MemoryStoreService").GetHashMap("hopsafe-liveness").GetAsync(a.jobId) === undefined,
			);
			expect(missing).to.equal(true);
			expect(b.run(() => vaultB.editOffline(940012, addFive).expect())).to.equal("held");
			expect(lockHolder(world, 940012)).to.equal(a.jobId);
			expect(vaultA.getSession(940012)!.isActive()).to.equal(true);
			vaultA.getSession(940012)!.saveAsync().expect();
		});
	});
};
