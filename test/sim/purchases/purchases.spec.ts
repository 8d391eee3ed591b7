import { t } from "@rbxts/t";
import type { InventoryState, PurchaseLedger, PurchaseRefusal, Purchases } from "../../../src";
import type { InventoryService } from "../../../src/inventory/service";
import type { Vault } from "../../../src/vault";
import { CATALOG_DEFS, CURRENCIES, joinServed } from "../inventory/support/inventoryWorld";
import { hopsafeOn } from "../support/hopsafe";
import { receiptOf } from "../support/receipts";

// Developer products through ProcessReceipt: granted once per purchase id, whatever is lost.

interface ShopData {
	inventory: InventoryState;
	purchases: PurchaseLedger;
}

const POTIONS = 1001; // 10 potions
const CROWN = 1002; // a crown for 50 of the player's coins on top of the Robux
const UNKNOWN = 1003;

interface Shop {
	readonly vault: Vault<ShopData>;
	readonly service: InventoryService;
	readonly purchases: Purchases;
	readonly deferred: Array<PurchaseRefusal["kind"]>;
	readonly granted: Array<string>;
}

/** A vault, an inventory and the purchases binding on `server`. */
function openShop(server: Sim.Server, capacity = 6, keep?: number): Shop {
	const hopsafe = hopsafeOn(server);
	return server.run(() => {
		const catalog = hopsafe.defineCatalog(CATALOG_DEFS, CURRENCIES);
		const vault = hopsafe.createVault<ShopData>({
			name: "ShopData",
			template: { inventory: hopsafe.createInventory(0, capacity), purchases: hopsafe.createPurchaseLedger() },
			schema: t.interface({ inventory: t.table, purchases: t.table }) as (value: unknown) => value is ShopData,
		});
		const service = hopsafe.createInventoryService({ catalog, sessions: vault, select: (data) => data.inventory });
		const purchases = hopsafe.bindPurchases({
			inventory: service,
			vault,
			ledger: (data) => data.purchases,
			keep,
			products: new Map([
				[POTIONS, [{ op: "grant" as const, def: "potion", count: 10 }]],
				[
					CROWN,
					[
						{ op: "adjustCurrency" as const, currency: "coins", delta: -50 },
						{ op: "grant" as const, def: "crown" },
					],
				],
			]),
		});
		const deferred = new Array<PurchaseRefusal["kind"]>();
		const granted = new Array<string>();
		purchases.deferred.Connect((_userId, _receipt, refusal) => deferred.push(refusal.kind));
		purchases.granted.Connect((_player, receipt) => granted.push(receipt.PurchaseId));
		return { vault, service, purchases, deferred, granted };
	});
}

/** A world whose one server runs the shop, with player 5 joined and served there. */
function shopWithBuyer(
	seed: number,
	options: { settings?: Record<string, unknown>; capacity?: number; keep?: number } = {},
) {
	const world = sim.World.new({ seed, settings: options.settings });
	const server = world.startServer();
	const shop = openShop(server, options.capacity, options.keep);
	const player = joinServed(world, server, shop.service, 5);
	return { world, server, shop, player };
}

function potionsOf(service: InventoryService, userId: number): number {
	let total = 0;
	for (const stack of service.getInventory(userId)?.slots ?? []) {
		if (stack !== false && stack.def === "potion") total += stack.count;
	}
	return total;
}

