import { InventoryWorld, inventoryWorld, joinReady } from "./support/inventoryWorld";

/** Whether the stored profile of player 1 holds the item `id`. */
function stored(setup: InventoryWorld, id: string): boolean {
	const read = setup.world.dataStore().read({ store: "InventoryData", key: "player_1" });
	const profile = read?.value as { Data: { value: { inventory: { slots: Array<{ id: string } | false> } } } };
	return profile.Data.value.inventory.slots.some((stack) => stack !== false && stack.id === id);
}

// The early-save policy, read off the DataStore write counters. Three worlds run the same
// timeline from the same seed: a player joins and gets 20 potions; twelve seconds later (past
// ProfileService's 7-second write cooldown after the load) one world does nothing more, one
// has the player drink a potion every second for ten seconds, and one grants a rare
// sword. Each second for 25 seconds the spec reads the server's UpdateAsync count. Drinking
// writes nothing the idle world does not also write (the auto-saves); the rare sword is written
// within two seconds, and the stored profile then holds it.

const SEED = 777;
const SECONDS = 25;

type Step = (setup: InventoryWorld, player: Player, second: number) => void;

interface Timeline {
	readonly writes: Array<number>;
	readonly setup: InventoryWorld;
	readonly player: Player;
}

function timeline(onStart: Step, everyHalfSecond?: Step): Timeline {
	const setup = inventoryWorld({ seed: SEED, remotes: false, policy: { minRarity: "rare", delay: 1 } });
	const player = joinReady(setup, 1);
	assert(setup.service.grant(player, "potion", 20).ok);
	setup.world.advance(12);
	const writes = new Array<number>();
	const count = () => setup.world.counter("DataStoreService", "UpdateAsync", setup.server.name);
	const start = count();
	onStart(setup, player, 0);
	for (let second = 1; second <= SECONDS; second++) {
		for (const half of [0, 1]) {
			everyHalfSecond?.(setup, player, second - 1 + half / 2);
			setup.world.advance(0.5);
		}
		writes.push(count() - start);
	}
	return { writes, setup, player };
}

function drink(setup: InventoryWorld, player: Player, time: number): void {
	if (time >= 10 || time % 1 !== 0) return;
	const stack = setup.service.getInventory(player)!.slots[0];
	assert(stack !== false, "the potions ran out");
	assert(setup.service.consume(player, 0, stack.id).ok);
}

export = () => {
	describe("inventory early saves", () => {
		it("writes a rare item soon while ordinary consumes wait for the auto-save", () => {
			const idle = timeline(() => undefined);
			const drinking = timeline(() => undefined, drink);
			let swordId = "";
			const rare = timeline((setup, player) => {
				const granted = setup.service.grant(player, "sword", 1);
				assert(granted.ok);
				swordId = granted.value.minted[0];
			});
			// Drinking ten potions causes no write of its own: the same writes as the idle world in
			// the end. The worlds run one after the other, at different virtual times, and an
			// auto-save due right at a reading can be counted a second earlier or later in one of
			// them (float rounding of the clocks); an extra write would stay one ahead to the end.
			for (let second = 0; second < SECONDS; second++) {
				const near = [idle.writes[second - 1] ?? 0, idle.writes[second], idle.writes[second + 1] ?? idle.writes[second]];
				expect(near.includes(drinking.writes[second])).to.equal(true);
			}
			expect(drinking.writes[SECONDS - 1]).to.equal(idle.writes[SECONDS - 1]);
			expect(drinking.setup.service.getInventory(drinking.player)!.slots[0] !== false).to.equal(true);
			// The sword is written within two seconds: one more write than the idle world.
			expect(rare.writes[1] - idle.writes[1] >= 1).to.equal(true);
			// Only one: the policy's save coalesces, nothing else changed.
			expect(rare.writes[SECONDS - 1] - idle.writes[SECONDS - 1] <= 1).to.equal(true);
			const stored = rare.setup.world.dataStore().read({ store: "InventoryData", key: "player_1" });
			const profile = stored?.value as { Data: { value: { inventory: { slots: Array<{ id: string } | false> } } } };
			const saved = profile.Data.value.inventory.slots.some((stack) => stack !== false && stack.id === swordId);
			expect(saved).to.equal(true);
			for (const world of [idle, drinking, rare]) expect(world.setup.world.takeErrors().size()).to.equal(0);
		});

		it("asks again for a rare item's early save whose write failed, long before the auto-save", () => {
			const setup = inventoryWorld({ seed: SEED, remotes: false, policy: { minRarity: "rare", delay: 1 } });
			const player = joinReady(setup, 1);
			setup.world.advance(12);
			setup.server.services.DataStoreService.faults.failNext(1, { operation: "UpdateAsync" });
			const granted = setup.service.grant(player, "sword", 1);
			assert(granted.ok);
			const sword = granted.value.minted[0];
			let savedAfter = -1;
			for (let second = 1; second <= SECONDS && savedAfter < 0; second++) {
				setup.world.advance(1);
				if (stored(setup, sword)) savedAfter = second;
			}
			// The first write fails; the next one ProfileService's 7-second spacing allows carries
			// it (the auto-save would come about 30 seconds after the grant).
			expect(savedAfter > 0 && savedAfter <= 12).to.equal(true);
		});

		it("writes a rare item granted just after another write once ProfileService's 7-second spacing allows", () => {
			const setup = inventoryWorld({ seed: SEED, remotes: false, policy: { minRarity: "rare", delay: 1 } });
			const player = joinReady(setup, 1);
			setup.world.advance(12);
			const crown = setup.service.grant(player, "crown", 1);
			assert(crown.ok);
			setup.world.advance(2);
			expect(stored(setup, crown.value.minted[0])).to.equal(true);
			// The crown's write just landed: the sword's early save waits for the spacing.
			const granted = setup.service.grant(player, "sword", 1);
			assert(granted.ok);
			const sword = granted.value.minted[0];
			let savedAfter = -1;
			for (let step = 1; step <= 2 * SECONDS && savedAfter < 0; step++) {
				setup.world.advance(0.5);
				if (stored(setup, sword)) savedAfter = step / 2;
			}
			// Not within the policy's one-second delay, but about 7 s after the crown's write.
			expect(savedAfter > 1.5 && savedAfter <= 7.5).to.equal(true);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});

		it("coalesces several valuable changes within the delay into one save", () => {
			const burst = timeline((setup, player) => {
				for (const key of ["sword", "ring", "crown", "gem"]) assert(setup.service.grant(player, key, 1).ok);
			});
			const idle = timeline(() => undefined);
			expect(burst.writes[2] - idle.writes[2]).to.equal(1);
		});
	});
};
