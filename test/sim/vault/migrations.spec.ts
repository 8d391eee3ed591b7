import { t } from "@rbxts/t";
import type { LoadFailure, Migration, Vault } from "../../../src/vault";
import { hopsafeOn, profileRef, storedProfile, waitForSession } from "../support/hopsafe";

interface V1 {
	gold: number;
}
interface V3 {
	coins: number;
	gems: number;
}

const v1Schema = t.interface({ gold: t.number });
const v3Schema = t.interface({ coins: t.number, gems: t.number });

const toV2: Migration = (data) => ({ coins: (data as V1).gold });
const toV3: Migration = (data) => ({ coins: (data as { coins: number }).coins, gems: 0 });

function v1Vault(server: Sim.Server): Vault<V1> {
	return hopsafeOn(server).createVault<V1>({ name: "PlayerData", template: { gold: 0 }, schema: v1Schema });
}

function v3Vault(server: Sim.Server, migrations: Array<Migration>, onLoadFailure: "kick" | "hold" = "hold"): Vault<V3> {
	return hopsafeOn(server).createVault<V3>({
		name: "PlayerData",
		template: { coins: 0, gems: 0 },
		schema: v3Schema,
		migrations,
		onLoadFailure,
	});
}

/** Stores a schema-1 profile for `userId` by running an old server, then stops it. */
function seedV1(world: Sim.World, userId: number, gold: number) {
	const old = world.startServer({ name: "old-server" });
	const vault = v1Vault(old);
	const player = old.join(userId);
	waitForSession(world, vault, userId);
	vault.getSession(userId)!.data.gold = gold;
	let released = false;
	vault.released.Connect(() => (released = true));
	old.leave(player);
	world.runUntil(() => released, 60);
	old.shutdown();
}

function failuresOf<T extends object>(vault: Vault<T>) {
	const failures = new Array<LoadFailure>();
	vault.loadFailed.Connect((failure) => failures.push(failure));
	const migrationFailures = new Array<LoadFailure>();
	vault.migrationFailed.Connect((failure) => migrationFailures.push(failure));
	return { failures, migrationFailures };
}

