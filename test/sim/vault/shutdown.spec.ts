import { joinGradually, storedProfile, waitForSession, walletVault } from "../support/hopsafe";

export = () => {
	describe("shutdown", () => {
		it("saves and releases 100 players within BindToClose's 30 seconds at realistic latency", () => {
			const world = sim.World.new({ seed: 401 });
			const server = world.startServer();
			const vault = walletVault(server);
			joinGradually(world, server, 100);
			world.runUntil(() => {
				for (let userId = 1; userId <= 100; userId++) if (vault.getSession(userId) === undefined) return false;
				return true;
			}, 120);
			for (let userId = 1; userId <= 100; userId++) vault.getSession(userId)!.data.coins = userId;
			// A save just before shutdown puts every key inside ProfileService's cooldown.
			world.advance(31);
			const took = server.shutdown();
			expect(took <= 30).to.equal(true);
			for (let userId = 1; userId <= 100; userId++) {
				const stored = storedProfile(world, userId)!;
				expect((stored.Data.value as { coins: number }).coins).to.equal(userId);
				expect(stored.MetaData.ActiveSession).to.equal(undefined);
			}
		});

		it("runs a 100-player server for a virtual hour without a queued or dropped DataStore request", () => {
			const world = sim.World.new({ seed: 402 });
			const server = world.startServer();
			const vault = walletVault(server);
			joinGradually(world, server, 100);
			waitForSession(world, vault, 100);
			let minutes = 0;
			while (minutes < 60) {
				for (let second = 0; second < 60; second += 5) {
					world.advance(5);
					for (let userId = 1; userId <= 100; userId++) {
						const session = vault.getSession(userId);
						if (session) session.data.coins += 1;
					}
				}
				minutes += 1;
			}
			expect(world.counter("DataStoreService", "UpdateAsync") > 100 * 100).to.equal(true);
			expect(world.counter("DataStoreService", "queued")).to.equal(0);
			expect(world.counter("DataStoreService", "throttled")).to.equal(0);
			expect(world.takeErrors().size()).to.equal(0);
			for (let userId = 1; userId <= 100; userId++) expect(vault.getSession(userId)).never.to.equal(undefined);
		});
	});
};
