import type { Vault } from "../../../src/vault";
import {
	lockHolder,
	storedCoins,
	storedProfile,
	waitForSession,
	walletPair,
	walletVault,
	type Wallet,
} from "../support/hopsafe";

/**
 * Two servers running wallet vaults in a world where a server shuts down (CloseReason.ServerEmpty)
 * `delay` seconds after its last player leaves.
 */
function emptyingPair(seed: number, delay: number, shutdownOrder = "playersFirst") {
	return walletPair(seed, { emptyServerShutdownSeconds: delay, shutdownOrder });
}

/**
 * An emptying pair whose first vault runs a release hook that waits `hookSeconds` (handing
 * something on, as a trade's parcel or an outbox would), then adds 100 coins; with player
 * `userId` loaded on the first server long after its load's write (nothing holds a save back in
 * ProfileService's cooldown) and holding 4 coins.
 */
function hookedPair(seed: number, delay: number, userId: number, hookSeconds: number) {
	const world = sim.World.new({ seed, settings: { emptyServerShutdownSeconds: delay } });
	const a = world.startServer();
	const b = world.startServer();
	const hook = { done: false };
	const vaultA = walletVault(a, {
		hooks: {
			beforeRelease: (session) => {
				task.wait(hookSeconds);
				session.data.coins += 100;
				hook.done = true;
			},
		},
	});
	const vaultB = walletVault(b);
	const ends = watchEnds(vaultA);
	const player = a.join(userId);
	waitForSession(world, vaultA, userId);
	world.advance(20);
	vaultA.getSession(userId)!.data.coins = 4;
	return { world, a, b, vaultB, ends, player, hook };
}

/** Watches a vault's ends of sessions: the reasons released, and how many locks were lost. */
function watchEnds(vault: Vault<Wallet>): { reasons: Array<string>; lost: () => number } {
	const reasons = new Array<string>();
	let lost = 0;
	vault.released.Connect((_userId, reason) => reasons.push(reason));
	vault.lockLost.Connect(() => (lost += 1));
	return { reasons, lost: () => lost };
}

/** Runs the world until `server` has shut down; returns the virtual seconds it took. */
function untilClosed(world: Sim.World, server: Sim.Server): number {
	return world.runUntil(() => server.state === "closed" || server.state === "crashed", 120);
}

const DELAYS = [0, 1, 5];

