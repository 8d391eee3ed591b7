import type { Vault, VaultMessage } from "../../../src/vault";
import { profileRef, storedCoins, waitForSession, walletPair, walletVault, type Wallet } from "../support/hopsafe";

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

/** Whether the profile's first global update is stored locked (taken in, not yet cleared). */
function firstUpdateLocked(world: Sim.World, userId: number): boolean {
	const stored = world.dataStore().read(profileRef(userId))?.value as
		| { GlobalUpdates: [number, Array<[number, number, boolean, unknown]>] }
		| undefined;
	return stored?.GlobalUpdates[1][0]?.[2] === true;
}

/** A gift of 25 coins posted to an offline player, who then joins server `a` and loads. */
function giftedOffline(seed: number, userId: number, id: string) {
	const world = sim.World.new({ seed });
	const a = world.startServer();
	const vaultA = walletVault(a);
	const appliedA = acceptGifts(vaultA);
	vaultA.postMessage(userId, gift(id, 25)).expect();
	const player = a.join(userId);
	waitForSession(world, vaultA, userId);
	return { world, a, vaultA, appliedA, player };
}

/** The player joins a new server whose vault accepts gifts, and stays 30 s: that vault and what it applied. */
function joinElsewhere(world: Sim.World, userId: number) {
	const server = world.startServer();
	const vault = walletVault(server);
	const applied = acceptGifts(vault);
	server.join(userId);
	waitForSession(world, vault, userId, 60);
	world.advance(30);
	return { vault, applied };
}

