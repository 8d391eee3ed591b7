import { createInventory } from "../../../../src/inventory/state/createInventory";
import type { InventoryState } from "../../../../src/inventory/state/types";
import type { ServiceResult } from "../../../../src/inventory/service/types";
import { deepDiff } from "../support/deepDiff";
import { serviceSetup } from "./support/serviceFixtures";

function minted(result: ServiceResult): string {
	if (!result.ok) throw `expected success, got ${result.error}`;
	return result.value.minted[0];
}

function expectRefused(
	setup: ReturnType<typeof serviceSetup>,
	userId: number,
	reason: string,
	run: () => ServiceResult,
): void {
	const before = setup.service.getInventory(userId);
	const result = run();
	if (result.ok) throw `expected ${reason}, but the operation succeeded`;
	if (result.error !== reason) throw `expected ${reason}, got ${result.error}`;
	const difference = deepDiff(setup.service.getInventory(userId), before);
	if (difference !== undefined) throw `a refused operation changed the inventory: ${difference}`;
}

export = () => {
	describe("inventory service sessions", () => {
		it("serves a player from the moment the session loads and claims a placeholder inventory", () => {
			const setup = serviceSetup();
			let readyPlayer: Player | undefined;
			setup.service.ready.Connect((player) => (readyPlayer = player));
			expect(setup.service.isReady(7)).to.equal(false);
			const session = setup.sessions.load(7, createInventory(0, 8));
			expect(readyPlayer).to.equal(session.player);
			expect(setup.service.isReady(7)).to.equal(true);
			expect(setup.service.isReady(session.player)).to.equal(true);
			expect(session.data.inventory.owner).to.equal(7);
			expect(minted(setup.service.grant(7, "sword"))).to.equal("7-1");
		});

		it("refuses every operation with no_session before the load, after the release and once the lock is gone", () => {
			const setup = serviceSetup();
			const service = setup.service;
			const all = (): Array<ServiceResult> => [
				service.grant(3, "potion", 1),
				service.take(3, "3-1", 1),
				service.consume(3, 0, "3-1", 1),
				service.equip(3, 0, "3-1", "weapon"),
				service.unequip(3, "weapon"),
				service.move(3, 0, "3-1", 1),
				service.split(3, 0, "3-1", 1, 1),
				service.merge(3, 0, "3-1", 1, "3-2"),
				service.drop(3, 0, "3-1"),
				service.pickUp(3, "drop-1"),
				service.adjustCurrency(3, "coins", 5),
			];
			const refusedAll = () => all().every((result) => !result.ok && result.error === "no_session");
			expect(refusedAll()).to.equal(true);
			const session = setup.sessions.load(3, createInventory(3, 4));
			expect(service.grant(3, "potion", 5).ok).to.equal(true);
			// The lock went before the vault said so: refused at once.
			session.active = false;
			expect(refusedAll()).to.equal(true);
			expect(service.getInventory(3)).to.equal(undefined);
			setup.sessions.load(3, createInventory(3, 4));
			expect(service.isReady(3)).to.equal(true);
			setup.sessions.release(3);
			expect(refusedAll()).to.equal(true);
		});

		it("does not serve an inventory that breaks its invariants, and says why", () => {
			const setup = serviceSetup();
			const problems = new Array<string>();
			setup.service.invalid.Connect((_player, found) => {
				for (const problem of found) problems.push(problem);
			});
			const broken = createInventory(5, 4);
			broken.slots[1] = { id: "5-1", def: "no_such_item", count: 1 };
			setup.sessions.load(5, broken);
			expect(setup.service.isReady(5)).to.equal(false);
			expect(problems.size() > 0).to.equal(true);
			// Another player's inventory is not claimed.
			setup.sessions.load(6, createInventory(99, 4));
			expect(setup.service.isReady(6)).to.equal(false);
			// Nor a placeholder holding items (every player would share their ids), and a
			// refused inventory is left as it was.
			const stocked = createInventory(0, 4);
			stocked.slots[0] = { id: "0-1", def: "sword", count: 1 };
			stocked.nextSerial = 2;
			const session = setup.sessions.load(8, stocked);
			expect(setup.service.isReady(8)).to.equal(false);
			expect(session.data.inventory.owner).to.equal(0);
		});

		it("hands out copies: changing what getInventory returns changes nothing", () => {
			const setup = serviceSetup();
			setup.sessions.load(1, createInventory(1, 4));
			setup.service.grant(1, "potion", 3);
			const copy = setup.service.getInventory(1)!;
			copy.slots[0] = false;
			expect(setup.service.getInventory(1)!.slots[0] !== false).to.equal(true);
		});
	});

	describe("inventory service operations", () => {
		it("applies every operation to the session's data and returns the core's change", () => {
			const setup = serviceSetup();
			const service = setup.service;
			const session = setup.sessions.load(1, createInventory(1, 6));
			const state: InventoryState = session.data.inventory;
			const potion = minted(service.grant(1, "potion", 12));
			const sword = minted(service.grant(1, "sword"));
			expect(state.slots[0] !== false && state.slots[0].count).to.equal(12);
			expect(service.consume(1, 0, potion, 2).ok).to.equal(true);
			expect(service.equip(1, 1, sword, "weapon").ok).to.equal(true);
			expect(state.equipped.weapon).to.equal(sword);
			expect(service.unequip(1, "weapon", sword).ok).to.equal(true);
			expect(service.move(1, 1, sword, 5).ok).to.equal(true);
			const part = minted(service.split(1, 0, potion, 4, 1));
			expect(service.merge(1, 1, part, 0, potion).ok).to.equal(true);
			expect(service.take(1, potion, 3).ok).to.equal(true);
			expect(state.slots[0] !== false && state.slots[0].count).to.equal(7);
			expect(service.adjustCurrency(1, "coins", 40).ok).to.equal(true);
			expect(state.currencies.coins).to.equal(40);
			const dropped = service.drop(1, 5, sword);
			assert(dropped.ok && dropped.value.events[0].kind === "dropped");
			const token = dropped.value.events[0].drop.token;
			expect(service.getDrop(token)!.stack.id).to.equal(sword);
			expect(service.pickUp(1, token).ok).to.equal(true);
			expect(service.listDrops().size()).to.equal(0);
			expect(setup.service.census().dupes.size()).to.equal(0);
		});

		it("returns the core's reason for a refused operation and changes nothing", () => {
			const setup = serviceSetup();
			const service = setup.service;
			setup.sessions.load(1, createInventory(1, 3));
			const potion = minted(service.grant(1, "potion", 5));
			const sword = minted(service.grant(1, "sword"));
			expectRefused(setup, 1, "unknown_def", () => service.grant(1, "dragon", 1));
			expectRefused(setup, 1, "inventory_full", () => service.grant(1, "shield", 2));
			expectRefused(setup, 1, "not_owned", () => service.take(1, "1-99", 1));
			expectRefused(setup, 1, "not_consumable", () => service.consume(1, 1, sword));
			expectRefused(setup, 1, "item_mismatch", () => service.consume(1, 0, sword));
			expectRefused(setup, 1, "wrong_equip_slot", () => service.equip(1, 1, sword, "hat"));
			expectRefused(setup, 1, "not_equipped", () => service.unequip(1, "weapon"));
			expectRefused(setup, 1, "same_slot", () => service.move(1, 0, potion, 0));
			expectRefused(setup, 1, "not_stackable", () => service.split(1, 1, sword, 1, 2));
			expectRefused(setup, 1, "same_slot", () => service.merge(1, 0, potion, 0, potion));
			expectRefused(setup, 1, "insufficient_count", () => service.drop(1, 0, potion, 6));
			expectRefused(setup, 1, "drop_not_found", () => service.pickUp(1, "drop-404"));
			expectRefused(setup, 1, "insufficient_funds", () => service.adjustCurrency(1, "coins", -1));
		});

		it("keeps two players' inventories and minted ids apart", () => {
			const setup = serviceSetup();
			setup.sessions.load(1, createInventory(0, 4));
			setup.sessions.load(2, createInventory(0, 4));
			const a = minted(setup.service.grant(1, "sword"));
			const b = minted(setup.service.grant(2, "sword"));
			expect(a).to.equal("1-1");
			expect(b).to.equal("2-1");
			expect(setup.service.consume(2, 0, a).ok).to.equal(false);
			const census = setup.service.census();
			expect(census.locations.get(a)).to.equal("inventory:1");
			expect(census.locations.get(b)).to.equal("inventory:2");
		});
	});
};
