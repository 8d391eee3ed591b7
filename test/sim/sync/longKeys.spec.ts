import { apiCoins, syncWorld, waitSettled } from "./support/api";
import { externalServer } from "./support/external";

// Keys whose escaped form the save API cannot hold (over 255 characters): refused at once with
// a reason, nothing applied and nothing left queued or dead-lettered.

const BASE = 982_100;

export = () => {
	describe("idempotency keys too long for the save API", () => {
		it("refuses them before anything is queued, and still applies a key that fits once escaped", () => {
			const userId = BASE + 1;
			const world = syncWorld(98211);
			const { app, service } = externalServer(world);
			const player = app.server.join(userId);
			world.runUntil(() => service.isReady(player), 120);
			const credit = [{ op: "adjustCurrency" as const, currency: "coins", delta: 10 }];
			// Each "/" is escaped to 3 characters: 86 of them make 258, 85 make 255.
			const tooLong = string.rep("/", 86);
			const fits = string.rep("/", 85);
			const refused = app.server.run(() => service.transact(userId, credit, { key: tooLong }));
			expect(refused.ok ? "ok" : refused.error).to.equal("authority_refused");
			expect(service.getInventory(userId)!.currencies.coins ?? 0).to.equal(0);
			expect(service.isPending(userId, tooLong)).to.equal(false);
			expect(app.sync.pendingCount(userId)).to.equal(0);
			const direct = app.sync.addCurrency(userId, "coins", 1, { key: string.rep("k", 256) });
			expect(direct.ok ? "ok" : direct.error).to.equal("invalid_request");
			const [sent, failure] = app.sync.transfer([{ from: userId, to: userId + 1, currencies: { coins: 1 } }], {
				key: string.rep("k", 256),
			}).await();
			expect(sent).to.equal(false);
			expect((failure as { kind?: string }).kind).to.equal("InvalidArgument");

			const applied = app.server.run(() => service.transact(userId, credit, { key: fits }));
			expect(applied.ok).to.equal(true);
			waitSettled(world, app, userId);
			world.advance(6);
			expect(apiCoins(world, userId)).to.equal(10);
			expect(app.sync.stats().deadLettered).to.equal(0);
			expect(service.getInventory(userId)!.currencies.coins).to.equal(10);
			expect(world.takeErrors().size()).to.equal(0);
		});
	});
};