export = () => {
	describe("lazy migrations", () => {
		it("loads a profile stored at schema 1 as schema 3 and saves it at schema 3", () => {
			const world = sim.World.new({ seed: 301 });
			seedV1(world, 31, 70);
			const server = world.startServer();
			const vault = v3Vault(server, [toV2, toV3]);
			const player = server.join(31);
			waitForSession(world, vault, 31);
			const session = vault.getSession(31)!;
			expect(session.schemaVersion).to.equal(3);
			expect(session.data.coins).to.equal(70);
			expect(session.data.gems).to.equal(0);
			let released = false;
			vault.released.Connect(() => (released = true));
			server.leave(player);
			world.runUntil(() => released, 60);
			const stored = storedProfile(world, 31)!;
			expect(stored.Data.schemaVersion).to.equal(3);
			expect((stored.Data.value as V3).coins).to.equal(70);
		});

		it("holds the player, fires the signal and leaves the stored bytes unchanged when a migration throws", () => {
			const world = sim.World.new({ seed: 302 });
			seedV1(world, 32, 5);
			const before = world.dataStore().rawText(profileRef(32));
			const server = world.startServer();
			const vault = v3Vault(server, [
				toV2,
				() => {
					throw "gems are not ready";
				},
			]);
			const { failures, migrationFailures } = failuresOf(vault);
			const player = server.join(32);
			world.runUntil(() => failures.size() > 0, 60);
			world.advance(40);
			expect(failures[0].error.kind).to.equal("MigrationFailed");
			expect(failures[0].error.message.find("schema 2 to 3")[0] !== undefined).to.equal(true);
			expect(migrationFailures.size()).to.equal(1);
			expect(vault.getSession(32)).to.equal(undefined);
			expect(player.Parent).never.to.equal(undefined);
			expect(world.dataStore().rawText(profileRef(32))).to.equal(before);
		});

		it("treats a migration that returns nothing as a failure too", () => {
			const world = sim.World.new({ seed: 303 });
			seedV1(world, 33, 5);
			const before = world.dataStore().rawText(profileRef(33));
			const server = world.startServer();
			const vault = v3Vault(server, [toV2, () => undefined]);
			const { failures } = failuresOf(vault);
			server.join(33);
			world.runUntil(() => failures.size() > 0, 60);
			expect(failures[0].error.kind).to.equal("MigrationFailed");
			expect(world.dataStore().rawText(profileRef(33))).to.equal(before);
		});

		it("treats a migration that yields as a failure: the player is held at once and nothing is written", () => {
			const world = sim.World.new({ seed: 308 });
			seedV1(world, 38, 5);
			const before = world.dataStore().rawText(profileRef(38));
			const server = world.startServer();
			const vault = v3Vault(server, [
				toV2,
				(data) => {
					// Waits for something that never comes (a web call, another service).
					task.wait(1e6);
					return toV3(data as never);
				},
			]);
			const { failures, migrationFailures } = failuresOf(vault);
			server.join(38);
			world.runUntil(() => failures.size() > 0, 60);
			expect(failures.size()).to.equal(1);
			expect(failures[0].error.kind).to.equal("MigrationFailed");
			expect(failures[0].error.message.find("schema 2 to 3 yielded")[0] !== undefined).to.equal(true);
			expect(migrationFailures.size()).to.equal(1);
			// An offline edit reports the same failure, not a DataStore one.
			const [edited, failure] = vault.editOffline(38, () => true).await();
			expect(edited).to.equal(false);
			expect((failure as { kind: string }).kind).to.equal("MigrationFailed");
			world.advance(40);
			expect(vault.getSession(38)).to.equal(undefined);
			expect(world.dataStore().rawText(profileRef(38))).to.equal(before);
		});

		it("kicks with a clear message and writes nothing when the migrated data fails validation", () => {
			const world = sim.World.new({ seed: 304 });
			seedV1(world, 34, 5);
			const before = world.dataStore().rawText(profileRef(34));
			const server = world.startServer();
			const vault = v3Vault(server, [toV2, (data) => ({ coins: (data as { coins: number }).coins, gems: "none" })], "kick");
			const { failures } = failuresOf(vault);
			const player = server.join(34);
			world.runUntil(() => failures.size() > 0, 60);
			expect(failures[0].error.kind).to.equal("ValidationFailed");
			expect(failures[0].error.message).to.equal("data at schema 3 does not match the schema");
			expect(server.kickMessage(player)).to.equal(
				"Your data could not be loaded safely, so nothing was changed. Please rejoin in a moment.",
			);
			world.advance(40);
			expect(world.dataStore().rawText(profileRef(34))).to.equal(before);
		});

		it("refuses data from a newer schema on an older server and leaves it unchanged", () => {
			const world = sim.World.new({ seed: 305 });
			const newer = world.startServer({ name: "newer" });
			const newVault = v3Vault(newer, [toV2, toV3]);
			const player = newer.join(35);
			waitForSession(world, newVault, 35);
			newVault.getSession(35)!.data.gems = 4;
			let released = false;
			newVault.released.Connect(() => (released = true));
			newer.leave(player);
			world.runUntil(() => released, 60);
			newer.shutdown();
			const before = world.dataStore().rawText(profileRef(35));

			const older = world.startServer({ name: "older" });
			const oldVault = v1Vault(older);
			const { failures } = failuresOf(oldVault);
			older.join(35);
			world.runUntil(() => failures.size() > 0, 60);
			world.advance(40);
			expect(failures[0].error.kind).to.equal("NewerSchema");
			expect(world.dataStore().rawText(profileRef(35))).to.equal(before);
		});

		it("lets an older server load newer data whose migrations are all backwards compatible", () => {
			const world = sim.World.new({ seed: 306 });
			const newer = world.startServer({ name: "newer" });
			const lib = hopsafeOn(newer);
			const newVault = lib.createVault<{ gold: number; title?: string }>({
				name: "PlayerData",
				template: { gold: 0 },
				schema: t.interface({ gold: t.number, title: t.optional(t.string) }),
				migrations: [{ migrate: (data) => ({ ...(data as V1), title: "rookie" }), backwardsCompatible: true }],
			});
			const player = newer.join(36);
			waitForSession(world, newVault, 36);
			newVault.getSession(36)!.data.gold = 8;
			let released = false;
			newVault.released.Connect(() => (released = true));
			newer.leave(player);
			world.runUntil(() => released, 60);

			const older = world.startServer({ name: "older" });
			const oldVault = v1Vault(older);
			older.join(36);
			waitForSession(world, oldVault, 36);
			expect(oldVault.getSession(36)!.data.gold).to.equal(8);
			expect(oldVault.getSession(36)!.schemaVersion).to.equal(2);
		});
	});

	describe("corrupted stored values", () => {
		const cases: Array<[string, unknown]> = [
			["a value that is not a table", 42],
			["a profile whose fields have the wrong types", { Data: "coins", MetaData: {} }],
			["a profile with no MetaData", { Data: { schemaVersion: 1, value: { gold: 1 } } }],
			["a schema version that is not a number", { Data: { schemaVersion: "2", value: {} }, MetaData: {} }],
			["a legacy key written by another library", { coins: 120, inventory: ["sword"], lastSave: 1700000000 }],
			[
				"plain ProfileService data without hopsafe's envelope",
				{ Data: { gold: 3 }, MetaData: { SessionLoadCount: 1, MetaTags: {} }, GlobalUpdates: [0, []] },
			],
		];
		for (const [name, raw] of cases) {
			it(`holds the player and never overwrites ${name}`, () => {
				const world = sim.World.new({ seed: 307 });
				world.dataStore().write(profileRef(37), { value: raw });
				const before = world.dataStore().rawText(profileRef(37));
				const server = world.startServer();
				const vault = v1Vault(server);
				const { failures } = failuresOf(vault);
				server.join(37);
				world.runUntil(() => failures.size() > 0, 60);
				world.advance(40);
				expect(failures[0].error.kind).to.equal("CorruptedData");
				expect(vault.getSession(37)).to.equal(undefined);
				expect(world.dataStore().rawText(profileRef(37))).to.equal(before);
			});
		}
	});
};
