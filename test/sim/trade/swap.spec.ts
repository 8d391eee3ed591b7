import type { InventoryState, SyncMessage } from "../../../src";
import {
	coinsSaved,
	grantSaved,
	joinReady,
	settle,
	storedCensus,
	storedItems,
	storedQuiet,
	tradeWorld,
} from "./support/tradeWorld";

/** The inventory a client rebuilds from what it received: the last snapshot, then every delta after it. */
function replicaOf(client: Sim.Client, sync: RemoteEvent, applyChange: (state: InventoryState, change: never) => void): InventoryState | undefined {
	let replica: InventoryState | undefined;
	for (const call of client.received(sync)) {
		for (const message of call[0] as Array<SyncMessage>) {
			if (message.k === "s") replica = message.state;
			else if (message.k === "d" && replica !== undefined) applyChange(replica, message.change as never);
		}
	}
	return replica;
}

/** Slots and coins, comparable across two copies of an inventory. */
function describe_(state: InventoryState): string {
	const slots = state.slots.map((stack) => (stack === false ? "-" : `${stack.id}x${stack.count}`));
	return `${slots.join(",")}|${state.currencies.coins ?? 0}`;
}

export = () => {
	describe("trade swap on one server", () => {
		// Under Workspace.SignalBehavior = Deferred too, the default of new places.
		for (const signalBehavior of ["Immediate", "Deferred"]) {
		it(`swaps items and coins atomically, keeping ids, and a retry applies nothing (${signalBehavior} signals)`, () => {
			const setup = tradeWorld({ seed: 701, settings: { signalBehavior } });
			const [at] = setup.servers;
			joinReady(setup, at, 1);
			joinReady(setup, at, 2);
			const [sword] = grantSaved(at, 1, "sword");
			const [potions] = grantSaved(at, 2, "potion", 10);
			coinsSaved(at, 2, 100);
			setup.world.advance(10);
			const proposal = {
				id: "trade-1",
				a: { player: 1, items: [{ id: sword, count: 1 }] },
				b: { player: 2, items: [{ id: potions, count: 4 }], currency: { coins: 30 } },
			};
			const result = settle(setup.world, at.trades.execute(proposal));
			expect(result.status).to.equal("completed");
			setup.world.runUntil(() => storedQuiet(setup.world, [1, 2]) && at.trades.isSettled(1) && at.trades.isSettled(2), 120);
			expect(storedQuiet(setup.world, [1, 2])).to.equal(true);
			const one = at.inventory.getInventory(1)!;
			const two = at.inventory.getInventory(2)!;
			const received = one.slots.find((stack) => stack !== false && stack.def === "potion");
			expect(received !== undefined && received !== false && received.count).to.equal(4);
			expect(one.currencies.coins).to.equal(30);
			expect(two.slots.some((stack) => stack !== false && stack.id === sword)).to.equal(true);
			expect(two.currencies.coins).to.equal(70);
			const before = `${storedItems(setup.world, 1)} ${storedItems(setup.world, 2)}`;
			expect(before).to.equal(`${(received as { id: string }).id}x4|30 ${sword}x1,${potions}x6|70`);
			expect(storedCensus(setup, [1, 2]).dupes.size()).to.equal(0);

			// The same trade id again is a no-op.
			const again = settle(setup.world, at.trades.execute(proposal));
			expect(again.status).to.equal("duplicate");
			setup.world.advance(40);
			expect(`${storedItems(setup.world, 1)} ${storedItems(setup.world, 2)}`).to.equal(before);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});
		}

		it("replicates the trade to each owner's client as deltas", () => {
			const setup = tradeWorld({ seed: 703, inventoryRemotes: true });
			const [at] = setup.servers;
			const one = joinReady(setup, at, 1);
			const two = joinReady(setup, at, 2);
			const clients = [at.server.client(one), at.server.client(two)];
			const [sword] = grantSaved(at, 1, "sword");
			const [potions] = grantSaved(at, 2, "potion", 10);
			coinsSaved(at, 2, 100);
			const result = settle(
				setup.world,
				at.trades.execute({
					a: { player: 1, items: [{ id: sword, count: 1 }] },
					b: { player: 2, items: [{ id: potions, count: 3 }], currency: { coins: 40 } },
				}),
			);
			expect(result.status).to.equal("completed");
			setup.world.runUntil(() => at.trades.isSettled(1) && at.trades.isSettled(2), 120);
			setup.world.advance(0.1);
			const sync = at.inventoryRemotes!.sync;
			[1, 2].forEach((userId, index) => {
				const replica = replicaOf(clients[index], sync, at.hopsafe.applyChange as never);
				expect(replica).never.to.equal(undefined);
				expect(describe_(replica!)).to.equal(describe_(at.inventory.getInventory(userId)!));
			});
			expect(at.inventory.getInventory(1)!.currencies.coins).to.equal(40);
		});

		it("refuses a proposal that does not hold and changes nothing", () => {
			const setup = tradeWorld({ seed: 702 });
			const [at] = setup.servers;
			joinReady(setup, at, 1);
			joinReady(setup, at, 2);
			const [sword] = grantSaved(at, 1, "sword");
			const [gem] = grantSaved(at, 2, "gem", 2);
			const before = `${storedItems(setup.world, 1)} ${storedItems(setup.world, 2)}`;
			const cases: Array<[unknown, string]> = [
				[{ a: { player: 1, items: [{ id: sword, count: 1 }] }, b: { player: 2, items: [{ id: gem, count: 1 }] } }, "not_tradeable"],
				[{ a: { player: 1, items: [{ id: sword, count: 1 }] }, b: { player: 2, items: [], currency: { coins: 5 } } }, "insufficient_funds"],
				[{ a: { player: 1, items: [{ id: "2-99", count: 1 }] }, b: { player: 2, items: [] } }, "not_owned"],
				[{ a: { player: 1, items: [] }, b: { player: 1, items: [] } }, "self_trade"],
				[{ a: { player: 1, items: [] }, b: { player: 3, items: [] } }, "no_session"],
			];
			for (const [proposal, reason] of cases) {
				const result = settle(setup.world, at.trades.execute(proposal as never));
				expect(result.status).to.equal("failed");
				expect(result.reason).to.equal(reason);
			}
			setup.world.advance(40);
			expect(`${storedItems(setup.world, 1)} ${storedItems(setup.world, 2)}`).to.equal(before);
			expect(at.inventory.getInventory(1)!.slots[0] !== false).to.equal(true);
		});
	});
};
