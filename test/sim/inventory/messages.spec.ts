import { inventoryWorld, joinReady } from "./support/inventoryWorld";

// Vault messages applied through the inventory service.

export = () => {
	describe("inventory from vault messages", () => {
		// In Deferred mode (the default of new places) too: the inventory service, a `loaded`
		// listener, is ready before the session's waiting messages reach their handlers.
		for (const signalBehavior of ["Immediate", "Deferred"]) {
			it(`serves the inventory to a handler of a message that waited for the player's load (${signalBehavior} signals)`, () => {
				const setup = inventoryWorld({ seed: 1301, remotes: false, settings: { signalBehavior } });
				const { world, server, vault, service } = setup;
				const results = new Array<string>();
				server.run(() =>
					// A handler that does not report a failed grant: the message counts as applied.
					vault.onMessage("gift", (session) => {
						const result = service.grant(session.userId, "potion", 3);
						results.push(result.ok ? "ok" : result.error);
					}),
				);
				// Posted while the player is offline: it is applied in the session that loads them.
				expect(
					server.run(() => vault.postMessage(31, { id: "gift-31", kind: "gift", body: {} }).expect()),
				).to.equal(true);
				joinReady(setup, 31);
				world.advance(5);
				expect(results.join(",")).to.equal("ok");
				const stack = service.getInventory(31)!.slots[0];
				expect(stack !== false && stack.def === "potion" && stack.count).to.equal(3);
				// Saved with the session's release: the gift is in the stored inventory, not lost.
				server.leave(server.findPlayer(31)!);
				world.advance(10);
				const stored = world.dataStore().read({ store: "InventoryData", key: "player_31" })?.value as
					| { Data: { value: { inventory: { slots: Array<{ def: string; count: number } | false> } } } }
					| undefined;
				const saved = stored?.Data.value.inventory.slots[0];
				expect(saved !== undefined && saved !== false && saved.count).to.equal(3);
			});
		}
	});
};
