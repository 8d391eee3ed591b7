import { checkInventory } from "../../../../src/inventory/invariants";
import { applyChange } from "../../../../src/inventory/operations/applyChange";
import { createInventory } from "../../../../src/inventory/state/createInventory";
import type { InventoryState } from "../../../../src/inventory/state/types";
import type { ServiceResult } from "../../../../src/inventory/service/types";
import { deepCopy, deepDiff } from "../support/deepDiff";
import { catalog } from "../support/fixtures";
import { Prng } from "../support/prng";
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

function idAt(state: InventoryState, slot: number): string {
	const stack = state.slots[slot] as InventoryState["slots"][number] | undefined;
	return stack === undefined || stack === false ? "none" : stack.id;
}

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
					const slot = rng.int(0, 8);
					const other = rng.int(0, 8);
					const id = rng.chance(0.9) ? idAt(state, slot) : idAt(state, other);
					const drops = service.listDrops();
					const token =
						drops.size() > 0 && rng.chance(0.8) ? rng.pick(drops).token : `drop-${rng.int(1, 500)}`;
					let result: ServiceResult;
					switch (rng.int(0, 11)) {
						case 0:
						case 1:
							result = service.grant(userId, rng.pick(DEF_KEYS), rng.int(0, 30));
							break;
						case 2:
							result = service.take(userId, id, rng.int(1, 5));
							break;
						case 3:
							result = service.consume(userId, slot, id, rng.int(1, 3));
							break;
						case 4:
							result = service.equip(userId, slot, id, rng.pick(EQUIP_SLOTS));
							break;
						case 5:
							result = service.unequip(userId, rng.pick(EQUIP_SLOTS));
							break;
						case 6:
							result = service.move(userId, slot, id, other);
							break;
						case 7:
							result = service.split(userId, slot, id, rng.int(1, 6), other);
							break;
						case 8:
							result = service.merge(userId, slot, id, other, idAt(state, other));
							break;
						case 9:
							result = service.drop(userId, slot, id, rng.chance(0.5) ? undefined : rng.int(1, 4));
							break;
						case 10:
							result = service.pickUp(userId, token);
							break;
						default:
							result = service.adjustCurrency(userId, "coins", rng.int(-40, 60));
					}
					const after = service.getInventory(userId)!;
					if (result.ok) accepted += 1;
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
