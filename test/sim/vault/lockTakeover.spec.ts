import { lockHolder, storedCoins, waitForSession, walletVault } from "../support/hopsafe";

// When a load may take a lock from a server whose liveness key is missing.

/** Whether `server`'s liveness key is missing, as another server reads it. */
function livenessMissing(reader: Sim.Server, server: Sim.Server): boolean {
	return reader.run(
		() => game.GetService("MemoryStoreService").GetHashMap("hopsafe-liveness").GetAsync(server.jobId) === undefined,
	);
}

export = () => {
	describe("vault lock takeover", () => {
		it("asks a server that just loaded the player, with its first heartbeats failed, to release instead of taking its lock", () => {
			const world = sim.World.new({ seed: 965001 });
			const a = world.startServer();
			const b = world.startServer();
			const vaultB = walletVault(b);
			world.advance(5);
			// A starts while MemoryStore refuses its first heartbeats, and loads a player at once:
			// for a few seconds it holds a lock with no liveness key.
			world.memoryStore().failNext(6, "InternalError", "HashMap.SetAsync");
			// Its release hook takes a few seconds (an outbox flushed): the lock is A's meanwhile.
			const vaultA = walletVault(a, { hooks: { beforeRelease: () => task.wait(3) } });
			let lost = 0;
			vaultA.lockLost.Connect(() => (lost += 1));
			a.join(965001);
			waitForSession(world, vaultA, 965001, 5);
			// A change A has not saved yet: it reaches the next server only through A's release.
			vaultA.getSession(965001)!.data.coins = 10;
			expect(livenessMissing(b, a)).to.equal(true);
			// The same user logs in on B (a quick rejoin, which sends them away from A): B's load
			// finds A's lock while A's release is under way.
			b.join(965001);
			waitForSession(world, vaultB, 965001, 60);
			expect(vaultB.getSession(965001)!.data.coins).to.equal(10);
			world.advance(10);
			expect(lost).to.equal(0);
			expect(lockHolder(world, 965001)).to.equal(b.jobId);
			expect(world.takeErrors().size()).to.equal(0);
		});

		it("still takes a crashed server's lock written just before the crash, once it has been idle for heartbeatTtl", () => {
			const world = sim.World.new({ seed: 965002 });
			const a = world.startServer();
			const b = world.startServer();
			const vaultA = walletVault(a);
			const vaultB = walletVault(b);
			a.join(965002);
			waitForSession(world, vaultA, 965002);
			vaultA.getSession(965002)!.data.coins = 4;
			vaultA.getSession(965002)!.saveAsync().expect();
			a.crash();
			world.advance(1);
			b.join(965002);
			const took = waitForSession(world, vaultB, 965002, 60);
			// The key expires at most heartbeatTtl (12 s) after the crash, when the lock has
			// been idle that long too: no wait beyond it.
			expect(took <= 13).to.equal(true);
			expect(vaultB.getSession(965002)!.data.coins).to.equal(4);
			expect(storedCoins(world, 965002)).to.equal(4);
			expect(lockHolder(world, 965002)).to.equal(b.jobId);
		});
	});
};
