import { ReplicatedStorage } from "@rbxts/services";
import type { ClientRejectReason, InventoryState } from "../../../src";
import type { InventoryClient } from "../../../src/client";
import { deepDiff } from "../../unit/inventory/support/deepDiff";
import { HopsafeClient, InventoryWorld, frames, inventoryWorld, joinReady } from "./support/inventoryWorld";

interface Seat {
	readonly player: Player;
	readonly client: Sim.Client;
	readonly inventory: InventoryClient;
	readonly rejections: Array<string>;
}

function seat(setup: InventoryWorld, userId: number, timeout?: number): Seat {
	const player = joinReady(setup, userId);
	const client = setup.server.client(player);
	const module = client.require<HopsafeClient>("ReplicatedStorage.hopsafe.client");
	const catalog = setup.catalog;
	const inventory = client.run(() => module.createInventoryClient({ catalog, timeout })) as InventoryClient;
	const rejections = new Array<string>();
	inventory.rejected.Connect((intent, reason: ClientRejectReason) => rejections.push(`${intent} ${reason}`));
	frames(setup, 2);
	return { player, client, inventory, rejections };
}

// Player 1 seated with 5 potions in slot 0 (their id returned), on a network that drops requests
// past one a second, as the engine's limit would: of two requests in a row, the second is lost.
function lossyPotions(seed: number, timeout?: number) {
	const setup = inventoryWorld({ seed, settings: { remotes: { rateLimitPerSecond: 1, rateLimitMode: "drop" } } });
	const me = seat(setup, 1, timeout);
	const potions = setup.service.grant(me.player, "potion", 5);
	assert(potions.ok);
	frames(setup, 3);
	setup.world.advance(1.5);
	return { setup, me, potion: potions.value.minted[0] };
}

function count(state: InventoryState | undefined, slot: number): number {
	const stack = state?.slots[slot];
	return stack === undefined || stack === false ? 0 : stack.count;
}

/** Every ModuleScript the module `root` can load, following the compiled `TS.import` calls. */
function importGraph(root: ModuleScript): Set<ModuleScript> {
	const seen = new Set<ModuleScript>();
	const queue = [root];
	while (queue.size() > 0) {
		const module = queue.pop()!;
		if (seen.has(module)) continue;
		seen.add(module);
		const source = (module as unknown as { Source: string }).Source;
		for (const [path] of source.gmatch('TS%.import%(script, game:GetService%("ReplicatedStorage"%)([^)]*)%)')) {
			let node: Instance = ReplicatedStorage;
			for (const [name] of (path as string).gmatch('"([^"]+)"')) node = node.WaitForChild(name as string);
			queue.push(node as ModuleScript);
		}
		for (const [name] of source.gmatch('TS%.getModule%(script, "@rbxts", "([^"]+)"%)')) {
			const found = ReplicatedStorage.FindFirstChild("rbxts_include")
				?.FindFirstChild("node_modules")
				?.FindFirstChild("@rbxts")
				?.FindFirstChild(name as string);
			if (found !== undefined) seen.add(found as ModuleScript);
		}
	}
	return seen;
}

