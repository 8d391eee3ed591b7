import type { SyncItem } from "../../../src/sync/types";
import {
	apiCoins,
	coins,
	joinedGame,
	readPlayer,
	serverWrite,
	syncGame,
	syncWorld,
	waitReady,
	waitSettled,
	type SyncGame,
} from "./support/api";

// Player ids of this file (the save API's database is shared by the whole run).
const BASE = 790_000;

/** The player's document `name` at the API. */
function apiDoc(world: Sim.World, userId: number, name: string): Record<string, unknown> | undefined {
	return (readPlayer(world, userId).docs as Record<string, Record<string, unknown> | undefined>)[name];
}

/** The attributes of item `id` at the API. */
function apiAttrs(world: Sim.World, userId: number, id: string): Record<string, unknown> | undefined {
	const items = readPlayer(world, userId).items as unknown as Array<SyncItem>;
	return items.find((item) => item.id === id)?.attrs;
}

/** Runs until the next transaction of `app` is dead-lettered (its first send and 3 retries failed). */
function deadLettered(world: Sim.World, app: SyncGame, queue: () => void): string | undefined {
	let dead: string | undefined;
	const connection = app.sync.deadLettered.Connect((_userId, key) => (dead = key));
	world.failHttp({ kind: "connectFail", count: 4, server: app.server, match: "/v1/batch" });
	queue();
	world.runUntil(() => dead !== undefined, 60);
	connection.Disconnect();
	return dead;
}

/**
 * The player sets `settings` to `{ music: false }`, and its first send fails with `fault` (a lost
 * answer is a request that times out: 10 s). Runs until that failure.
 */
function docSentOnce(seed: number, userId: number, fault: "dropResponse" | "connectFail") {
	const world = syncWorld(seed);
	const { app, server } = joinedGame(world, userId);
	world.failHttp({ kind: fault, count: 1, server, match: "/v1/batch" });
	assert(app.sync.setDoc(userId, "settings", { music: false }).ok, "the document was refused");
	world.runUntil(() => app.sync.stats().transportFailures > 0, 20);
	return { world, app };
}

/**
 * The player holds a level-1 sword at the API, and its update to level 2 is dead-lettered.
 * Runs until that happens.
 */
function swordUpdateDeadLettered(seed: number, userId: number) {
	const world = syncWorld(seed);
	const id = `${userId}-sword`;
	const sword = { id, def: "sword", count: 1, attrs: { level: 1 } };
	assert(serverWrite(world, userId, [{ op: "item.grant", item: sword }]).status === 201, "the grant failed");
	const { app } = joinedGame(world, userId);
	const dead = deadLettered(world, app, () => app.sync.updateItem(userId, id, { level: 2 }));
	assert(dead !== undefined, "the update was not dead-lettered");
	return { world, app, id };
}

