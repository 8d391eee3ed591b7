import { HttpService } from "@rbxts/services";
import { encodeOps } from "../../../src/sync/wire";
import {
	apiCoins,
	apiRequest,
	coins,
	companionToken,
	companionWrite,
	readPlayer,
	reasonCounts,
	serverWrite,
	joinedGame,
	syncGame,
	syncWorld,
	waitReady,
	waitSettled,
	type SyncGame,
} from "./support/api";

// Player ids of this file (the save API's database is shared by the whole run).
const BASE = 720_000;

/** A RemoteEvent that tells each client about its rollbacks, as a game would (a toast). */
function tellClients(app: SyncGame): RemoteEvent {
	const remote = app.server.run(() => {
		const event = new Instance("RemoteEvent");
		event.Name = "SyncRollback";
		event.Parent = game.GetService("ReplicatedStorage");
		return event;
	});
	app.sync.rolledBack.Connect((userId, rollback) => {
		const player = app.server.findPlayer(userId);
		if (player !== undefined) remote.FireClient(player, rollback.reason, rollback.key);
	});
	return remote;
}

/** A second game service sets a document directly through the API, at version 0; returns the status. */
function otherWriterSetsDoc(world: Sim.World, userId: number, name: string, value: Record<string, unknown>): number {
	const encode = (data: unknown) => HttpService.JSONEncode(data);
	const reply = apiRequest(world, "POST", `/v1/players/${userId}/transactions`, {
		key: HttpService.GenerateGUID(false),
		ifMatch: 0,
		body: `{"ops":${encodeOps(encode, [{ op: "doc.set", name, value }])}}`,
	});
	return reply.status;
}