export = () => {
	describe("vault messages", () => {
		it("delivers a message posted while the player is offline at their next load, once", () => {
			const world = sim.World.new({ seed: 501 });
			const a = world.startServer();
			const vaultA = walletVault(a);
			expect(vaultA.postMessage(51, gift("gift-1", 25)).expect()).to.equal(true);
			expect(vaultA.postMessage(51, gift("gift-1", 25)).expect()).to.equal(false);
			const b = world.startServer();
			const vaultB = walletVault(b);
			const applied = acceptGifts(vaultB);
			const player = b.join(51);
			waitForSession(world, vaultB, 51);
			world.runUntil(() => applied.get("gift-1") !== undefined, 60);
			world.advance(40);
			expect(vaultB.getSession(51)!.data.coins).to.equal(25);
			expect(applied.get("gift-1")).to.equal(1);
			let released = false;
			vaultB.released.Connect(() => (released = true));
			b.leave(player);
			world.runUntil(() => released, 60);
			expect(storedCoins(world, 51)).to.equal(25);
		});

		it("stores the player's user id on the key a message to a player who never played creates (GDPR)", () => {
			const world = sim.World.new({ seed: 514 });
			const a = world.startServer();
			const vaultA = walletVault(a);
			expect(vaultA.postMessage(64, gift("gift-14", 5)).expect()).to.equal(true);
			expect(world.dataStore().read(profileRef(64))!.userIds.includes(64)).to.equal(true);
			// The next message keeps it.
			vaultA.postMessage(64, gift("gift-15", 5)).expect();
			expect(world.dataStore().read(profileRef(64))!.userIds.includes(64)).to.equal(true);
		});

		it("reaches a player online on another server within seconds", () => {
			const { world, b: holder, vaultA: senderVault, vaultB: holderVault } = walletPair(502);
			const applied = acceptGifts(holderVault);
			holder.join(52);
			waitForSession(world, holderVault, 52);
			world.advance(10);
			const started = world.now();
			senderVault.postMessage(52, gift("gift-2", 7)).expect();
			const took = world.runUntil(() => applied.get("gift-2") !== undefined, 90);
			expect(world.now() - started <= 30).to.equal(true);
			expect(took >= 0).to.equal(true);
			expect(holderVault.getSession(52)!.data.coins).to.equal(7);
		});

		it("routes by kind: another kind's handler never claims a message, a late handler gets it at once", () => {
			const world = sim.World.new({ seed: 504 });
			const a = world.startServer();
			const vaultA = walletVault(a);
			const seen = new Array<string>();
			vaultA.onMessage("badge", (_session, message) => {
				seen.push(message.id);
			});
			const player = a.join(54);
			waitForSession(world, vaultA, 54);
			world.advance(10);
			vaultA.postMessage(54, gift("gift-4", 9)).expect();
			world.advance(40);
			// Nobody handles gifts yet: the badge handler was not offered it, and it waits.
			expect(seen.size()).to.equal(0);
			expect(vaultA.getSession(54)!.data.coins).to.equal(0);
			const applied = acceptGifts(vaultA);
			world.runUntil(() => applied.get("gift-4") !== undefined, 5);
			expect(vaultA.getSession(54)!.data.coins).to.equal(9);
			world.advance(60);
			expect(applied.get("gift-4")).to.equal(1);
			expect(seen.size()).to.equal(0);
			let released = false;
			vaultA.released.Connect(() => (released = true));
			a.leave(player);
			world.runUntil(() => released, 60);
			expect(storedCoins(world, 54)).to.equal(9);
		});

		it("does not offer a message again while its handler yields", () => {
			const world = sim.World.new({ seed: 506 });
			// A server without gift handlers takes the message in (locks it) and leaves it waiting.
			const a = world.startServer();
			const vaultA = walletVault(a);
			const player = a.join(56);
			waitForSession(world, vaultA, 56);
			vaultA.postMessage(56, gift("gift-6", 4)).expect();
			world.advance(60);
			let released = false;
			vaultA.released.Connect(() => (released = true));
			a.leave(player);
			world.runUntil(() => released, 60);

			const b = world.startServer();
			const vaultB = walletVault(b);
			let calls = 0;
			vaultB.onMessage("gift", (session, message) => {
				calls += 1;
				task.wait(5);
				session.data.coins += (message.body as { coins: number }).coins;
			});
			b.join(56);
			world.runUntil(() => calls > 0, 60);
			// A second handler of the kind connects while the first is still applying the gift.
			const late = acceptGifts(vaultB);
			world.advance(60);
			expect(calls).to.equal(1);
			expect(late.get("gift-6")).to.equal(undefined);
			expect(vaultB.getSession(56)!.data.coins).to.equal(4);
		});

		it("leaves a message a handler declines for the next handler of its kind", () => {
			const world = sim.World.new({ seed: 505 });
			const a = world.startServer();
			const vaultA = walletVault(a);
			let declined = 0;
			vaultA.onMessage("gift", () => {
				declined += 1;
				return false;
			});
			const applied = acceptGifts(vaultA);
			a.join(55);
			waitForSession(world, vaultA, 55);
			world.advance(10);
			vaultA.postMessage(55, gift("gift-5", 3)).expect();
			world.runUntil(() => applied.get("gift-5") !== undefined, 60);
			world.advance(30);
			expect(declined >= 1).to.equal(true);
			expect(applied.get("gift-5")).to.equal(1);
			expect(vaultA.getSession(55)!.data.coins).to.equal(3);
		});

		it("counts a message as posted when its write was applied but the call errored", () => {
			const world = sim.World.new({ seed: 507 });
			const a = world.startServer();
			const vaultA = walletVault(a);
			// The write lands, the call errors, and the retry finds the message waiting: this call
			// posted it all the same (only another call's message makes it a duplicate).
			a.services.DataStoreService.faults.commitButErrorNext(1, "UpdateAsync");
			expect(vaultA.postMessage(57, gift("gift-7", 6)).expect()).to.equal(true);
			expect(vaultA.postMessage(57, gift("gift-7", 6)).expect()).to.equal(false);
			const b = world.startServer();
			const vaultB = walletVault(b);
			const applied = acceptGifts(vaultB);
			b.join(57);
			waitForSession(world, vaultB, 57);
			world.runUntil(() => applied.get("gift-7") !== undefined, 60);
			world.advance(30);
			expect(vaultB.getSession(57)!.data.coins).to.equal(6);
			expect(applied.get("gift-7")).to.equal(1);
		});

		it("rejects a post it could not write because the server is shutting down", () => {
			const world = sim.World.new({ seed: 510 });
			const a = world.startServer();
			const vaultA = walletVault(a);
			let outcome: string | undefined;
			a.run(() =>
				game.BindToClose(() => {
					const [posted, value] = vaultA.postMessage(60, gift("gift-10", 5)).await();
					outcome = posted ? `posted ${value}` : (value as { kind: string }).kind;
				}),
			);
			a.shutdown();
			// Resolving would tell the caller (a trade's outbox) the message was delivered.
			expect(outcome).to.equal("Closed");
			expect(world.dataStore().read(profileRef(60))).to.equal(undefined);
		});

		it("applies a message exactly once across a crash between applying and saving", () => {
			const world = sim.World.new({ seed: 503 });
			const a = world.startServer();
			const vaultA = walletVault(a);
			let appliedOnA = false;
			vaultA.onMessage("gift", (session, message) => {
				session.data.coins += (message.body as { coins: number }).coins;
				appliedOnA = true;
				// From here on every write from A fails: what A applied is never saved.
				a.services.DataStoreService.faults.failNext(1000, { operation: "UpdateAsync" });
			});
			a.join(53);
			waitForSession(world, vaultA, 53);
			world.advance(10);
			vaultA.postMessage(53, gift("gift-3", 5)).expect();
			world.runUntil(() => appliedOnA, 90);
			world.advance(5);
			a.crash();
			const b = world.startServer();
			const vaultB = walletVault(b);
			const appliedB = acceptGifts(vaultB);
			b.join(53);
			waitForSession(world, vaultB, 53, 60);
			world.runUntil(() => appliedB.get("gift-3") !== undefined, 90);
			world.advance(60);
			expect(vaultB.getSession(53)!.data.coins).to.equal(5);
			// Reposting an applied message does nothing.
			vaultB.postMessage(53, gift("gift-3", 5)).expect();
			world.advance(90);
			expect(vaultB.getSession(53)!.data.coins).to.equal(5);
			expect(appliedB.get("gift-3")).to.equal(1);
		});

		it("applies an offline message once when the player leaves while its update is still locked", () => {
			const { world, a, vaultA, appliedA, player } = giftedOffline(508, 58, "gift-8");
			world.runUntil(() => appliedA.get("gift-8") !== undefined, 30);
			// The save that clears the update waits out ProfileService's cooldown; leaving first
			// stores the update locked, with only the processed id to show it was applied.
			world.advance(2);
			let released = false;
			vaultA.released.Connect(() => (released = true));
			a.leave(player);
			world.runUntil(() => released, 60);
			world.advance(20);
			expect(firstUpdateLocked(world, 58)).to.equal(true);
			const { vault: vaultB, applied: appliedB } = joinElsewhere(world, 58);
			expect(appliedB.get("gift-8")).to.equal(undefined);
			expect(vaultB.getSession(58)!.data.coins).to.equal(25);
		});

		it("applies a message once across a crash after the save that locked it", () => {
			const { world, a, appliedA } = giftedOffline(509, 59, "gift-9");
			world.runUntil(() => firstUpdateLocked(world, 59), 60);
			expect(appliedA.get("gift-9")).to.equal(1);
			expect(storedCoins(world, 59)).to.equal(25);
			a.crash();
			const { vault: vaultB, applied: appliedB } = joinElsewhere(world, 59);
			expect(appliedB.get("gift-9")).to.equal(undefined);
			expect(vaultB.getSession(59)!.data.coins).to.equal(25);
		});

		// In Deferred mode (the default of new places) too: the vault's own signals start their
		// listeners inside Fire, before the session's messages are delivered.
		for (const signalBehavior of ["Immediate", "Deferred"]) {
		it(`keeps a waiting message for the next load when a loaded listener ends the session (${signalBehavior} signals)`, () => {
			const world = sim.World.new({ seed: 507, settings: { signalBehavior } });
			const a = world.startServer();
			const vaultA = walletVault(a);
			const applied = acceptGifts(vaultA);
			let turnAway = true;
			a.run(() =>
				vaultA.loaded.Connect((session) => {
					if (turnAway) void session.release("manual");
				}),
			);
			vaultA.postMessage(57, gift("gift-7", 6)).expect();
			const player = a.join(57);
			world.advance(20);
			expect(applied.get("gift-7")).to.equal(undefined);
			expect(world.takeErrors().size()).to.equal(0);
			turnAway = false;
			a.leave(player);
			world.advance(10);
			a.join(57);
			waitForSession(world, vaultA, 57, 60);
			world.runUntil(() => applied.get("gift-7") !== undefined, 60);
			expect(applied.get("gift-7")).to.equal(1);
			expect(vaultA.getSession(57)!.data.coins).to.equal(6);
		});
		}
	});
};