export = () => {
	describe("a server emptied by its last player's leave", () => {
		for (const delay of DELAYS) {
			for (const order of ["playersFirst", "closeFirst"]) {
				it(`saves the latest changes and releases the lock for the next server (${delay} s, ${order})`, () => {
					const { world, a, b, vaultA, vaultB } = emptyingPair(451 + delay, delay, order);
					const ends = watchEnds(vaultA);
					const player = a.join(51);
					waitForSession(world, vaultA, 51);
					world.advance(20);
					const session = vaultA.getSession(51)!;
					session.data.coins = 5;
					a.run(() => session.saveAsync().await());
					// Changed right after a save: ProfileService alone would wait out its cooldown.
					session.data.coins = 6;
					a.leave(player);
					untilClosed(world, a);
					expect(a.state).to.equal("closed");
					expect(ends.lost()).to.equal(0);
					expect(ends.reasons.size()).to.equal(1);
					expect(storedCoins(world, 51)).to.equal(6);
					expect(lockHolder(world, 51)).to.equal(undefined);
					expect(world.takeErrors().size()).to.equal(0);
					b.join(51);
					const took = waitForSession(world, vaultB, 51);
					expect(took < 1.5).to.equal(true);
					expect(vaultB.getSession(51)!.data.coins).to.equal(6);
				});
			}
		}

		for (const delay of DELAYS) {
			it(`keeps what a release hook changes while the server starts closing (${delay} s)`, () => {
				const { world, a, b, vaultB, ends, player, hook } = hookedPair(481 + delay, delay, 56, 2);
				a.leave(player);
				untilClosed(world, a);
				expect(hook.done).to.equal(true);
				expect(ends.lost()).to.equal(0);
				expect(storedCoins(world, 56)).to.equal(104);
				expect(lockHolder(world, 56)).to.equal(undefined);
				b.join(56);
				expect(waitForSession(world, vaultB, 56) < 1.5).to.equal(true);
				expect(vaultB.getSession(56)!.data.coins).to.equal(104);
			});
		}

		for (const delay of [0, 1]) {
			it(`hands a player who hops while the release hooks run on with what they changed (${delay} s)`, () => {
				const { world, a, b, vaultB, ends, player } = hookedPair(491 + delay, delay, 57, 5);
				// Arrives on B 2 s after leaving A, while A's hooks still run and A is closing.
				world.teleport(player, a, b, { async: true, delay: 2 });
				waitForSession(world, vaultB, 57, 60);
				expect(vaultB.getSession(57)!.data.coins).to.equal(104);
				untilClosed(world, a);
				world.advance(30);
				expect(ends.lost()).to.equal(0);
				expect(lockHolder(world, 57)).to.equal(b.jobId);
				expect(vaultB.getSession(57)!.data.coins).to.equal(104);
			});
		}

		for (const delay of DELAYS) {
			it(`lets a server it hopped to take the player at once while the source closes (${delay} s)`, () => {
				const { world, a, b, vaultA, vaultB } = emptyingPair(461 + delay, delay);
				const ends = watchEnds(vaultA);
				const lostB = watchEnds(vaultB);
				const player = a.join(52);
				waitForSession(world, vaultA, 52);
				world.advance(3);
				vaultA.getSession(52)!.data.coins = 17;
				const updatesBefore = world.counter("DataStoreService", "UpdateAsync", b.name);
				world.teleport(player, a, b, { async: true });
				waitForSession(world, vaultB, 52);
				expect(vaultB.getSession(52)!.data.coins).to.equal(17);
				// One write: the lock, taken at the first attempt.
				expect(world.counter("DataStoreService", "UpdateAsync", b.name) - updatesBefore).to.equal(1);
				untilClosed(world, a);
				vaultB.getSession(52)!.data.coins += 1;
				world.advance(60);
				expect(a.state).to.equal("closed");
				expect(ends.lost()).to.equal(0);
				expect(lostB.lost()).to.equal(0);
				expect(vaultB.getSession(52)!.data.coins).to.equal(18);
				expect(lockHolder(world, 52)).to.equal(b.jobId);
				expect(storedCoins(world, 52)).to.equal(18);
			});
		}

		it("lets the destination of a teleport prepared by game code load at once while the source closes", () => {
			const { world, a, b, vaultA, vaultB } = emptyingPair(471, 0);
			const player = a.join(53);
			waitForSession(world, vaultA, 53);
			vaultA.getSession(53)!.data.coins = 23;
			a.run(() => {
				vaultA.prepareTeleport(player).await();
				game.GetService("TeleportService").TeleportAsync(game.PlaceId, [player]);
			});
			waitForSession(world, vaultB, 53);
			expect(vaultB.getSession(53)!.data.coins).to.equal(23);
			untilClosed(world, a);
			world.advance(60);
			expect(a.state).to.equal("closed");
			expect(vaultB.getSession(53)).never.to.equal(undefined);
			expect(lockHolder(world, 53)).to.equal(b.jobId);
		});

		it("keeps a server open for a player who joins during the delay, and saves both", () => {
			const { world, a, vaultA } = emptyingPair(472, 10);
			const first = a.join(54);
			waitForSession(world, vaultA, 54);
			vaultA.getSession(54)!.data.coins = 2;
			a.leave(first);
			world.advance(5);
			const second = a.join(55);
			waitForSession(world, vaultA, 55);
			world.advance(30);
			expect(a.state).to.equal("running");
			vaultA.getSession(55)!.data.coins = 3;
			a.leave(second);
			untilClosed(world, a);
			expect(storedCoins(world, 54)).to.equal(2);
			expect(storedCoins(world, 55)).to.equal(3);
			expect(storedProfile(world, 54)!.MetaData.ActiveSession).to.equal(undefined);
			expect(storedProfile(world, 55)!.MetaData.ActiveSession).to.equal(undefined);
		});
	});
};
