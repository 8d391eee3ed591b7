import { inventoryWorld, joinReady } from "../inventory/support/inventoryWorld";
import type { Vault, VaultMessage } from "../../../src/vault";
import { walletVault, waitForSession, type Wallet } from "../support/hopsafe";

// The library under Workspace.SignalBehavior = Deferred, the default of new places: engine
// events (PlayerAdded, PlayerRemoving, OnServerEvent, BindableEvent) reach their handlers at
// the next resumption point, not inside the code that caused them.
const DEFERRED = { signalBehavior: "Deferred" };

const gift = (id: string, coins: number): VaultMessage => ({ id, kind: "gift", body: { coins } });

/** Applies gifts to the wallet; returns how many times each message id was applied. */
function acceptGifts(vault: Vault<Wallet>) {
	const applied = new Map<string, number>();
	vault.onMessage("gift", (session, message) => {
		session.data.coins += (message.body as { coins: number }).coins;
		applied.set(message.id, (applied.get(message.id) ?? 0) + 1);
	});
	return applied;
}

export = () => {
	describe("vault signals in Deferred mode", () => {
		it("serves the inventory before a waiting message is delivered to a handler that grants into it", () => {
			const setup = inventoryWorld({ seed: 1301, remotes: false, settings: DEFERRED });
			const { world, server, vault, service } = setup;
			const results = new Array<string>();
			server.run(() =>
				// A handler that does not report a failed grant: the message counts as applied.
				vault.onMessage("gift", (session) => {
					const result = service.grant(session.userId, "potion", 3);
					results.push(result.ok ? "ok" : result.error);
				}),
			);
			expect(server.run(() => vault.postMessage(31, { id: "gift-31", kind: "gift", body: {} }).expect())).to.equal(
				true,
			);
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

		it("runs loaded listeners before a waiting message is delivered", () => {
			const world = sim.World.new({ seed: 507, settings: DEFERRED });
			const a = world.startServer();
			const vault = walletVault(a);
			const applied = acceptGifts(vault);
			let turnAway = true;
			a.run(() =>
				vault.loaded.Connect((session) => {
					if (turnAway) void session.release("manual");
				}),
			);
			vault.postMessage(57, gift("gift-7", 6)).expect();
			const player = a.join(57);
			world.advance(20);
			// The listener ended the session: the gift waits for the next one.
			expect(applied.get("gift-7")).to.equal(undefined);
			turnAway = false;
			a.leave(player);
			world.advance(10);
			a.join(57);
			waitForSession(world, vault, 57, 60);
			world.runUntil(() => applied.get("gift-7") !== undefined, 60);
			expect(applied.get("gift-7")).to.equal(1);
			expect(vault.getSession(57)!.data.coins).to.equal(6);
		});
	});
};
