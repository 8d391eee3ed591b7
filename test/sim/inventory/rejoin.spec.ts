import { inventoryWorld, joinReady } from "./support/inventoryWorld";

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
			let potions = 0;
			for (const slot of setup.service.getInventory(second)!.slots) {
				if (slot !== false && slot.def === "potion") potions += slot.count;
			}
			expect(potions).to.equal(4);
		});
	});
};
