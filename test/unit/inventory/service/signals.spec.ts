import { createInventory } from "../../../../src/inventory/state/createInventory";
import type { InventoryChange } from "../../../../src/inventory/operations/change";
import { serviceSetup } from "./support/serviceFixtures";

export = () => {
	describe("inventory service signals", () => {
		it("tells game systems what happened, after it happened", () => {
			const setup = serviceSetup();
			const service = setup.service;
			const session = setup.sessions.load(1, createInventory(1, 4));
			const log = new Array<string>();
			service.changed.Connect((player, change: InventoryChange) => {
				expect(player).to.equal(session.player);
				log.push(`changed ${change.slots.size()}`);
			});
			service.consumed.Connect((_player, event) => {
				// The change is applied before listeners run.
				const stack = session.data.inventory.slots[0];
				log.push(`consumed ${event.def} ${event.count} left ${stack === false ? 0 : stack.count}`);
			});
			service.dropped.Connect((_player, drop) => log.push(`dropped ${drop.stack.def} ${drop.token}`));
			service.pickedUp.Connect((_player, event) => log.push(`pickedUp ${event.def} ${event.token}`));
			service.despawned.Connect((drop) => log.push(`despawned ${drop.token}`));
			const potions = service.grant(1, "potion", 5);
			assert(potions.ok);
			const potion = potions.value.minted[0];
			service.consume(1, 0, potion, 2);
			service.drop(1, 0, potion, 1);
			service.pickUp(1, "drop-1");
			service.drop(1, 0, potion, 1);
			service.despawnDrop("drop-2");
			expect(log.join("; ")).to.equal(
				[
					"changed 1",
					"changed 1",
					"consumed potion 2 left 3",
					"changed 1",
					"dropped potion drop-1",
					"changed 1",
					"pickedUp potion drop-1",
					"changed 1",
					"dropped potion drop-2",
					"despawned drop-2",
				].join("; "),
			);
		});

		it("contains a listener that throws and reports it through callbackFailed", () => {
			const setup = serviceSetup();
			const service = setup.service;
			setup.sessions.load(1, createInventory(1, 4));
			const failures = new Array<string>();
			let after = 0;
			service.callbackFailed.Connect((failure) => failures.push(`${failure.kind} ${failure.details.callback}`));
			service.changed.Connect(() => {
				throw "the combat system broke";
			});
			service.changed.Connect(() => (after += 1));
			const result = service.grant(1, "potion", 1);
			expect(result.ok).to.equal(true);
			expect(after).to.equal(1);
			expect(failures.join()).to.equal("CallbackFailed changed listener");
		});

		it("stops calling a disconnected listener, also one that disconnects while the signal fires", () => {
			const setup = serviceSetup();
			setup.sessions.load(1, createInventory(1, 4));
			let calls = 0;
			const connection = setup.service.changed.Connect(() => {
				calls += 1;
				connection.Disconnect();
			});
			setup.service.grant(1, "potion", 1);
			setup.service.grant(1, "potion", 1);
			expect(calls).to.equal(1);
			expect(connection.Connected).to.equal(false);
		});
	});
};
