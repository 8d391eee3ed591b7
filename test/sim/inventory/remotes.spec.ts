import { frames, inventoryWorld, joinReady } from "./support/inventoryWorld";
import { answerTo, syncMessages } from "./support/messages";

export = () => {
	describe("inventory remotes", () => {
		it("applies a valid request, carries its id on the delta and refuses a spoofed slot claim", () => {
			const setup = inventoryWorld({ seed: 501 });
			const player = joinReady(setup, 1);
			const service = setup.service;
			const potions = service.grant(player, "potion", 5);
			const swords = service.grant(player, "sword", 1);
			assert(potions.ok && swords.ok);
			const potion = potions.value.minted[0];
			const sword = swords.value.minted[0];
			const client = setup.server.client(player);
			const request = setup.remotes!.request;
			client.fireServer(request, 1, "consume", 0, potion, 2);
			// Slot 1 holds the sword: claiming it holds the potions is a spoof.
			client.fireServer(request, 2, "consume", 1, potion, 1);
			client.fireServer(request, 3, "equip", 0, sword, "weapon");
			frames(setup, 3);
			const messages = syncMessages(client, setup.remotes!.sync);
			expect(answerTo(messages, 1)).to.equal("accepted");
			expect(answerTo(messages, 2)).to.equal("item_mismatch");
			expect(answerTo(messages, 3)).to.equal("item_mismatch");
			const inventory = service.getInventory(player)!;
			const stack = inventory.slots[0];
			expect(stack !== false && stack.count).to.equal(3);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});

		it("sends a snapshot when the session starts and shows only equipped, visible items to others", () => {
			const setup = inventoryWorld({ seed: 502 });
			const player = joinReady(setup, 1);
			const client = setup.server.client(player);
			frames(setup, 2);
			const first = syncMessages(client, setup.remotes!.sync)[0];
			expect(first.k).to.equal("s");
			const service = setup.service;
			const sword = service.grant(player, "sword", 1);
			const ring = service.grant(player, "ring", 1);
			assert(sword.ok && ring.ok);
			expect(service.equip(player, 0, sword.value.minted[0], "weapon").ok).to.equal(true);
			expect(service.equip(player, 1, ring.value.minted[0], "ring1").ok).to.equal(true);
			frames(setup, 2);
			expect(player.GetAttribute("Equipped_weapon")).to.equal("sword");
			// The ring is not visible when equipped.
			expect(player.GetAttribute("Equipped_ring1")).to.equal(undefined);
			expect(service.unequip(player, "weapon").ok).to.equal(true);
			frames(setup, 2);
			expect(player.GetAttribute("Equipped_weapon")).to.equal(undefined);
		});

		it("refuses every request before the session loads with no_session", () => {
			const setup = inventoryWorld({ seed: 503 });
			const player = setup.server.join(1);
			const client = setup.server.client(player);
			client.fireServer(setup.remotes!.request, 7, "move", 0, "1-1", 1);
			frames(setup, 2);
			expect(answerTo(syncMessages(client, setup.remotes!.sync), 7)).to.equal("no_session");
		});

		it("refuses misuse of the Sync remote and malformed requests with bad_request", () => {
			const setup = inventoryWorld({ seed: 504 });
			const player = joinReady(setup, 1);
			const client = setup.server.client(player);
			const monitored = new Array<string>();
			setup.remotes!.rejected.Connect((who, intent, reason) =>
				monitored.push(`${who.UserId} ${intent ?? "-"} ${reason}`),
			);
			client.fireServer(setup.remotes!.sync, 5, "resync");
			client.fireServer(setup.remotes!.request, 6, "move", 0, "1-1");
			client.fireServer(setup.remotes!.request, 8, "move", 0 / 0, "1-1", 1);
			client.fireServer(setup.remotes!.request, 9, "teleport", 0);
			frames(setup, 2);
			const messages = syncMessages(client, setup.remotes!.sync);
			expect(answerTo(messages, 5)).to.equal("bad_request");
			expect(answerTo(messages, 6)).to.equal("bad_request");
			expect(answerTo(messages, 8)).to.equal("bad_request");
			expect(answerTo(messages, 9)).to.equal("bad_request");
			// Operators hear of each refusal, with the intent when the request had a valid one.
			expect(monitored.join(", ")).to.equal(
				"1 - bad_request, 1 - bad_request, 1 - bad_request, 1 - bad_request",
			);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});

		it("contains a throwing authorize hook and reports it through callbackFailed", () => {
			const setup = inventoryWorld({
				seed: 505,
				remotes: {
					authorize: (_player, intent) => {
						if (intent === "drop") throw "the hook broke";
						return intent !== "equip";
					},
				},
			});
			const failures = new Array<string>();
			setup.service.callbackFailed.Connect((failure) => failures.push(failure.message));
			const player = joinReady(setup, 1);
			const sword = setup.service.grant(player, "sword", 1);
			assert(sword.ok);
			const id = sword.value.minted[0];
			const client = setup.server.client(player);
			client.fireServer(setup.remotes!.request, 1, "drop", 0, id, 1);
			client.fireServer(setup.remotes!.request, 2, "equip", 0, id, "weapon");
			client.fireServer(setup.remotes!.request, 3, "move", 0, id, 4);
			frames(setup, 2);
			const messages = syncMessages(client, setup.remotes!.sync);
			expect(answerTo(messages, 1)).to.equal("internal_error");
			expect(answerTo(messages, 2)).to.equal("denied");
			expect(answerTo(messages, 3)).to.equal("accepted");
			expect(failures.size()).to.equal(1);
			expect(setup.service.getInventory(player)!.slots[4] !== false).to.equal(true);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});

		it("refuses a request whose player left while the authorize hook yielded", () => {
			const setup = inventoryWorld({
				seed: 507,
				remotes: {
					authorize: (_player, intent) => {
						if (intent === "drop") task.wait(1);
						return true;
					},
				},
			});
			const refused = new Array<string>();
			setup.remotes!.rejected.Connect((_player, intent, reason) => refused.push(`${intent} ${reason}`));
			const owner = joinReady(setup, 1);
			const sword = setup.service.grant(owner, "sword", 1);
			assert(sword.ok);
			const id = sword.value.minted[0];
			setup.server.client(owner).fireServer(setup.remotes!.request, 1, "drop", 0, id, 1);
			frames(setup, 2);
			// The player leaves while the hook waits: their released profile keeps the sword.
			setup.server.leave(owner);
			setup.world.advance(5);
			expect(setup.service.listDrops().size()).to.equal(0);
			expect(refused.join(",")).to.equal("drop no_session");
			expect(setup.world.takeErrors().size()).to.equal(0);
		});

		it("answers no_session to a player still here whose session ended while the authorize hook yielded", () => {
			const setup = inventoryWorld({
				seed: 509,
				remotes: {
					authorize: (_player, intent) => {
						if (intent === "drop") task.wait(1);
						return true;
					},
				},
			});
			const owner = joinReady(setup, 1);
			const sword = setup.service.grant(owner, "sword", 1);
			assert(sword.ok);
			const client = setup.server.client(owner);
			client.fireServer(setup.remotes!.request, 1, "drop", 0, sword.value.minted[0], 1);
			frames(setup, 2);
			// Released for a teleport while the hook waits; the teleport fails and the player stays.
			setup.world.failTeleports();
			setup.server.run(() => {
				setup.vault.prepareTeleport(owner).await();
				pcall(() => game.GetService("TeleportService").TeleportAsync(game.PlaceId, [owner]));
			});
			setup.world.advance(2);
			expect(answerTo(syncMessages(client, setup.remotes!.sync), 1)).to.equal("no_session");
			expect(setup.service.listDrops().size()).to.equal(0);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});

		it("replicates again after the remotes are destroyed and bound anew in the frame of a change", () => {
			const setup = inventoryWorld({ seed: 508 });
			const player = joinReady(setup, 1);
			frames(setup, 3);
			const sword = setup.service.grant(player, "sword", 1);
			assert(sword.ok);
			// Unbound before this frame's flush, then bound again (a hot reload of the game's remotes).
			setup.remotes!.destroy();
			const again = setup.server.run(() => setup.hopsafe.bindInventoryRemotes(setup.service));
			const client = setup.server.client(player);
			client.clearReceived();
			frames(setup, 3);
			expect(setup.service.equip(player, 0, sword.value.minted[0], "weapon").ok).to.equal(true);
			frames(setup, 3);
			const messages = syncMessages(client, again.sync);
			expect(messages.filter((message) => message.k === "s").size()).to.equal(1);
			expect(messages.filter((message) => message.k === "d").size()).to.equal(1);
			expect(player.GetAttribute("Equipped_weapon")).to.equal("sword");
			expect(setup.world.takeErrors().size()).to.equal(0);
		});

		it("refuses to bind a service that is already bound, and the first binding goes on replicating", () => {
			const setup = inventoryWorld({ seed: 509 });
			const player = joinReady(setup, 1);
			frames(setup, 3);
			const bindAgain = () =>
				setup.server.run(() => {
					const [bound, thrown] = pcall(() =>
						setup.hopsafe.bindInventoryRemotes(setup.service, { folderName: "OtherInventory" }),
					);
					return { bound, thrown: thrown as unknown };
				});
			const { bound, thrown } = bindAgain();
			expect(bound).to.equal(false);
			expect(setup.hopsafe.isErrorKind(thrown, "InvalidArgument") && thrown.details.argument).to.equal("service");
			expect(setup.remotes!.folder.Parent!.FindFirstChild("OtherInventory")).to.equal(undefined);
			const client = setup.server.client(player);
			client.clearReceived();
			const sword = setup.service.grant(player, "sword", 1);
			assert(sword.ok);
			expect(setup.service.equip(player, 0, sword.value.minted[0], "weapon").ok).to.equal(true);
			frames(setup, 3);
			expect(syncMessages(client, setup.remotes!.sync).filter((message) => message.k === "d").size()).to.equal(2);
			expect(player.GetAttribute("Equipped_weapon")).to.equal("sword");
			// Once destroyed, the service can be bound again.
			setup.remotes!.destroy();
			expect(bindAgain().bound).to.equal(true);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});

		it("lets exactly one of two players racing for a drop pick it up", () => {
			const setup = inventoryWorld({ seed: 506 });
			const owner = joinReady(setup, 1);
			const a = joinReady(setup, 2);
			const b = joinReady(setup, 3);
			const granted = setup.service.grant(owner, "sword", 1);
			assert(granted.ok);
			const dropped = setup.service.drop(owner, 0, granted.value.minted[0]);
			assert(dropped.ok);
			const event = dropped.value.events[0];
			assert(event.kind === "dropped");
			const token = event.drop.token;
			const clientA = setup.server.client(a);
			const clientB = setup.server.client(b);
			// Not before the owner's profile is saved without it.
			clientA.fireServer(setup.remotes!.request, 1, "pickUp", token);
			frames(setup, 3);
			expect(answerTo(syncMessages(clientA, setup.remotes!.sync), 1)).to.equal("drop_settling");
			setup.world.advance(10);
			clientA.fireServer(setup.remotes!.request, 2, "pickUp", token);
			clientB.fireServer(setup.remotes!.request, 2, "pickUp", token);
			frames(setup, 3);
			const answers: Array<string> = [
				answerTo(syncMessages(clientA, setup.remotes!.sync), 2) ?? "none",
				answerTo(syncMessages(clientB, setup.remotes!.sync), 2) ?? "none",
			];
			expect(answers.filter((answer) => answer === "accepted").size()).to.equal(1);
			expect(answers.filter((answer) => answer === "drop_taken").size()).to.equal(1);
			expect(setup.service.census().dupes.size()).to.equal(0);
			expect(setup.service.listDrops().size()).to.equal(0);
		});
	});
};
