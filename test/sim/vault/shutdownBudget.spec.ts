import { storedProfile, walletVault } from "../support/hopsafe";

interface BudgetDriver {
	setBudget(requestType: string, value: number): void;
}

const FIRST_USER = 965100;
const PLAYERS = 100;

/** Whether the player at `index` (0-based) has a change not saved yet when the server shuts down. */
const changed = (index: number) => index % 5 === 2;

export = () => {
	describe("vault shutdown on a spent write budget", () => {
		it("writes the releases of sessions with unsaved changes before those with nothing new", () => {
			// The pre-2026 budgets: 60 + 10 writes a minute per player, and the players leave first,
			// so about 30 writes fit in BindToClose's 30 s.
			const world = sim.World.new({ seed: 965100, settings: { dataStore: { profile: "legacy" } } });
			const server = world.startServer();
			const vault = walletVault(server);
			for (let index = 0; index < PLAYERS; index++) {
				server.join(FIRST_USER + index);
				world.advance(0.5);
			}
			world.runUntil(() => {
				for (let index = 0; index < PLAYERS; index++) {
					if (vault.getSession(FIRST_USER + index) === undefined) return false;
				}
				return true;
			}, 120);
			// Every session is saved as it stands (ProfileService saves each every 30 s) ...
			world.advance(40);
			// ... then a fifth of the players change something, and the write budget is spent.
			let expected = 0;
			for (let index = 0; index < PLAYERS; index++) {
				if (!changed(index)) continue;
				vault.getSession(FIRST_USER + index)!.data.coins = 1000 + index;
				expected += 1;
			}
			(server.services.DataStoreService as unknown as BudgetDriver).setBudget("SetIncrementAsync", 0);
			server.shutdown();
			let saved = 0;
			let released = 0;
			for (let index = 0; index < PLAYERS; index++) {
				const stored = storedProfile(world, FIRST_USER + index)!;
				if (stored.MetaData.ActiveSession === undefined) released += 1;
				if (changed(index) && (stored.Data.value as { coins: number }).coins === 1000 + index) saved += 1;
			}
			// About 30 writes fit: enough for every change, and some releases besides.
			expect(`${saved} of ${expected} changes saved`).to.equal(`${expected} of ${expected} changes saved`);
			expect(released >= expected).to.equal(true);
			expect(world.takeErrors().size()).to.equal(0);
		});
	});
};
