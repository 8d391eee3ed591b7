import {
	awaitPush,
	coins,
	companionToken,
	companionWrite,
	serverWrite,
	joinedGame,
	syncGame,
	syncWorld,
	waitReady,
} from "./support/api";

// Player ids of this file (the save API's database is shared by the whole run).
const BASE = 710_000;

export = () => {
	describe("sync invalidation", () => {
		it("shows a companion write to the holding server through Open Cloud within 3 virtual seconds", () => {
			const userId = BASE + 1;
			const world = syncWorld(7101);
			expect(serverWrite(world, userId, [coins(100)]).status).to.equal(201);
			// No timer pull during the test: only the push can tell the server.
			const { app } = joinedGame(world, userId, { pullInterval: 3600 });
			expect(app.sync.getState(userId)!.currencies.coins).to.equal(100);
			world.advance(5);

			const token = companionToken(world, userId);
			const mark = world.events.size();
			const reply = companionWrite(world, token, userId, [coins(-30)], { reason: "web:shop" });
			expect(reply.status).to.equal(201);
			// The API publishes through the world's Open Cloud endpoint (real HTTP on localhost).
			expect(awaitPush(world, userId, mark)).to.equal(true);
			const took = world.runUntil(() => app.sync.getState(userId)!.currencies.coins === 70, 10);
			expect(took <= 3).to.equal(true);
			expect(app.sync.getCommitted(userId)!.version).to.equal(2);
			expect(app.sync.stats().pushes >= 1).to.equal(true);
			expect(app.sync.stats().pulls >= 1).to.equal(true);
		});

		it("finds a companion write whose push was lost at the next timer pull", () => {
			const userId = BASE + 2;
			const world = syncWorld(7102);
			const { app } = joinedGame(world, userId, { pullInterval: 5 });
			expect(app.sync.addCurrency(userId, "coins", 40).ok).to.equal(true);
			world.runUntil(() => app.sync.pendingCount(userId) === 0, 10);
			world.advance(3);

			world.messaging().dropTopic(`hopsafe-player-${userId}`);
			const pushesBefore = app.sync.stats().pushes;
			const pullsBefore = app.sync.stats().pulls;
			const token = companionToken(world, userId);
			const mark = world.events.size();
			expect(companionWrite(world, token, userId, [coins(-15)]).status).to.equal(201);
			expect(awaitPush(world, userId, mark)).to.equal(true);
			const took = world.runUntil(() => app.sync.getState(userId)!.currencies.coins === 25, 30);
			// Within one pull interval (5 s), with no push delivered and a pull made.
			expect(took <= 5 + 0.5).to.equal(true);
			expect(app.sync.getCommitted(userId)!.version).to.equal(2);
			expect(app.sync.stats().pushes).to.equal(pushesBefore);
			expect(app.sync.stats().pulls > pullsBefore).to.equal(true);
			expect(world.messaging().stats.lost >= 1).to.equal(true);
		});

		it("shows a companion write made while the player was offline at the next join", () => {
			const userId = BASE + 3;
			const world = syncWorld(7103);
			const { server, app, player } = joinedGame(world, userId);
			expect(app.sync.addCurrency(userId, "coins", 60, { reason: "quest:1" }).ok).to.equal(true);
			server.leave(player);
			world.runUntil(() => app.vault.getSession(userId) === undefined && app.sync.pendingCount(userId) === 0, 30);
			world.advance(5);

			const token = companionToken(world, userId);
			expect(companionWrite(world, token, userId, [coins(-20)], { reason: "web:gift" }).status).to.equal(201);
			world.advance(5);

			const other = world.startServer();
			const later = syncGame(other);
			other.join(userId);
			waitReady(world, later, userId);
			expect(later.sync.getState(userId)!.currencies.coins).to.equal(40);
			expect(later.sync.getCommitted(userId)!.version).to.equal(2);
		});
	});
};