export = () => {
	describe("purchases", () => {
		it("grants a product once its save landed, and records the purchase id with it", () => {
			const { world, shop } = shopWithBuyer(71);
			const id = world.purchase(5, POTIONS);
			world.advance(10);
			expect(world.receipts(5)[0].status).to.equal("granted");
			expect(potionsOf(shop.service, 5)).to.equal(10);
			expect(shop.vault.getSession(5)!.data.purchases.ids.includes(id)).to.equal(true);
			expect(shop.granted.size()).to.equal(1);
			// What the DataStore holds has both the potions and the id.
			const stored = world.dataStore().read({ store: "ShopData", key: "player_5" })!.value as {
				Data: { value: ShopData };
			};
			expect(stored.Data.value.purchases.ids.includes(id)).to.equal(true);
			expect(stored.Data.value.inventory.slots.some((s) => s !== false && s.def === "potion")).to.equal(true);
			expect(world.takeErrors().size()).to.equal(0);
		});

		it("grants a product the player bought from a prompt the server opened", () => {
			const { world, server, shop, player } = shopWithBuyer(77);
			const finished = new Array<boolean>();
			server.run(() => {
				const marketplace = game.GetService("MarketplaceService");
				marketplace.PromptProductPurchaseFinished.Connect((_userId, _productId, purchased) =>
					finished.push(purchased),
				);
				marketplace.PromptProductPurchase(player, POTIONS);
			});
			expect(world.prompts(5).size()).to.equal(1);
			const id = world.answerPrompt(5, "buy")!;
			world.advance(10);
			expect(finished).to.be.ok();
			expect(finished.size()).to.equal(1);
			expect(finished[0]).to.equal(true);
			expect(world.receipts(5)[0].status).to.equal("granted");
			expect(shop.granted).to.be.ok();
			expect(shop.granted[0]).to.equal(id);
			expect(potionsOf(shop.service, 5)).to.equal(10);
		});

		it("grants nothing twice when a receipt comes again", () => {
			const { server, shop } = shopWithBuyer(72);
			const receipt: ReceiptInfo = receiptOf(5, "answer-lost", POTIONS);
			const first = server.run(() => shop.purchases.process(receipt));
			const second = server.run(() => shop.purchases.process(receipt));
			expect(first).to.equal(Enum.ProductPurchaseDecision.PurchaseGranted);
			expect(second).to.equal(Enum.ProductPurchaseDecision.PurchaseGranted);
			expect(potionsOf(shop.service, 5)).to.equal(10);
			expect(shop.granted.size()).to.equal(1);
		});

		it("gives a purchase whose save failed on a crashed server to the player's next server, once", () => {
			const world = sim.World.new({ seed: 73, settings: { marketplace: { retryInterval: 1000 } } });
			const a = world.startServer();
			const b = world.startServer();
			const shopA = openShop(a);
			const shopB = openShop(b);
			joinServed(world, a, shopA.service, 5);
			a.services.DataStoreService.faults.failNext(1000, { operation: "UpdateAsync" });
			world.purchase(5, POTIONS);
			world.advance(40); // past saveAsync's 30 s
			// Granted in memory here, but never saved: Roblox was told NotProcessedYet.
			expect(potionsOf(shopA.service, 5)).to.equal(10);
			expect(world.receipts(5)[0].status).to.equal("pending");
			expect(shopA.deferred.includes("save_failed")).to.equal(true);
			expect(shopA.granted.size()).to.equal(0);
			a.crash();
			joinServed(world, b, shopB.service, 5);
			world.advance(120);
			expect(world.receipts(5)[0].status).to.equal("granted");
			expect(world.receipts(5)[0].grantedBy).to.equal(b.name);
			expect(potionsOf(shopB.service, 5)).to.equal(10);
		});

		it("leaves a grant whose session ended to what that session stored", () => {
			const { world, server, shop, player } = shopWithBuyer(78, { settings: { marketplace: { retryInterval: 1000 } } });
			server.services.DataStoreService.faults.failNext(1000, { operation: "UpdateAsync" });
			const id = world.purchase(5, POTIONS);
			world.advance(40);
			expect(shop.deferred.includes("save_failed")).to.equal(true);
			// The DataStore recovers and the player leaves: the release stores the grant and its id.
			server.services.DataStoreService.faults.clear();
			server.leave(player);
			world.advance(10);
			const stored = world.dataStore().read({ store: "ShopData", key: "player_5" })!.value as {
				Data: { value: ShopData };
			};
			expect(stored.Data.value.purchases.ids.includes(id)).to.equal(true);
			// Back on the same server, the receipt finds its id: granted to Roblox, nothing twice,
			// and `granted` stays silent, since the session that granted it never confirmed a save.
			joinServed(world, server, shop.service, 5);
			world.advance(10);
			expect(world.receipts(5)[0].status).to.equal("granted");
			expect(potionsOf(shop.service, 5)).to.equal(10);
			expect(shop.granted.size()).to.equal(0);
		});

		it("keeps the id of a receipt not answered yet past the ledger's bound, so it is granted once", () => {
			const { world, server, shop } = shopWithBuyer(79, {
				settings: { marketplace: { retryInterval: 1000 } },
				keep: 2,
			});
			server.services.DataStoreService.faults.failNext(1000, { operation: "UpdateAsync" });
			const first = world.purchase(5, POTIONS);
			world.advance(40);
			expect(world.receipts(5)[0].status).to.equal("pending");
			expect(shop.deferred.includes("save_failed")).to.equal(true);
			// The DataStore recovers; two later purchases are granted before the first comes again.
			server.services.DataStoreService.faults.clear();
			world.purchase(5, POTIONS);
			world.purchase(5, POTIONS);
			world.advance(20);
			expect(world.receipts(5)[1].status).to.equal("granted");
			expect(world.receipts(5)[2].status).to.equal("granted");
			expect(potionsOf(shop.service, 5)).to.equal(30);
			const again = server.run(() => shop.purchases.process(receiptOf(5, first, POTIONS)));
			expect(again).to.equal(Enum.ProductPurchaseDecision.PurchaseGranted);
			expect(potionsOf(shop.service, 5)).to.equal(30);
			// Answered, it is an ordinary entry again: the next grant drops the oldest.
			const ledger = shop.vault.getSession(5)!.data.purchases;
			expect((ledger.unanswered ?? []).size()).to.equal(0);
			server.run(() => shop.purchases.process(receiptOf(5, "fourth", POTIONS)));
			expect(ledger.ids.size()).to.equal(2);
			expect(ledger.ids.includes(first)).to.equal(false);
		});

		it("charges coins and grants the item together, or waits while the inventory is full", () => {
			const { world, server, shop } = shopWithBuyer(74, { settings: { marketplace: { retryInterval: 5 } }, capacity: 1 });
			const filler = server.run(() => shop.service.grant(5, "sword"));
			assert(filler.ok);
			server.run(() => shop.service.adjustCurrency(5, "coins", 80));
			world.purchase(5, CROWN);
			world.advance(12);
			expect(world.receipts(5)[0].status).to.equal("pending");
			expect(shop.deferred.includes("refused")).to.equal(true);
			expect(shop.service.getInventory(5)!.currencies.coins).to.equal(80);
			server.run(() => shop.service.take(5, filler.value.minted[0]));
			world.advance(12);
			expect(world.receipts(5)[0].status).to.equal("granted");
			const inventory = shop.service.getInventory(5)!;
			expect(inventory.currencies.coins).to.equal(30);
			expect(inventory.slots[0] !== false && inventory.slots[0].def).to.equal("crown");
		});

		it("leaves ProcessReceipt to the game with bind: false, which routes receipts to process", () => {
			const { world, server, shop } = shopWithBuyer(76);
			const hopsafe = hopsafeOn(server);
			const routed = new Array<number>();
			const vault = shop.vault;
			server.run(() => {
				// The game's own handler, set first: its product here, the rest to the shop binding.
				const bound: { scrolls?: Purchases } = {};
				game.GetService("MarketplaceService").ProcessReceipt = (receipt) => {
					routed.push(receipt.ProductId);
					return receipt.ProductId === 4242 ? bound.scrolls!.process(receipt) : shop.purchases.process(receipt);
				};
				bound.scrolls = hopsafe.bindPurchases({
					inventory: shop.service,
					vault,
					ledger: (data) => data.purchases,
					products: new Map([[4242, [{ op: "grant" as const, def: "scroll" }]]]),
					bind: false,
				});
			});
			world.purchase(5, 4242);
			world.purchase(5, POTIONS);
			world.advance(20);
			expect(routed.size()).to.equal(2);
			for (const receipt of world.receipts(5)) expect(receipt.status).to.equal("granted");
			const slots = shop.service.getInventory(5)!.slots;
			expect(slots.some((stack) => stack !== false && stack.def === "scroll")).to.equal(true);
			expect(potionsOf(shop.service, 5)).to.equal(10);
		});

		it("defers an unknown product and a player without a session here", () => {
			const { world, server, shop } = shopWithBuyer(75, { settings: { marketplace: { retryInterval: 1000 } } });
			world.purchase(5, UNKNOWN);
			world.advance(5);
			expect(world.receipts(5)[0].status).to.equal("pending");
			expect(shop.deferred.includes("unknown_product")).to.equal(true);
			const away = server.run(() =>
				shop.purchases.process(receiptOf(6, "elsewhere", POTIONS)),
			);
			expect(away).to.equal(Enum.ProductPurchaseDecision.NotProcessedYet);
			const malformed = server.run(() => shop.purchases.process("nonsense" as unknown as ReceiptInfo));
			expect(malformed).to.equal(Enum.ProductPurchaseDecision.NotProcessedYet);
			// A product function that throws is reported, and the receipt waits.
			const hopsafe = hopsafeOn(server);
			const failures = new Array<string>();
			const broken = server.run(() => {
				const binding = hopsafe.bindPurchases({
					inventory: shop.service,
					vault: shop.vault,
					ledger: (data) => data.purchases,
					products: new Map([[5555, () => error("no such recipe")]]),
					bind: false,
				});
				binding.callbackFailed.Connect((failure) => failures.push(failure.message));
				return binding.process(receiptOf(5, "broken", 5555));
			});
			expect(broken).to.equal(Enum.ProductPurchaseDecision.NotProcessedYet);
			expect(failures.size()).to.equal(1);
			expect(failures[0].find("no such recipe", 1, true)[0] !== undefined).to.equal(true);
			expect(shop.vault.getSession(5)!.data.purchases.ids.includes("broken")).to.equal(false);
			expect(world.takeErrors().size()).to.equal(0);
		});
	});
};
