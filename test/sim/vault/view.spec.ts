import { t } from "@rbxts/t";
import type { HopsafeError } from "../../../src/core/errors";
import {
	hopsafeOn,
	lockHolder,
	profileRef,
	storedCoins,
	storedProfile,
	waitForSession,
	walletSession,
	walletVault,
} from "../support/hopsafe";

// Read-only views of stored profiles: the data as a load would see it, the lock untouched.

interface Wallet2 {
	coins: number;
	gems: number;
}

/** The PlayerData vault of a newer game version on `server`: its migration adds 3 gems. */
function walletV2(server: Sim.Server) {
	return hopsafeOn(server).createVault<Wallet2>({
		name: "PlayerData",
		template: { coins: 0, gems: 0 },
		schema: t.interface({ coins: t.number, gems: t.number }),
		migrations: [(old) => ({ coins: (old as { coins: number }).coins, gems: 3 })],
	});
}

export = () => {
	describe("vault views", () => {
		it("reads a player held by another server without touching its lock", () => {
			const { world, server, vault } = walletSession(501, 51);
			vault.getSession(51)!.data.coins = 40;
			vault.getSession(51)!.saveAsync().await();
			const support = world.startServer({ name: "support" });
			const reader = walletVault(support);
			const view = reader.view(51).expect();
			expect(view.data!.coins).to.equal(40);
			expect(view.storedSchemaVersion).to.equal(1);
			expect(view.heldBy).to.equal(server.jobId);
			// A copy: changing it changes nothing, and the holder keeps its session.
			view.data!.coins = 999;
			world.advance(60);
			expect(vault.getSession(51)!.isActive()).to.equal(true);
			expect(lockHolder(world, 51)).to.equal(server.jobId);
			expect(reader.getSession(51)).to.equal(undefined);
			vault.getSession(51)!.data.coins = 41;
			const [saved] = vault.getSession(51)!.saveAsync().await();
			expect(saved).to.equal(true);
			expect((storedProfile(world, 51)!.Data.value as { coins: number }).coins).to.equal(41);
		});

		it("answers no data for a player without a profile", () => {
			const world = sim.World.new({ seed: 502 });
			const vault = walletVault(world.startServer());
			const view = vault.view(52).expect();
			expect(view.data).to.equal(undefined);
			expect(view.heldBy).to.equal(undefined);
		});

		it("lists the hourly versions newest first and reads an older one", () => {
			const { world, vault } = walletSession(503, 53);
			const session = vault.getSession(53)!;
			// The DataStore keeps one version per UTC hour; later writes in the hour replace its data.
			for (const coins of [10, 20, 30]) {
				session.data.coins = coins;
				session.saveAsync().await();
				if (coins < 30) world.advance(3700);
			}
			const versions = vault.versions(53, 50).expect();
			for (let index = 1; index < versions.size(); index++) {
				expect(versions[index - 1].savedAt >= versions[index].savedAt).to.equal(true);
			}
			const seen = versions.map((entry) => vault.view(53, entry.version).expect().data!.coins);
			// Newest first: this hour's (30), then what each hour before ended with.
			expect(seen[0]).to.equal(30);
			expect(seen[1]).to.equal(20);
			expect(seen[2]).to.equal(10);
			expect(vault.versions(53, 2).expect().size()).to.equal(2);
		});

		it("refuses a NaN limit with InvalidArgument before listing anything", () => {
			const { world, vault } = walletSession(512, 960500);
			const listedBefore = world.counter("DataStoreService", "ListVersionsAsync");
			const [ok, failure] = vault.versions(960500, 0 / 0).await();
			expect(ok).to.equal(false);
			expect((failure as HopsafeError).kind).to.equal("InvalidArgument");
			expect(world.counter("DataStoreService", "ListVersionsAsync")).to.equal(listedBefore);
			// A finite limit past the range is clamped as before.
			expect(vault.versions(960500, 5000).expect().size() >= 1).to.equal(true);
		});

		it("migrates a copy of old data and leaves the stored bytes alone", () => {
			const { world, vault, server, player } = walletSession(504, 54);
			vault.getSession(54)!.data.coins = 7;
			let released = false;
			vault.released.Connect(() => (released = true));
			server.leave(player);
			world.runUntil(() => released, 60);
			const before = world.dataStore().rawText(profileRef(54));
			const newer = world.startServer({ name: "newer" });
			const v2 = walletV2(newer);
			const view = v2.view(54).expect();
			expect(view.data!.gems).to.equal(3);
			expect(view.data!.coins).to.equal(7);
			expect(view.storedSchemaVersion).to.equal(1);
			expect(world.dataStore().rawText(profileRef(54))).to.equal(before);
		});

		it("edits an offline player's data, never while a server holds the session", () => {
			const { world, vault, server, player } = walletSession(506, 57);
			vault.getSession(57)!.data.coins = 10;
			vault.getSession(57)!.saveAsync().await();
			const support = world.startServer({ name: "support" });
			const v2 = walletV2(support);
			const addFive = (data: Wallet2) => {
				data.coins += 5;
				return true;
			};
			expect(v2.editOffline(57, addFive).expect()).to.equal("held");
			expect(storedCoins(world, 57)).to.equal(10);
			let released = false;
			vault.released.Connect(() => (released = true));
			server.leave(player);
			world.runUntil(() => released, 60);
			// Migrated as a load would, then edited, in one write; the next load reads it.
			expect(v2.editOffline(57, addFive).expect()).to.equal("edited");
			expect(v2.editOffline(57, () => false).expect()).to.equal("unchanged");
			expect(v2.editOffline(58, addFive).expect()).to.equal("absent");
			expect(storedProfile(world, 57)!.Data.schemaVersion).to.equal(2);
			expect(storedCoins(world, 57)).to.equal(15);
			support.join(57);
			waitForSession(world, v2, 57);
			expect(v2.getSession(57)!.data.gems).to.equal(3);
			expect(v2.getSession(57)!.data.coins).to.equal(15);
		});

		it("rejects corrupted data and data from a newer schema with their kinds", () => {
			const world = sim.World.new({ seed: 505 });
			const server = world.startServer();
			world.dataStore().write(profileRef(55), { value: "not a profile" });
			const vault = walletVault(server);
			const [ok, failure] = vault.view(55).await();
			expect(ok).to.equal(false);
			expect((failure as HopsafeError).kind).to.equal("CorruptedData");

			const v2 = hopsafeOn(server).createVault<Wallet2>({
				name: "Newer",
				template: { coins: 0, gems: 0 },
				schema: t.interface({ coins: t.number, gems: t.number }),
				migrations: [(old) => ({ coins: (old as { coins: number }).coins, gems: 0 })],
			});
			const player = server.join(56);
			waitForSession(world, v2, 56);
			server.leave(player);
			world.advance(30);
			const old = walletVault(server, { name: "Newer" });
			const [newerOk, newerFailure] = old.view(56).await();
			expect(newerOk).to.equal(false);
			expect((newerFailure as HopsafeError).kind).to.equal("NewerSchema");
		});
	});
};
