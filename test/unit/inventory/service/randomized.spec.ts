import { checkInventory } from "../../../../src/inventory/invariants";
import { applyChange } from "../../../../src/inventory/operations/applyChange";
import { createInventory } from "../../../../src/inventory/state/createInventory";
import type { InventoryState } from "../../../../src/inventory/state/types";
import { deepCopy, deepDiff } from "../support/deepDiff";
import { catalog } from "../support/fixtures";
import { Prng } from "../support/prng";
import { randomOperation } from "../support/randomOperation";
import { serviceSetup } from "./support/serviceFixtures";

// Thousands of random operations through the service by three players sharing one world's
// drops. After each: the invariants hold for every inventory, no item id is in two places
// (inventories and drops), a refused operation changed nothing, and the `changed` signal
// carried exactly the changes made, in order (replaying them on copies of the starting
// inventories gives the final ones).

const SEEDS = [3, 31, 314];
const STEPS = 3000;
const USERS = [1, 2, 3];
const DEF_KEYS = catalog.list.map((def) => def.key);
const EQUIP_SLOTS = ["weapon", "offhand", "ring1", "ring2", "ammo", "throwable", "hat"];

export = () => {
	describe("inventory service randomized", () => {
		for (const seed of SEEDS) {
			it(`keeps the invariants over ${STEPS} random operations (seed ${seed})`, () => {
				const setup = serviceSetup({ delay: 0 });
				const service = setup.service;
				const replicas = new Map<number, InventoryState>();
				const playerOf = new Map<Player, number>();
				for (const userId of USERS) {
					const session = setup.sessions.load(userId, createInventory(userId, 8));
					replicas.set(userId, deepCopy(session.data.inventory));
					playerOf.set(session.player, userId);
				}
				service.changed.Connect((player, change) =>
					applyChange(replicas.get(playerOf.get(player)!)!, deepCopy(change)),
				);
				const rng = new Prng(seed);
				let accepted = 0;
				for (let step = 0; step < STEPS; step++) {
					const userId = rng.pick(USERS);
					const state = service.getInventory(userId)!;
					const applied = randomOperation(service, rng, userId, {
						defs: DEF_KEYS,
						equipSlots: EQUIP_SLOTS,
						drops: true,
					});
					const after = service.getInventory(userId)!;
					if (applied) accepted += 1;
					else expect(deepDiff(after, state)).to.equal(undefined);
					for (const other of USERS) {
						const problems = checkInventory(service.getInventory(other)!, catalog);
						if (problems.size() > 0) throw `step ${step}, player ${other}: ${problems[0]}`;
					}
					const dupes = service.census().dupes;
					if (dupes.size() > 0) throw `step ${step}: ${dupes[0]} is in two places`;
				}
				expect(accepted > STEPS / 4).to.equal(true);
				for (const userId of USERS) {
					expect(deepDiff(replicas.get(userId), service.getInventory(userId))).to.equal(undefined);
				}
			});
		}
	});
};
