import type { InventoryService, PlayerRef } from "../../../../src/inventory/service/types";
import type { InventoryState } from "../../../../src/inventory/state/types";
import type { Prng } from "./prng";

/** The id in `slot` ("none" for an empty slot or one past the end, so requests can miss). */
export function idAt(state: InventoryState, slot: number): string {
	const stack = state.slots[slot] as InventoryState["slots"][number] | undefined;
	return stack === undefined || stack === false ? "none" : stack.id;
}

/** The slots that hold a stack. */
export function occupiedSlots(state: InventoryState): Array<number> {
	const slots = new Array<number>();
	for (let slot = 0; slot < state.capacity; slot++) if (state.slots[slot] !== false) slots.push(slot);
	return slots;
}

export interface RandomOperationOptions {
	/** Item definitions to grant. */
	readonly defs: ReadonlyArray<string>;
	/** Equip slots to equip to and unequip (some may not fit the item). */
	readonly equipSlots: ReadonlyArray<string>;
	/** Whether to drop, pick up and despawn world drops (off where the mode refuses them). */
	readonly drops: boolean;
}

/**
 * One random operation by game code on `player`'s inventory, through the service. Mostly on an
 * occupied slot with the right id, sometimes on an empty slot, one past the end or with a
 * count the stack lacks, so refusals are exercised too. Returns whether it was applied.
 */
export function randomOperation(
	service: InventoryService,
	rng: Prng,
	player: PlayerRef,
	options: RandomOperationOptions,
): boolean {
	const state = service.getInventory(player)!;
	const capacity = state.capacity;
	const occupied = occupiedSlots(state);
	const slot = occupied.size() > 0 && rng.chance(0.85) ? rng.pick(occupied) : rng.int(0, capacity);
	const id = idAt(state, slot);
	const other = rng.int(0, capacity);
	switch (rng.int(0, options.drops ? 12 : 9)) {
		case 0:
		case 1:
			return service.grant(player, rng.pick(options.defs), rng.int(0, 25)).ok;
		case 2:
			return service.take(player, id, rng.int(1, 4)).ok;
		case 3:
			return service.consume(player, slot, id, rng.int(1, 3)).ok;
		case 4:
			return service.equip(player, slot, id, rng.pick(options.equipSlots)).ok;
		case 5:
			return service.unequip(player, rng.pick(options.equipSlots)).ok;
		case 6:
			return service.move(player, slot, id, other).ok;
		case 7:
			return service.split(player, slot, id, rng.int(1, 8), other).ok;
		case 8:
			return service.merge(player, slot, id, other, idAt(state, other)).ok;
		case 9:
			return service.adjustCurrency(player, "coins", rng.int(-50, 80)).ok;
		case 10:
			return service.drop(player, slot, id, rng.chance(0.5) ? undefined : rng.int(1, 5)).ok;
		case 11: {
			// Mostly a drop that exists (anyone's), sometimes a made-up token.
			const drops = service.listDrops();
			const token = drops.size() > 0 && rng.chance(0.8) ? rng.pick(drops).token : `drop-${rng.int(1, 500)}`;
			return service.pickUp(player, token).ok;
		}
		default: {
			const drops = service.listDrops();
			return drops.size() > 3 ? service.despawnDrop(rng.pick(drops).token) : service.drop(player, slot, id).ok;
		}
	}
}
