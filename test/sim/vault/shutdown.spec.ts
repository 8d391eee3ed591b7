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

		for (const order of ["playersFirst", "closeFirst"]) {
			it(`ends sessions as a shutdown, not a lost lock, and runs beforeRelease (${order})`, () => {
				const world = sim.World.new({ seed: 403, settings: { shutdownOrder: order } });
				const server = world.startServer();
				let hookRan = false;
				const vault = walletVault(server, { hooks: { beforeRelease: () => (hookRan = true) } });
				const reasons = new Array<string>();
				let lost = 0;
				vault.released.Connect((_userId, reason) => reasons.push(reason));
				vault.lockLost.Connect(() => (lost += 1));
				const player = server.join(3);
				waitForSession(world, vault, 3);
				vault.getSession(3)!.data.coins = 8;
				server.shutdown();
				expect(lost).to.equal(0);
				expect(hookRan).to.equal(true);
				expect(reasons.size()).to.equal(1);
				expect(reasons[0] === "left" || reasons[0] === "shutdown").to.equal(true);
				expect(server.kickMessage(player)).to.equal(undefined);
				const stored = storedProfile(world, 3)!;
				expect((stored.Data.value as { coins: number }).coins).to.equal(8);
				expect(stored.MetaData.ActiveSession).to.equal(undefined);
			});
		}

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