export = () => {
	describe("inventory client module", () => {
		it("shows a prediction at once and keeps it when the server agrees", () => {
			const setup = inventoryWorld({ seed: 601 });
			const me = seat(setup, 1);
			const potions = setup.service.grant(me.player, "potion", 5);
			assert(potions.ok);
			frames(setup, 3);
			expect(count(me.inventory.view(), 0)).to.equal(5);
			const sent = me.client.run(() => me.inventory.consume(0, potions.value.minted[0], 2)) as { ok: boolean };
			expect(sent.ok).to.equal(true);
			// Predicted before the server has seen the request.
			expect(count(me.inventory.view(), 0)).to.equal(3);
			expect(count(me.inventory.confirmed(), 0)).to.equal(5);
			expect(me.inventory.pendingCount()).to.equal(1);
			frames(setup, 3);
			expect(me.inventory.pendingCount()).to.equal(0);
			expect(count(me.inventory.confirmed(), 0)).to.equal(3);
			expect(deepDiff(me.inventory.view(), setup.service.getInventory(me.player))).to.equal(undefined);
			expect(me.rejections.size()).to.equal(0);
		});

		it("rolls a refused prediction back and says why", () => {
			const setup = inventoryWorld({ seed: 602 });
			const me = seat(setup, 1);
			const potions = setup.service.grant(me.player, "potion", 5);
			assert(potions.ok);
			const potion = potions.value.minted[0];
			frames(setup, 3);
			// The server moves the potions; the client has not heard of it when it drinks one.
			assert(setup.service.move(me.player, 0, potion, 3).ok);
			me.client.run(() => me.inventory.consume(0, potion));
			expect(count(me.inventory.view(), 0)).to.equal(4);
			frames(setup, 4);
			expect(me.rejections.join()).to.equal("consume slot_empty");
			expect(me.inventory.pendingCount()).to.equal(0);
			expect(count(me.inventory.view(), 3)).to.equal(5);
			expect(deepDiff(me.inventory.view(), setup.service.getInventory(me.player))).to.equal(undefined);
		});

		it("refuses an intent its own prediction refuses, without sending it", () => {
			const setup = inventoryWorld({ seed: 603 });
			const me = seat(setup, 1);
			const sword = setup.service.grant(me.player, "sword", 1);
			assert(sword.ok);
			frames(setup, 3);
			const before = setup.world.counter("Remotes", "FireServer", setup.server.name);
			const result = me.client.run(() => me.inventory.consume(0, sword.value.minted[0])) as {
				ok: boolean;
				error?: string;
			};
			expect(result.ok).to.equal(false);
			expect(result.error).to.equal("not_consumable");
			expect(me.inventory.pendingCount()).to.equal(0);
			expect(setup.world.counter("Remotes", "FireServer", setup.server.name)).to.equal(before);
		});

		it("rolls back a request that is never answered, then resynchronises", () => {
			const { setup, me, potion } = lossyPotions(604, 2);
			me.client.run(() => {
				me.inventory.consume(0, potion);
				me.inventory.consume(0, potion);
			});
			expect(count(me.inventory.view(), 0)).to.equal(3);
			setup.world.advance(4);
			expect(me.rejections.join()).to.equal("consume timeout");
			expect(me.inventory.pendingCount()).to.equal(0);
			setup.world.advance(6);
			expect(count(setup.service.getInventory(me.player), 0)).to.equal(4);
			expect(deepDiff(me.inventory.view(), setup.service.getInventory(me.player))).to.equal(undefined);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});

		it("keeps no placeholder drops beyond those of the predictions it shows", () => {
			const { setup, me, potion } = lossyPotions(606);
			// Past the first request, the drop below is never answered.
			me.client.run(() => {
				me.inventory.consume(0, potion);
				me.inventory.drop(0, potion, 1);
			});
			// Each server change rebuilds the view, predicting the pending drop again.
			for (let index = 0; index < 20; index++) {
				assert(setup.service.grant(me.player, "arrow", 1).ok);
				frames(setup, 1);
			}
			expect(me.inventory.pendingCount()).to.equal(1);
			expect(count(me.inventory.view(), 0)).to.equal(3);
			const placeholders = () => (me.inventory as unknown as { localDrops: { size(): number } }).localDrops.size();
			expect(placeholders()).to.equal(1);
			setup.world.advance(12);
			expect(me.inventory.pendingCount()).to.equal(0);
			expect(placeholders()).to.equal(0);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});

		it("asks again for a resync the server refused, once the timeout has passed", () => {
			// One resync at once, then one every 5 s.
			const setup = inventoryWorld({ seed: 605, remotes: { resyncLimit: { rate: 0.2, burst: 1 } } });
			const me = seat(setup, 1);
			const snapshots = () => {
				let found = 0;
				for (const call of me.client.received(setup.remotes!.sync)) {
					for (const message of call[0] as Array<{ k: string }>) if (message.k === "s") found += 1;
				}
				return found;
			};
			const first = snapshots();
			// Two asks in a row: the second is refused (rate_limited).
			me.client.run(() => me.inventory.resync());
			frames(setup, 3);
			me.client.run(() => me.inventory.resync());
			frames(setup, 3);
			expect(snapshots()).to.equal(first + 1);
			// Still wanted: asked again after the timeout, when the limit allows it.
			setup.world.advance(12);
			expect(snapshots()).to.equal(first + 2);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});

		it("delivers the changes of a session's last frame: a consume that starts a failed teleport stays consumed", () => {
			const setup = inventoryWorld({ seed: 606 });
			const me = seat(setup, 1);
			const potions = setup.service.grant(me.player, "potion", 5);
			assert(potions.ok);
			frames(setup, 3);
			setup.world.failTeleports();
			// A potion of recall: drinking it sends the player elsewhere, and the game notes what
			// they carry as they go (any read of the inventory in that frame ends its service).
			setup.server.run(() => {
				setup.service.consumed.Connect((who) => {
					const released = setup.vault.prepareTeleport(who);
					setup.service.getInventory(who);
					task.spawn(() => {
						released.await();
						pcall(() => game.GetService("TeleportService").TeleportAsync(game.PlaceId, [who]));
					});
				});
			});
			me.client.run(() => me.inventory.consume(0, potions.value.minted[0]));
			// The teleport fails and the session loads again on this server, well past the
			// client's 10-second timeout.
			const shown = new Set<number>();
			for (let second = 0; second < 60; second++) {
				setup.world.advance(1);
				shown.add(count(me.inventory.view(), 0));
			}
			expect(setup.service.isReady(me.player)).to.equal(true);
			expect(count(setup.service.getInventory(me.player), 0)).to.equal(4);
			// The client never showed the drunk potion back, nor called the consume refused.
			expect(me.rejections.join()).to.equal("");
			expect(shown.has(5)).to.equal(false);
			expect(deepDiff(me.inventory.view(), setup.service.getInventory(me.player))).to.equal(undefined);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});

		it("loads nothing of the vault, ProfileService or the package index", () => {
			const hopsafe = ReplicatedStorage.WaitForChild("hopsafe");
			const graph = importGraph(hopsafe.WaitForChild("client") as ModuleScript);
			const vault = hopsafe.WaitForChild("vault");
			const profileService = ReplicatedStorage.WaitForChild("rbxts_include")
				.WaitForChild("node_modules")
				.WaitForChild("@rbxts")
				.WaitForChild("profileservice");
			const offending = new Array<string>();
			for (const module of graph) {
				const forbidden =
					module === hopsafe ||
					[vault, profileService].some((other) => module === other || module.IsDescendantOf(other));
				if (forbidden) offending.push(module.GetFullName());
			}
			expect(graph.size() > 10).to.equal(true);
			expect(offending.join(", ")).to.equal("");
		});
	});
};
