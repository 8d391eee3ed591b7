import { joinServed, type Hopsafe, type HopsafeClient } from "../inventory/support/inventoryWorld";

// The Luau bundle (luau.project.json, built to build/hopsafe.rbxm): what a Luau game requires.
// The test place holds it as ReplicatedStorage.HopsafeLuau, beside the roblox-ts build, and a
// plain `require` of it must give the whole library on its own runtime.

interface LuauData {
	inventory: ReturnType<Hopsafe["createInventory"]>;
}

export = () => {
	describe("the Luau bundle", () => {
		it("loads with a plain require and runs a vault, an inventory and a purchase", () => {
			const world = sim.World.new({ seed: 901 });
			const server = world.startServer();
			const lib = server.require<Hopsafe>("ReplicatedStorage.HopsafeLuau");
			const gameMode = server.require<Hopsafe>("ReplicatedStorage.hopsafe");
			// Its own copy of the library, not the roblox-ts build of the place.
			expect(lib === gameMode).to.equal(false);
			expect(typeIs(lib.createVault, "function")).to.equal(true);
			const { inventory } = server.run(() => {
				const catalog = lib.defineCatalog([{ key: "potion", stackable: true, maxStack: 20 }], ["coins"]);
				const vault = lib.createVault<LuauData>({
					name: "LuauData",
					template: { inventory: lib.createInventory(0, 4) },
					schema: (value): value is LuauData => typeIs(value, "table"),
				});
				const service = lib.createInventoryService({ catalog, sessions: vault, select: (data) => data.inventory });
				lib.bindPurchases({
					inventory: service,
					vault,
					ledger: (data) => ((data as { purchases?: ReturnType<Hopsafe["createPurchaseLedger"]> }).purchases ??= lib.createPurchaseLedger()),
					products: new Map([[11, [{ op: "grant" as const, def: "potion", count: 2 }]]]),
				});
				return { inventory: service };
			});
			const player = joinServed(world, server, inventory, 9);
			const result = server.run(() =>
				inventory.transact(player, [
					{ op: "adjustCurrency", currency: "coins", delta: 5 },
					{ op: "grant", def: "potion", count: 3 },
				]),
			);
			expect(result.ok).to.equal(true);
			world.purchase(9, 11);
			world.advance(20);
			expect(world.receipts(9)[0].status).to.equal("granted");
			const slots = inventory.getInventory(player)!.slots;
			expect(slots[0] !== false && slots[0].count).to.equal(5);

			// The client module of the bundle.
			const client = server.client(player);
			const clientModule = client.require<HopsafeClient>("ReplicatedStorage.HopsafeLuau.client");
			expect(typeIs(clientModule.createInventoryClient, "function")).to.equal(true);
			expect(world.takeErrors().size()).to.equal(0);
		});
	});
};