export = () => {
	describe("sync two writers", () => {
		it("applies a companion spend and an in-game reward decided on the same version", () => {
			const userId = BASE + 1;
			const world = syncWorld(7201);
			expect(serverWrite(world, userId, [coins(100)]).status).to.equal(201);
			const { app } = joinedGame(world, userId, { flushInterval: 2 });
			expect(app.sync.getCommitted(userId)!.version).to.equal(1);

			// Both writers decide on version 1: the game rewards 50, the companion spends 30.
			expect(app.sync.addCurrency(userId, "coins", 50, { reason: "quest:reward" }).ok).to.equal(true);
			expect(app.sync.getState(userId)!.currencies.coins).to.equal(150);
			const token = companionToken(world, userId);
			expect(companionWrite(world, token, userId, [coins(-30)], { reason: "web:shop" }).status).to.equal(201);
			waitSettled(world, app, userId);
			world.runUntil(() => app.sync.getCommitted(userId)!.version === 3, 10);

			expect(apiCoins(world, userId)).to.equal(120);
			expect(app.sync.getState(userId)!.currencies.coins).to.equal(120);
			expect(app.rollbacks.size()).to.equal(0);
			const reasons = reasonCounts(world, userId);
			expect(reasons.get("quest:reward")).to.equal(1);
			expect(reasons.get("web:shop")).to.equal(1);
		});

		it("lets exactly one of two spends of the same coins succeed; the game's loser is rolled back on its client", () => {
			const userId = BASE + 2;
			const world = syncWorld(7202);
			expect(serverWrite(world, userId, [coins(100)]).status).to.equal(201);
			const server = world.startServer();
			const app = syncGame(server, { flushInterval: 2 });
			const remote = tellClients(app);
			const player = server.join(userId);
			waitReady(world, app, userId);
			const client = server.client(player);

			// The game spends 80 (the player sees 20 at once); before its batch leaves, the
			// companion spends 80 of the same coins.
			const spent = app.sync.addCurrency(userId, "coins", -80, { reason: "shop:sword" });
			expect(spent.ok).to.equal(true);
			expect(app.sync.getState(userId)!.currencies.coins).to.equal(20);
			const token = companionToken(world, userId);
			expect(companionWrite(world, token, userId, [coins(-80)], { reason: "web:skin" }).status).to.equal(201);
			world.runUntil(() => app.rollbacks.size() > 0, 10);
			world.advance(1);

			expect(app.rollbacks[0].reason).to.equal("insufficient_funds");
			expect(app.rollbacks[0].key).to.equal(spent.ok ? spent.value : "");
			const received = client.received(remote);
			expect(received.size()).to.equal(1);
			expect(received[0][0]).to.equal("insufficient_funds");
			// Exactly one spend: 100 - 80, and the game shows the API's 20 (not 20 - 80, not 100).
			expect(apiCoins(world, userId)).to.equal(20);
			expect(app.sync.getState(userId)!.currencies.coins).to.equal(20);
			expect(app.sync.pendingCount(userId)).to.equal(0);
			const reasons = reasonCounts(world, userId);
			expect(reasons.get("shop:sword")).to.equal(undefined);
			expect(reasons.get("web:skin")).to.equal(1);
		});

		it("refuses the companion's spend when the game's spend committed first", () => {
			const userId = BASE + 3;
			const world = syncWorld(7203);
			expect(serverWrite(world, userId, [coins(100)]).status).to.equal(201);
			const { app } = joinedGame(world, userId);
			expect(app.sync.addCurrency(userId, "coins", -80, { reason: "shop:sword" }).ok).to.equal(true);
			waitSettled(world, app, userId);

			const token = companionToken(world, userId);
			const reply = companionWrite(world, token, userId, [coins(-80)], { reason: "web:skin" });
			expect(reply.status).to.equal(409);
			expect((reply.body as { error: { code: string } }).error.code).to.equal("insufficient_funds");
			world.advance(6);
			expect(apiCoins(world, userId)).to.equal(20);
			expect(app.sync.getState(userId)!.currencies.coins).to.equal(20);
			expect(app.rollbacks.size()).to.equal(0);
		});

		it("rolls back an item the companion sold before the game's use of it reached the API", () => {
			const userId = BASE + 4;
			const world = syncWorld(7204);
			const sword = { id: `${userId}-sword`, def: "sword", count: 1, attrs: {} };
			expect(serverWrite(world, userId, [{ op: "item.grant", item: sword }]).status).to.equal(201);
			const { app } = joinedGame(world, userId, { flushInterval: 2 });
			expect(app.sync.removeItem(userId, sword.id, 1, { reason: "forge:melt" }).ok).to.equal(true);
			expect(app.sync.getState(userId)!.items[sword.id]).to.equal(undefined);
			const token = companionToken(world, userId);
			expect(companionWrite(world, token, userId, [{ op: "item.remove", id: sword.id }]).status).to.equal(201);
			world.runUntil(() => app.rollbacks.size() > 0, 10);
			expect(app.rollbacks[0].reason).to.equal("item_not_owned");
			expect(readPlayer(world, userId).items.size()).to.equal(0);
		});

		it("sends a document again, decided anew, after another writer changed the version (412)", () => {
			const userId = BASE + 5;
			const world = syncWorld(7205);
			const { app } = joinedGame(world, userId, {
				flushInterval: 2,
				// Keep the other writer's keys, add this server's.
				decideDoc: (_userId, _name, current, mine) => ({ ...(current ?? {}), ...mine }),
			});
			expect(app.sync.setDoc(userId, "settings", { music: false }).ok).to.equal(true);
			// Another writer (a second game service) sets the document first, at version 0.
			expect(otherWriterSetsDoc(world, userId, "settings", { language: "fr" })).to.equal(201);
			waitSettled(world, app, userId, 30);
			world.advance(2);
			const docs = readPlayer(world, userId).docs as Record<string, Record<string, unknown>>;
			expect(docs.settings.language).to.equal("fr");
			expect(docs.settings.music).to.equal(false);
			expect(app.sync.getState(userId)!.docs.settings.language).to.equal("fr");
			expect(app.rollbacks.size()).to.equal(0);
			expect(readPlayer(world, userId).version).to.equal(2);
		});

		it("sends a document decided again only once a save holds its new key, so a crash cannot apply two decisions", () => {
			const userId = BASE + 12;
			const world = syncWorld(7212);
			// A decision that is not idempotent: each one counts a visit on top of the other writer's.
			const decideDoc = (_userId: number, _name: string, current: Record<string, unknown> | undefined) => ({
				visits: ((current?.visits as number | undefined) ?? 0) + 1,
			});
			const a = syncGame(world.startServer(), { flushInterval: 30, decideDoc });
			a.server.join(userId);
			waitReady(world, a, userId);
			expect(a.sync.setDoc(userId, "stats", { visits: 1 }).ok).to.equal(true);
			// The profile holds the entry; another writer sets the document first; then every save fails.
			const session = a.vault.getSession(userId)!;
			let saved = false;
			void session.saveAsync().then(() => (saved = true));
			world.runUntil(() => saved, 30);
			expect(otherWriterSetsDoc(world, userId, "stats", { visits: 5 })).to.equal(201);
			a.server.services.DataStoreService.faults.failNext(1000, { operation: "UpdateAsync" });
			// Refused (412) and decided again on the other writer's 5: 6, under a new key.
			world.advance(65);
			a.server.crash();
			const b = syncGame(world.startServer(), { flushInterval: 1, decideDoc });
			b.server.join(userId);
			waitReady(world, b, userId);
			waitSettled(world, b, userId, 60);
			world.advance(2);
			const docs = readPlayer(world, userId).docs as Record<string, Record<string, unknown>>;
			expect(docs.stats.visits).to.equal(6);
		});

		it("rolls a document write back as version_conflict when deciding again drops it", () => {
			const userId = BASE + 6;
			const world = syncWorld(7206);
			// This game gives way to any other writer of the document.
			const { app } = joinedGame(world, userId, { flushInterval: 2, decideDoc: () => undefined });
			const queued = app.sync.setDoc(userId, "loadout", { weapon: "bow" });
			const settled = app.sync.awaitCommit(queued.ok ? queued.value : "");
			expect(otherWriterSetsDoc(world, userId, "loadout", { weapon: "axe" })).to.equal(201);
			const [ok, failure] = settled.await();
			expect(ok).to.equal(false);
			expect((failure as { kind: string }).kind).to.equal("VersionConflict");
			world.advance(2);
			expect(app.rollbacks.size()).to.equal(1);
			expect(app.rollbacks[0].reason).to.equal("version_conflict");
			expect(app.sync.getState(userId)!.docs.loadout.weapon).to.equal("axe");
			expect(readPlayer(world, userId).version).to.equal(1);
		});

		it("decides a queued document again when another writer's change arrives before it is sent", () => {
			const userId = BASE + 7;
			const world = syncWorld(7207);
			// A long flush interval: the other writer's push and the pull land before the send.
			const { app } = joinedGame(world, userId, {
				flushInterval: 20,
				decideDoc: (_userId, _name, current, mine) => ({ ...(current ?? {}), ...mine }),
			});
			expect(app.sync.setDoc(userId, "settings", { music: false }).ok).to.equal(true);
			expect(otherWriterSetsDoc(world, userId, "settings", { language: "fr" })).to.equal(201);
			world.runUntil(() => app.sync.getCommitted(userId)!.version === 1, 15);
			// Pulled, not sent yet: the mirror has the other writer's document.
			expect(app.sync.pendingCount(userId)).to.equal(1);
			waitSettled(world, app, userId, 60);
			const settings = (readPlayer(world, userId).docs as Record<string, Record<string, unknown>>).settings;
			expect(settings.language).to.equal("fr");
			expect(settings.music).to.equal(false);
			expect(app.sync.getState(userId)!.docs.settings.language).to.equal("fr");
			expect(app.rollbacks.size()).to.equal(0);
		});

		it("follows what became of another request with the same key: refused or applied (422)", () => {
			const userId = BASE + 11;
			const world = syncWorld(7211);
			// Another server used these keys with other bodies: one was refused, one applied.
			expect(serverWrite(world, userId, [coins(-5)], "taken:refused").status).to.equal(409);
			expect(serverWrite(world, userId, [coins(3)], "taken:applied").status).to.equal(201);
			const { app } = joinedGame(world, userId, { flushInterval: 1 });
			expect(app.sync.getState(userId)!.currencies.coins).to.equal(3);
			expect(app.sync.addCurrency(userId, "coins", 7, { key: "taken:refused" }).ok).to.equal(true);
			waitSettled(world, app, userId);
			// The rollback is told once the refetch it starts has answered, after the entry left the outbox.
			world.runUntil(() => app.rollbacks.size() > 0, 60);
			expect(app.rollbacks.size()).to.equal(1);
			expect(app.rollbacks[0].reason).to.equal("insufficient_funds");
			expect(app.sync.getState(userId)!.currencies.coins).to.equal(3);
			expect(app.sync.addCurrency(userId, "coins", 4, { key: "taken:applied" }).ok).to.equal(true);
			waitSettled(world, app, userId);
			world.advance(3);
			// Applied already: acknowledged, and the pull shows the API's balance, not a second credit.
			expect(app.rollbacks.size()).to.equal(1);
			expect(app.sync.getState(userId)!.currencies.coins).to.equal(3);
			expect(apiCoins(world, userId)).to.equal(3);
		});

		const broken: Array<[string, number, () => Record<string, unknown> | undefined, string | undefined]> = [
			["gives way on", 8, () => undefined, undefined],
			["decides with a throwing decideDoc", 9, () => error("decideDoc broke", 0), "CallbackFailed"],
			["decides with a decideDoc returning no table", 10, () => 5 as never, "CallbackFailed"],
		];
		for (const [what, offset, decideDoc, reported] of broken) {
			it(`rolls back a queued document the game ${what}, another writer having changed it first`, () => {
				const userId = BASE + offset;
				const world = syncWorld(7200 + offset);
				const { app } = joinedGame(world, userId, { flushInterval: 20, decideDoc });
				const failures = new Array<string>();
				app.sync.failed.Connect((_userId, failure) => failures.push(failure.kind));
				expect(app.sync.setDoc(userId, "loadout", { weapon: "bow" }).ok).to.equal(true);
				expect(otherWriterSetsDoc(world, userId, "loadout", { weapon: "axe" })).to.equal(201);
				world.runUntil(() => app.rollbacks.size() > 0, 60);
				expect(app.rollbacks.size()).to.equal(1);
				expect(app.rollbacks[0].reason).to.equal("version_conflict");
				expect(app.sync.getState(userId)!.docs.loadout.weapon).to.equal("axe");
				expect(readPlayer(world, userId).version).to.equal(1);
				expect(failures.includes("CallbackFailed")).to.equal(reported !== undefined);
			});
		}
	});
};