export = () => {
	describe("sync order and recovery", () => {
		it("asks again for a document whose answer was lost while the player waits for a pull", () => {
			const userId = BASE + 1;
			// The API applies the document; its answer is lost. Then the game asks for a pull,
			// which waits until that document's fate is known.
			const { world, app } = docSentOnce(7901, userId, "dropResponse");
			app.sync.refresh(userId);
			waitSettled(world, app, userId, 30);
			expect(app.sync.pendingCount(userId)).to.equal(0);
			expect(apiDoc(world, userId, "settings")?.music).to.equal(false);
			// Nothing is stuck behind it: another writer's change is read, a new mutation is sent.
			expect(serverWrite(world, userId, [coins(5)]).status).to.equal(201);
			app.sync.refresh(userId);
			world.runUntil(() => app.sync.getState(userId)!.currencies.coins === 5, 10);
			expect(app.sync.getState(userId)!.currencies.coins).to.equal(5);
			expect(app.sync.addCurrency(userId, "coins", 1).ok).to.equal(true);
			waitSettled(world, app, userId, 10);
			expect(apiCoins(world, userId)).to.equal(6);
		});

		it("decides a document again when its retry meets another writer's change (412)", () => {
			const userId = BASE + 7;
			// The first send never reaches the API; another writer moves the version meanwhile.
			const { world, app } = docSentOnce(7907, userId, "connectFail");
			expect(serverWrite(world, userId, [coins(5)]).status).to.equal(201);
			waitSettled(world, app, userId, 30);
			expect(app.sync.pendingCount(userId)).to.equal(0);
			expect(apiDoc(world, userId, "settings")?.music).to.equal(false);
			expect(app.sync.getState(userId)!.currencies.coins).to.equal(5);
			expect(app.rollbacks.size()).to.equal(0);
		});

		it("applies a dead-lettered item update before a later update of the same item", () => {
			const userId = BASE + 2;
			const { world, app, id } = swordUpdateDeadLettered(7902, userId);
			// Another update of that sword, and a credit that touches nothing it changes.
			expect(app.sync.updateItem(userId, id, { level: 3 }).ok).to.equal(true);
			expect(app.sync.addCurrency(userId, "coins", 7).ok).to.equal(true);
			world.advance(5);
			expect(apiCoins(world, userId)).to.equal(7);
			expect(apiAttrs(world, userId, id)?.level).to.equal(1);
			// The dead letter goes first when it is tried again; the later update follows it.
			waitSettled(world, app, userId, 120);
			expect(app.sync.pendingCount(userId)).to.equal(0);
			expect(apiAttrs(world, userId, id)?.level).to.equal(3);
			expect(app.sync.getState(userId)!.items[id].attrs.level).to.equal(3);
		});

		it("keeps a spend behind an earlier credit that waits for a dead letter", () => {
			const userId = BASE + 10;
			const { world, app, id } = swordUpdateDeadLettered(7910, userId);
			// The sword is sold (its update waits for the dead letter), then its 50 coins are spent.
			const sold = app.sync.mutate(userId, [
				{ op: "item.remove", id },
				{ op: "currency.add", currency: "coins", amount: 50 },
			]);
			expect(sold.ok).to.equal(true);
			expect(app.sync.addCurrency(userId, "coins", -50).ok).to.equal(true);
			waitSettled(world, app, userId, 120);
			expect(app.sync.pendingCount(userId)).to.equal(0);
			expect(app.rollbacks.map((rollback) => rollback.reason).join(",")).to.equal("");
			expect(apiCoins(world, userId)).to.equal(0);
			const ids = (readPlayer(world, userId).items as unknown as Array<SyncItem>).map((item) => item.id);
			expect(ids.includes(id)).to.equal(false);
		});

		it("keeps a dead letter decided again once in the dead letters when its retry fails", () => {
			const userId = BASE + 11;
			const world = syncWorld(7911);
			const { app, server } = joinedGame(world, userId, {
				decideDoc: (_userId, _name, current, mine) => ({ ...(current ?? {}), ...mine }),
			});
			// What became of it cannot be asked (found unused, it would be sent again under its key
			// against the version it is decided on): it stays a dead letter the API may have applied.
			world.failHttp({ kind: "connectFail", count: 1000, server, match: "/transactions/" });
			// A document set with a credit, dead-lettered; meanwhile another writer moves the version.
			const dead = deadLettered(world, app, () =>
				app.sync.mutate(userId, [
					{ op: "doc.set", name: "settings", value: { music: false } },
					{ op: "currency.add", currency: "coins", amount: 10 },
				]),
			);
			expect(dead !== undefined).to.equal(true);
			expect(serverWrite(world, userId, [coins(5)]).status).to.equal(201);
			// Its retry meets the new version (412) and it is decided again under a new key, whose
			// first send fails.
			world.runUntil(() => !app.sync.isQueued(userId, dead!), 120);
			expect(app.sync.isQueued(userId, dead!)).to.equal(false);
			const failures = app.sync.stats().transportFailures;
			world.failHttp({ kind: "connectFail", count: 1, server, match: "/v1/batch" });
			world.runUntil(() => app.sync.stats().transportFailures > failures, 60);
			expect(app.sync.getState(userId)!.currencies.coins).to.equal(15);
			expect(app.sync.pendingCount(userId)).to.equal(1);
			waitSettled(world, app, userId, 120);
			expect(app.sync.pendingCount(userId)).to.equal(0);
			expect(apiCoins(world, userId)).to.equal(15);
			expect(apiDoc(world, userId, "settings")?.music).to.equal(false);
		});

		it("sends a dead-lettered document during the session, before a newer value of it", () => {
			const userId = BASE + 3;
			const world = syncWorld(7903);
			const { app, server, player } = joinedGame(world, userId);
			const dead = deadLettered(world, app, () => app.sync.setDoc(userId, "settings", { music: false }));
			expect(dead !== undefined).to.equal(true);
			expect(app.sync.setDoc(userId, "settings", { music: true }).ok).to.equal(true);
			waitSettled(world, app, userId, 120);
			expect(app.sync.pendingCount(userId)).to.equal(0);
			expect(apiDoc(world, userId, "settings")?.music).to.equal(true);
			// The next session has nothing left to send: the newer value stays.
			let released = false;
			app.vault.released.Connect(() => (released = true));
			server.leave(player);
			world.runUntil(() => released, 30);
			const later = syncGame(world.startServer());
			later.server.join(userId);
			waitReady(world, later, userId);
			world.advance(5);
			expect(apiDoc(world, userId, "settings")?.music).to.equal(true);
			expect(later.sync.getState(userId)!.docs.settings.music).to.equal(true);
		});

		it("does not count a dead letter the API applied twice once a pull has read it", () => {
			const userId = BASE + 4;
			const world = syncWorld(7904);
			const { app, server } = joinedGame(world, userId);
			let dead = false;
			app.sync.deadLettered.Connect(() => (dead = true));
			// Applied at the first send (its answer lost); the 3 retries never reach the API.
			world.failHttp({ kind: "dropResponse", count: 1, server, match: "/v1/batch" });
			world.failHttp({ kind: "connectFail", count: 3, server, match: "/v1/batch" });
			expect(app.sync.addCurrency(userId, "coins", 100).ok).to.equal(true);
			world.runUntil(() => dead, 60);
			expect(apiCoins(world, userId)).to.equal(100);
			// The timer pulls read the 100 coins: the view shows them once.
			const pulls = app.sync.stats().pulls;
			world.runUntil(() => app.sync.stats().pulls > pulls, 15);
			expect(app.sync.getState(userId)!.currencies.coins).to.equal(100);
			// A spend of more than the API holds is refused here, not sent.
			expect(app.sync.addCurrency(userId, "coins", -150).ok).to.equal(false);
			// The dead letter is answered from the API's store when it is tried again.
			waitSettled(world, app, userId, 120);
			expect(app.sync.getState(userId)!.currencies.coins).to.equal(100);
			expect(apiCoins(world, userId)).to.equal(100);
		});

		it("keeps a credit when a grant of an id the player already holds is refused", () => {
			const userId = BASE + 5;
			const world = syncWorld(7905);
			const { app } = joinedGame(world, userId);
			// Another writer grants the badge this server is about to grant once, by its id.
			const badge = { id: `${userId}-badge`, def: "badge", count: 1, attrs: {} };
			expect(serverWrite(world, userId, [{ op: "item.grant", item: badge }]).status).to.equal(201);
			// A grant with an id the client makes joins the credit's transaction; one with an id
			// the game gives is sent on its own.
			const credit = app.sync.addCurrency(userId, "coins", 50);
			expect(app.sync.grantItem(userId, { def: "potion" }).ok).to.equal(true);
			expect(app.sync.pendingCount(userId)).to.equal(1);
			expect(app.sync.grantItem(userId, { def: "badge", id: badge.id }).ok).to.equal(true);
			expect(app.sync.pendingCount(userId)).to.equal(2);
			waitSettled(world, app, userId, 30);
			// The rollback is told once the refetch it starts has answered, after the entry left the outbox.
			world.runUntil(() => app.rollbacks.size() > 0, 30);
			expect(app.commits.map((commit) => commit.key).join(",")).to.equal(credit.ok ? credit.value : "");
			expect(apiCoins(world, userId)).to.equal(50);
			expect(app.rollbacks.map((rollback) => rollback.reason).join(",")).to.equal("item_exists");
			const defs = (readPlayer(world, userId).items as unknown as Array<SyncItem>).map((item) => item.def);
			defs.sort();
			expect(defs.join(",")).to.equal("badge,potion");
		});

		it("keeps every transaction and batch it sends within the API's size limits", () => {
			const userId = BASE + 8;
			const world = syncWorld(7908);
			const { app } = joinedGame(world, userId);
			// 25 grants of 45 KB each: one transaction may hold 64 KiB, one batch 1 MiB.
			const text = "x".rep(45_000);
			for (let index = 1; index <= 25; index++) {
				expect(app.sync.grantItem(userId, { def: "scroll", attrs: { text, index } }).ok).to.equal(true);
			}
			expect(app.sync.pendingCount(userId)).to.equal(25);
			const batches = app.sync.stats().batches;
			waitSettled(world, app, userId, 60);
			expect(app.sync.pendingCount(userId)).to.equal(0);
			expect(app.sync.stats().batches - batches).to.equal(2);
			expect(app.rollbacks.size()).to.equal(0);
			expect(readPlayer(world, userId).items.size()).to.equal(25);
		});

		it("rolls back at once a transaction larger than a whole batch may be, as its own call is refused", () => {
			const userId = BASE + 20;
			const world = syncWorld(7920);
			const { app } = joinedGame(world, userId);
			const deadLetters = new Array<string>();
			app.sync.deadLettered.Connect((_userId, key) => deadLetters.push(key));
			// 1.1 MB in one document: over the 64 KiB of a transaction, and over a batch's 1 MiB alone.
			const huge = app.sync.setDoc(userId, "journal", { text: "x".rep(1_100_000) });
			const credit = app.sync.addCurrency(userId, "coins", 7);
			expect(huge.ok && credit.ok).to.equal(true);
			waitSettled(world, app, userId, 60);
			expect(app.rollbacks.map((rollback) => rollback.reason).join(",")).to.equal("payload_too_large");
			expect(deadLetters.size()).to.equal(0);
			expect(app.sync.getState(userId)!.docs.journal).to.equal(undefined);
			expect(apiCoins(world, userId)).to.equal(7);
		});

		it("sends the rest of a batch cut in two only after the first part was answered", () => {
			const userId = BASE + 9;
			const world = syncWorld(7909);
			const { app, server } = joinedGame(world, userId);
			const text = "x".rep(45_000);
			// A book granted by its id (an entry of its own), 23 more grants, then the book taken.
			expect(app.sync.grantItem(userId, { def: "scroll", id: "book-7909", attrs: { text } }).ok).to.equal(true);
			for (let index = 2; index <= 24; index++) {
				expect(app.sync.grantItem(userId, { def: "scroll", attrs: { text, index } }).ok).to.equal(true);
			}
			expect(app.sync.removeItem(userId, "book-7909").ok).to.equal(true);
			// The first part's entries are each answered 503: retried later, and nothing after them
			// may go first (the book's removal would be refused before its grant).
			const busy = `{"status":503,"body":{"error":{"code":"unavailable","message":"busy"}}}`;
			const results = new Array<string>();
			for (let index = 0; index < 12; index++) results.push(busy);
			world.failHttp({
				kind: "status",
				status: 200,
				body: `{"results":[${results.join(",")}]}`,
				count: 1,
				server,
				match: "/v1/batch",
			});
			waitSettled(world, app, userId, 120);
			expect(app.rollbacks.size()).to.equal(0);
			const ids = (readPlayer(world, userId).items as unknown as Array<SyncItem>).map((item) => item.id);
			expect(ids.includes("book-7909")).to.equal(false);
			expect(ids.size()).to.equal(23);
		});

		it("refuses a malformed pull answer instead of keeping it, so the player can join again", () => {
			const userId = BASE + 6;
			const world = syncWorld(7906);
			expect(serverWrite(world, userId, [coins(20)]).status).to.equal(201);
			const { app, server, player } = joinedGame(world, userId);
			// One pull is answered with a balance below zero.
			const body =
				`{"results":[{"userId":${userId},"version":9,"complete":false,"changes":[],` +
				`"state":{"userId":${userId},"version":9,"currencies":{"coins":-5},"items":[],"docs":{},"progress":{}}}]}`;
			world.failHttp({ kind: "status", status: 200, body, count: 1, server, match: "/v1/changes" });
			app.sync.refresh(userId);
			world.advance(8);
			expect(app.sync.getCommitted(userId)!.currencies.coins).to.equal(20);
			let released = false;
			app.vault.released.Connect(() => (released = true));
			server.leave(player);
			world.runUntil(() => released, 30);
			const later = syncGame(world.startServer());
			const failures = new Array<string>();
			later.vault.loadFailed.Connect((failure) => failures.push(failure.error.kind));
			later.server.join(userId);
			waitReady(world, later, userId);
			expect(failures.size()).to.equal(0);
			expect(later.sync.isReady(userId)).to.equal(true);
			expect(later.sync.getState(userId)!.currencies.coins).to.equal(20);
		});
	});
};
