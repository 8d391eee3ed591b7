import { coins, companionToken, companionWrite, syncWorld } from "./support/api";
import { type Faults, faultyServer } from "./support/faultyAuthority";

// Player ids of this file (the save API's database is shared by the whole run).
const BASE = 960_600;

export = () => {
	describe("an inventory in external authority whose authority throws", () => {
		it("a state read that throws as another writer's change arrives is reported, not raised", () => {
			const a = BASE + 1;
			const world = syncWorld(9606, { expectUncaughtErrors: true });
			const faults: Faults = {};
			const one = faultyServer(world, "one", faults);
			one.app.server.join(a);
			world.runUntil(() => one.service.isReady(a), 120);
			assert(one.service.isReady(a), "the inventory was not served");
			assert(one.service.adjustCurrency(a, "coins", 40).ok, "the grant failed");
			world.advance(10);
			const failures = new Array<string>();
			one.service.callbackFailed.Connect((failure) => failures.push(failure.message));
			const token = companionToken(world, a, ["currency.add"]);
			faults.getState = a;
			const spent = companionWrite(world, token, a, [coins(-10)]);
			assert(spent.status === 201, `the companion could not spend: ${spent.status}`);
			world.advance(20);
			expect(world.takeErrors().size()).to.equal(0);
			expect(failures.size() >= 1).to.equal(true);
			expect(failures[0].find("authority.getState", 1, true)[0] !== undefined).to.equal(true);
			// Once the authority reads again, the next change from the companion is shown.
			faults.getState = undefined;
			const again = companionWrite(world, token, a, [coins(-5)]);
			assert(again.status === 201, `the companion could not spend again: ${again.status}`);
			world.advance(20);
			expect(one.service.getInventory(a)!.currencies.coins).to.equal(25);
			expect(world.takeErrors().size()).to.equal(0);
		});
	});
};
