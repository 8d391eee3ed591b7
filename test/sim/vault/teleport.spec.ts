import { lockHolder, waitForSession, walletPair, walletSession, walletVault } from "../support/hopsafe";

/** Releases the player for a teleport on `server`, then teleports them from game code. */
function teleportFrom(server: Sim.Server, vault: ReturnType<typeof walletVault>, player: Player): void {
	server.run(() => {
		vault.prepareTeleport(player).await();
		game.GetService("TeleportService").TeleportAsync(game.PlaceId, [player]);
	});
}

export = () => {
	describe("prepareTeleport", () => {
		it("lets the destination load at its first attempt, and does not load the player here again", () => {
			const { world, a, b, vaultA, vaultB } = walletPair(241);
			const player = a.join(41);
			waitForSession(world, vaultA, 41);
			vaultA.getSession(41)!.data.coins = 12;
			const updatesBefore = world.counter("DataStoreService", "UpdateAsync", b.name);
			teleportFrom(a, vaultA, player);
			waitForSession(world, vaultB, 41);
			expect(vaultB.getSession(41)!.data.coins).to.equal(12);
			expect(world.counter("DataStoreService", "UpdateAsync", b.name) - updatesBefore).to.equal(1);
			world.advance(60);
			expect(vaultA.getSession(41)).to.equal(undefined);
			expect(lockHolder(world, 41)).to.equal(b.jobId);
		});

		it("gives the player their session back here when the teleport fails", () => {
			const { world, server: a, vault, player } = walletSession(242, 42);
			world.startServer();
			vault.getSession(42)!.data.coins = 9;
			world.failTeleports({ result: "Flooded" });
			teleportFrom(a, vault, player);
			expect(lockHolder(world, 42)).to.equal(undefined);
			// Not at once: ProfileService spaces writes to one key 7 s apart on a server, and the
			// load queues behind its own release write.
			const took = waitForSession(world, vault, 42, 60);
			expect(took <= 20).to.equal(true);
			expect(player.Parent).to.be.ok();
			expect(vault.getSession(42)!.data.coins).to.equal(9);
			expect(lockHolder(world, 42)).to.equal(a.jobId);
		});

		it("gives the session back after teleportGrace when no teleport happens", () => {
			const { world, server: a, vault, player } = walletSession(243, 43, { teleportGrace: 10 });
			vault.getSession(43)!.data.coins = 4;
			a.run(() => vault.prepareTeleport(player).await());
			world.advance(8);
			expect(vault.getSession(43)).to.equal(undefined);
			world.advance(4);
			waitForSession(world, vault, 43, 10);
			expect(vault.getSession(43)!.data.coins).to.equal(4);
		});

		it("leaves loading to the game when the vault does not bind players", () => {
			const world = sim.World.new({ seed: 244 });
			const a = world.startServer();
			const vault = walletVault(a, { bindPlayers: false, teleportGrace: 5 });
			const player = a.join(44);
			a.run(() => vault.load(player).await());
			a.run(() => vault.prepareTeleport(player).await());
			world.advance(30);
			expect(vault.getSession(44)).to.equal(undefined);
		});
	});
};
