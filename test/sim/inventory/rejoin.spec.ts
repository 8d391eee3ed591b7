import { type InventoryWorld, inventoryWorld, joinReady } from "./support/inventoryWorld";

function potionsOf(setup: InventoryWorld, player: Player): number {
	let potions = 0;
	for (const slot of setup.service.getInventory(player)!.slots) {
		if (slot !== false && slot.def === "potion") potions += slot.count;
	}
	return potions;
}

export = () => {
	describe("inventory across a fast rejoin to the same server", () => {
		it("serves a player who rejoins the same server at once, with what the first session granted", () => {
			const setup = inventoryWorld({ seed: 71, remotes: false });
			const first = joinReady(setup, 71);
			expect(setup.service.grant(first, "potion", 3).ok).to.equal(true);
			// The player drops and is back within the same frame, while the old session's release
			// is still being written; the old session's `released` report must not stop the new one.
			setup.server.leave(first);
			const second = joinReady(setup, 71);
			setup.world.advance(30);
			expect(setup.service.isReady(second)).to.equal(true);
			expect(setup.service.grant(second, "potion", 1).ok).to.equal(true);
			expect(potionsOf(setup, second)).to.equal(4);
		});
	});

	describe("inventory across a failed teleport", () => {
		it("refuses changes while the player is released, then serves them again with their items", () => {
			const setup = inventoryWorld({ seed: 72, remotes: false });
			const player = joinReady(setup, 72);
			expect(setup.service.grant(player, "potion", 3).ok).to.equal(true);
			setup.world.failTeleports();
			setup.server.run(() => {
				setup.vault.prepareTeleport(player).await();
				game.GetService("TeleportService").TeleportAsync(game.PlaceId, [player]);
			});
			const refused = setup.service.grant(player, "potion", 1);
			expect(refused.ok).to.equal(false);
			expect(!refused.ok && refused.error).to.equal("no_session");
			setup.world.runUntil(() => setup.service.isReady(player), 60);
			expect(setup.service.isReady(player)).to.equal(true);
			expect(setup.service.grant(player, "potion", 1).ok).to.equal(true);
			expect(potionsOf(setup, player)).to.equal(4);
		});
	});
};
