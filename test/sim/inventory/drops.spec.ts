import { t } from "@rbxts/t";
import { inventoryWorld, joinReady, type GameData, type Hopsafe, type InventoryWorld } from "./support/inventoryWorld";

/** The item ids of the player's stored profile (what a crash leaves behind). */
function storedIds(world: Sim.World, userId: number): Array<string> {
	const stored = world.dataStore().read({ store: "InventoryData", key: `player_${userId}` });
	const profile = stored?.value as
		| { Data: { value: { inventory: { slots: Array<{ id: string } | false> } } } }
		| undefined;
	const ids = new Array<string>();
	for (const stack of profile?.Data.value.inventory.slots ?? []) if (stack !== false) ids.push(stack.id);
	return ids;
}

/** How many stored profiles of `users` hold `id`. */
function storedCopies(world: Sim.World, users: ReadonlyArray<number>, id: string): number {
	return users.filter((userId) => storedIds(world, userId).includes(id)).size();
}

/** Player 1 drops a sword saved in their profile, while their key waits out a write cooldown. */
function dropSavedSword(seed: number): { setup: InventoryWorld; a: Player; b: Player; id: string; token: string } {
	const setup = inventoryWorld({ seed, remotes: false, policy: { minRarity: "rare", delay: 1 } });
	const a = joinReady(setup, 1);
	const b = joinReady(setup, 2);
	const sword = setup.service.grant(a, "sword", 1);
	assert(sword.ok, "the grant failed");
	const id = sword.value.minted[0];
	setup.world.advance(20);
	assert(storedIds(setup.world, 1).includes(id), "the sword was not saved");
	// Something valuable: saved about a second from now, and a's key is then cooling down.
	assert(setup.service.grant(a, "crown", 1).ok, "the grant failed");
	setup.world.advance(1.5);
	const dropped = setup.service.drop(a, 0, id);
	assert(dropped.ok, "the drop failed");
	const event = dropped.value.events[0];
	assert(event.kind === "dropped", "no drop event");
	return { setup, a, b, id, token: event.drop.token };
}

export = () => {
	describe("inventory world drops across saves", () => {
		it("lets a drop be picked up only once the dropper's profile is saved without it", () => {
			const { setup, b, id, token } = dropSavedSword(911);
			const early = setup.service.pickUp(b, token);
			expect(!early.ok && early.error).to.equal("drop_settling");
			// The server crashes before the dropper's save lands: the sword is in one profile.
			setup.world.advance(1);
			setup.server.crash();
			setup.world.advance(1);
			expect(storedCopies(setup.world, [1, 2], id)).to.equal(1);
			expect(storedIds(setup.world, 1).includes(id)).to.equal(true);
		});

		it("hands a settled drop over: the picker's profile holds it, the dropper's does not", () => {
			const { setup, b, id, token } = dropSavedSword(912);
			setup.world.runUntil(() => !storedIds(setup.world, 1).includes(id), 30);
			setup.world.advance(1);
			const picked = setup.service.pickUp(b, token);
			expect(picked.ok ? "ok" : picked.error).to.equal("ok");
			setup.world.advance(10);
			setup.server.crash();
			setup.world.advance(1);
			expect(storedIds(setup.world, 1).includes(id)).to.equal(false);
			expect(storedIds(setup.world, 2).includes(id)).to.equal(true);
		});

		it("settles a drop whose dropper left once the release is saved", () => {
			const { setup, a, b, id, token } = dropSavedSword(913);
			setup.server.leave(a);
			setup.world.advance(15);
			expect(storedIds(setup.world, 1).includes(id)).to.equal(false);
			expect(setup.service.pickUp(b, token).ok).to.equal(true);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});

		it("keeps the drop of a dropper whose release landed although its call errored", () => {
			const { setup, a, b, id, token } = dropSavedSword(914);
			const other = setup.world.startServer({ name: "other" });
			const otherVault = other.run(() =>
				other.require<Hopsafe>("ReplicatedStorage.hopsafe").createVault<GameData>({
					name: "InventoryData",
					template: { inventory: setup.hopsafe.createInventory(0, 12) },
					schema: t.interface({ inventory: t.table }) as (value: unknown) => value is GameData,
				}),
			);
			// The release (with the drop's removal) is applied, but its call errors; the player
			// is loaded on another server before ProfileService's own release tries again.
			setup.server.services.DataStoreService.faults.commitButErrorNext(1, "UpdateAsync");
			setup.server.leave(a);
			setup.world.runUntil(() => !storedIds(setup.world, 1).includes(id), 10);
			other.join(1);
			setup.world.runUntil(() => otherVault.getSession(1) !== undefined, 60);
			setup.world.advance(30);
			expect(storedIds(setup.world, 1).includes(id)).to.equal(false);
			const picked = setup.service.pickUp(b, token);
			expect(picked.ok ? "ok" : picked.error).to.equal("ok");
		});
	});
};
