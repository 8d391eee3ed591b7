import { inventoryWorld, joinReady } from "./support/inventoryWorld";

// Vault messages applied through the inventory service.

export = () => {
	describe("inventory from vault messages", () => {
		it("serves the inventory to a handler of a message that waited for the player's load", () => {
			const setup = inventoryWorld({ seed: 1301, remotes: false });
			const { world, server, vault, service } = setup;
			const results = new Array<string>();
			server.run(() =>
				vault.onMessage("gift", (session) => {
					const result = service.grant(session.userId, "potion", 3);
					results.push(result.ok ? "ok" : result.error);
					return result.ok;
				}),
			);
			// Posted while the player is offline: it is applied in the session that loads them.
			expect(server.run(() => vault.postMessage(31, { id: "gift-31", kind: "gift", body: {} }).expect())).to.equal(
				true,
			);
			joinReady(setup, 31);
			world.advance(5);
			expect(results.join(",")).to.equal("ok");
			const stack = service.getInventory(31)!.slots[0];
			expect(stack !== false && stack.def === "potion" && stack.count).to.equal(3);
		});
	});
};
