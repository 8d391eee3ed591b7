import { frames, inventoryWorld, joinReady } from "../inventory/support/inventoryWorld";
import { answerTo, syncMessages } from "../inventory/support/messages";
import { lockHolder, storedCoins, waitForSession, walletPair } from "../support/hopsafe";

// The main flows under Workspace.SignalBehavior = Deferred (the default of new places), so
// both signal modes stay covered whatever default the specs run with.
const DEFERRED = { signalBehavior: "Deferred" };
const QUIET_DEFERRED = { printLogs: false, ...DEFERRED };

export = () => {
	describe("flows in Deferred mode", () => {
		it("hops a player to another server with what the first one saved, loading at once", () => {
			const { world, a, b, vaultA, vaultB } = walletPair(1501, QUIET_DEFERRED);
			const player = a.join(21);
			waitForSession(world, vaultA, 21);
			vaultA.getSession(21)!.data.coins = 33;
			world.advance(2);
			a.leave(player);
			b.join(21);
			const took = waitForSession(world, vaultB, 21);
			expect(took < 1.5).to.equal(true);
			expect(vaultB.getSession(21)!.data.coins).to.equal(33);
			expect(vaultA.getSession(21)).to.equal(undefined);
			expect(lockHolder(world, 21)).to.equal(b.jobId);
			expect(world.takeErrors().size()).to.equal(0);
		});

		it("leaves no lock behind for a player who leaves before the join's handlers ran", () => {
			const { world, a, b, vaultA, vaultB } = walletPair(1502, QUIET_DEFERRED);
			// Join and leave in one step: PlayerAdded's handler starts after the player is gone.
			a.leave(a.join(22));
			world.advance(30);
			expect(vaultA.getSession(22)).to.equal(undefined);
			expect(lockHolder(world, 22)).to.equal(undefined);
			b.join(22);
			expect(waitForSession(world, vaultB, 22) < 1.5).to.equal(true);
			expect(world.takeErrors().size()).to.equal(0);
		});

		it("saves and unlocks every player at shutdown", () => {
			const { world, a, vaultA } = walletPair(1503, QUIET_DEFERRED);
			a.join(23);
			a.join(24);
			waitForSession(world, vaultA, 23);
			waitForSession(world, vaultA, 24);
			vaultA.getSession(23)!.data.coins = 5;
			vaultA.getSession(24)!.data.coins = 7;
			a.shutdown();
			expect(a.state).to.equal("closed");
			expect(`${storedCoins(world, 23)} ${storedCoins(world, 24)}`).to.equal("5 7");
			expect(`${lockHolder(world, 23)} ${lockHolder(world, 24)}`).to.equal("nil nil");
		});

		it("answers inventory requests from a client and replicates the result", () => {
			const setup = inventoryWorld({ seed: 1504, settings: DEFERRED });
			const player = joinReady(setup, 1);
			const potions = setup.service.grant(player, "potion", 5);
			assert(potions.ok);
			const client = setup.server.client(player);
			client.fireServer(setup.remotes!.request, 1, "consume", 0, potions.value.minted[0], 2);
			frames(setup, 3);
			expect(answerTo(syncMessages(client, setup.remotes!.sync), 1)).to.equal("accepted");
			const stack = setup.service.getInventory(player)!.slots[0];
			expect(stack !== false && stack.count).to.equal(3);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});
	});
};
