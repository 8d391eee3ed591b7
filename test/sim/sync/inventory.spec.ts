import type { ClientRejectReason, InventoryService, PurchaseLedger } from "../../../src";
import type { InventoryClient } from "../../../src/client";
import type { SyncOp, TransferReceipt } from "../../../src/sync";
import { checkInventory } from "../../../src/inventory/invariants";
import { deepDiff } from "../../unit/inventory/support/deepDiff";
import { Prng } from "../../unit/inventory/support/prng";
import { joinServed, type Hopsafe, type HopsafeClient } from "../inventory/support/inventoryWorld";
import {
	apiCoins,
	auditLog,
	coins,
	companionToken,
	companionWrite,
	readPlayer,
	serverWrite,
	storedData,
	syncWorld,
	waitSettled,
	type SyncGame,
} from "./support/api";
import { apiItems, externalServer, slotItems, slotOf } from "./support/external";
import { receiptOf } from "../support/receipts";
import type * as Transfers from "../../../src/inventory/service/transfers";

// Player ids of this file (the save API's database is shared by the whole run).
const BASE = 760_000;

interface ExternalGame {
	readonly world: Sim.World;
	readonly app: SyncGame;
	readonly service: InventoryService;
	readonly player: Player;
	readonly client: Sim.Client;
	readonly view: InventoryClient;
	readonly rejections: Array<string>;
}

function externalGame(seed: number, userId: number, before: ReadonlyArray<SyncOp> = []): ExternalGame {
	// Instant remotes: the specs read what the client did a frame or two later.
	const world = syncWorld(seed, { remotes: { latency: { min: 0, max: 0 } } });
	// What the API holds before the player joins (written with the server key).
	if (before.size() > 0) assert(serverWrite(world, userId, before).status === 201, "seeding failed");
	const { app, service, catalog } = externalServer(world);
	const server = app.server;
	const player = server.join(userId);
	world.runUntil(() => service.isReady(player), 120);
	assert(service.isReady(player), "the inventory was not served");
	const client = server.client(player);
	const module = client.require<HopsafeClient>("ReplicatedStorage.hopsafe.client");
	const view = client.run(() => module.createInventoryClient({ catalog })) as InventoryClient;
	const rejections = new Array<string>();
	view.rejected.Connect((intent, reason: ClientRejectReason) => rejections.push(`${intent} ${reason}`));
	world.advance(0.1);
	return { world, app, service, player, client, view, rejections };
}

/**
 * Binds developer products on `setup`'s server: 777 (100 coins and a sword), 778 (100 coins)
 * and 779 (a sword for 50 of the player's coins on top of the Robux).
 */
function bindShop(setup: { readonly app: SyncGame; readonly service: InventoryService }) {
	const server = setup.app.server;
	const hopsafe = server.require<Hopsafe>("ReplicatedStorage.hopsafe");
	return server.run(() =>
		hopsafe.bindPurchases({
			inventory: setup.service,
			vault: setup.app.vault,
			ledger: (data) => ((data as { purchases?: PurchaseLedger }).purchases ??= hopsafe.createPurchaseLedger()),
			products: new Map([
				[
					777,
					[
						{ op: "adjustCurrency" as const, currency: "coins", delta: 100 },
						{ op: "grant" as const, def: "sword" },
					],
				],
				[778, [{ op: "adjustCurrency" as const, currency: "coins", delta: 100 }]],
				[
					779,
					[
						{ op: "adjustCurrency" as const, currency: "coins", delta: -50 },
						{ op: "grant" as const, def: "sword" },
					],
				],
			]),
		}),
	);
}

/**
 * The shop on a player with 60 coins at the API. Another writer spends 30 that the server still
 * shows, then the player buys 779 (50 coins), and the API refuses the purchase; `seconds` pass.
 */
function refusedPurchase(seed: number, userId: number, seconds: number) {
	const setup = externalGame(seed, userId, [coins(60)]);
	const purchases = bindShop(setup);
	const deferred = new Array<string>();
	purchases.deferred.Connect((_userId, _receipt, refusal) => deferred.push(refusal.kind));
	assert(serverWrite(setup.world, userId, [coins(-30)]).status === 201, "the other writer's spend failed");
	const id = setup.world.purchase(userId, 779);
	setup.world.advance(seconds);
	return { ...setup, purchases, deferred, id };
}

export = () => {
	describe("inventory in external authority", () => {
		it("writes every change through to the save API, client intents included", () => {
			const userId = BASE + 1;
			const setup = externalGame(7601, userId);
			const { service, world, view, client } = setup;
			const potions = service.grant(userId, "potion", 12);
			const sword = service.grant(userId, "sword");
			assert(potions.ok && sword.ok);
			const potionId = potions.value.minted[0];
			expect(service.adjustCurrency(userId, "coins", 40).ok).to.equal(true);
			expect(service.adjustCurrency(userId, "coins", -15).ok).to.equal(true);
			world.advance(0.1);
			// The client splits, merges back (a grown stack), drinks two and equips the sword.
			const split = client.run(() => view.split(0, potionId, 5, 4)) as { ok: boolean };
			expect(split.ok).to.equal(true);
			world.advance(0.1);
			const splitId = (view.confirmed()!.slots[4] as { id: string }).id;
			expect((client.run(() => view.merge(4, splitId, 0, potionId)) as { ok: boolean }).ok).to.equal(true);
			world.advance(0.1);
			expect((client.run(() => view.consume(0, potionId, 2)) as { ok: boolean }).ok).to.equal(true);
			expect((client.run(() => view.equip(1, sword.value.minted[0], "weapon")) as { ok: boolean }).ok).to.equal(true);
			world.advance(0.1);
			expect(setup.rejections.size()).to.equal(0);
			waitSettled(world, setup.app, userId);

			const state = service.getInventory(userId)!;
			expect(slotItems(state)).to.equal(`${potionId}=potionx10 ${sword.value.minted[0]}=swordx1`);
			expect(apiItems(world, userId)).to.equal(slotItems(state));
			expect(apiCoins(world, userId)).to.equal(25);
			expect(deepDiff(view.confirmed(), state)).to.equal(undefined);
			// Every write carries the inventory's reason in the audit log.
			let written = 0;
			for (const entry of auditLog(world, userId)) if (entry.reason === "inventory") written += 1;
			expect(written > 0).to.equal(true);
		});

		it("brings another writer's changes into the slots and the owner's client", () => {
			const userId = BASE + 2;
			// Before the player joins, the API already holds coins and a shield.
			const setup = externalGame(7602, userId, [
				{ op: "currency.add", currency: "coins", amount: 100 },
				{ op: "item.grant", item: { id: "web-1", def: "shield", count: 1, attrs: { dye: "red" } } },
			]);
			const { service, world, view } = setup;
			let state = service.getInventory(userId)!;
			expect(state.slots[0] !== false && state.slots[0].id).to.equal("web-1");
			expect(state.currencies.coins).to.equal(100);
			const arrows = service.grant(userId, "arrow", 30);
			assert(arrows.ok);
			expect(service.equip(userId, 0, "web-1", "offhand").ok).to.equal(true);
			waitSettled(world, setup.app, userId);

			// The companion sells the equipped shield, spends coins and uses ten arrows; the
			// game's server key grants a crown.
			const token = companionToken(world, userId, ["item.remove", "currency.add"]);
			const arrowId = arrows.value.minted[0];
			expect(
				companionWrite(world, token, userId, [
					{ op: "item.remove", id: "web-1", count: 1 },
					{ op: "item.remove", id: arrowId, count: 10 },
					{ op: "currency.add", currency: "coins", amount: -60 },
				]).status,
			).to.equal(201);
			expect(
				serverWrite(world, userId, [
					{ op: "item.grant", item: { id: "web-2", def: "crown", count: 1, attrs: {} } },
				]).status,
			).to.equal(201);
			setup.app.sync.refresh(userId);
			world.runUntil(() => service.getInventory(userId)!.currencies.coins === 40, 30);

			state = service.getInventory(userId)!;
			expect(state.currencies.coins).to.equal(40);
			expect(state.equipped.offhand).to.equal(undefined);
			expect(slotOf(state, "web-1")).to.equal(-1);
			// The arrows kept their slot; the crown took the first free one (the shield's).
			expect(slotOf(state, arrowId)).to.equal(1);
			expect((state.slots[1] as { count: number }).count).to.equal(20);
			expect(slotOf(state, "web-2")).to.equal(0);
			world.advance(0.1);
			expect(deepDiff(view.confirmed(), state)).to.equal(undefined);
			expect(apiItems(world, userId)).to.equal(slotItems(state));
		});

		it("undoes a spend the API refuses and shows the balance the API holds", () => {
			const userId = BASE + 3;
			const setup = externalGame(7603, userId, [{ op: "currency.add", currency: "coins", amount: 100 }]);
			const { service, world } = setup;
			// The companion spends 80 first; this server has not heard of it when it spends 50.
			const token = companionToken(world, userId, ["currency.add"]);
			expect(
				companionWrite(world, token, userId, [{ op: "currency.add", currency: "coins", amount: -80 }]).status,
			).to.equal(201);
			expect(service.adjustCurrency(userId, "coins", -50).ok).to.equal(true);
			expect(service.getInventory(userId)!.currencies.coins).to.equal(50);
			waitSettled(world, setup.app, userId);
			world.runUntil(() => service.getInventory(userId)!.currencies.coins === 20, 30);
			expect(service.getInventory(userId)!.currencies.coins).to.equal(20);
			expect(apiCoins(world, userId)).to.equal(20);
			expect(setup.app.rollbacks.size()).to.equal(1);
			expect(setup.app.rollbacks[0].reason).to.equal("insufficient_funds");
			world.advance(0.1);
			expect(setup.view.confirmed()!.currencies.coins).to.equal(20);
		});

		it("keeps the layout across a hop and picks up what changed at the API meanwhile", () => {
			const userId = BASE + 5;
			const world = syncWorld(7605);
			const a = externalServer(world, { name: "a" });
			const b = externalServer(world, { name: "b" });
			const player = a.app.server.join(userId);
			world.runUntil(() => a.service.isReady(userId), 120);
			const potions = a.service.grant(userId, "potion", 8);
			const ring = a.service.grant(userId, "ring");
			assert(potions.ok && ring.ok);
			const ringId = ring.value.minted[0];
			expect(a.service.move(userId, 1, ringId, 5).ok).to.equal(true);
			expect(a.service.equip(userId, 5, ringId, "ring2").ok).to.equal(true);
			expect(a.service.consume(userId, 0, potions.value.minted[0], 3).ok).to.equal(true);

			waitSettled(world, a.app, userId);
			world.teleport(player, a.app.server, b.app.server);
			// While the player is in flight, the companion drinks one more potion.
			const token = companionToken(world, userId, ["item.remove"]);
			expect(
				companionWrite(world, token, userId, [{ op: "item.remove", id: potions.value.minted[0], count: 1 }])
					.status,
			).to.equal(201);
			world.runUntil(() => b.service.isReady(userId), 60);
			expect(b.service.isReady(userId)).to.equal(true);

			const state = b.service.getInventory(userId)!;
			expect(slotOf(state, ringId)).to.equal(5);
			expect(state.equipped.ring2).to.equal(ringId);
			expect((state.slots[0] as { count: number }).count).to.equal(4);
			expect(apiItems(world, userId)).to.equal(slotItems(state));
			// The new server mints from its session's own block of serials (the second load).
			const more = b.service.grant(userId, "shield");
			assert(more.ok);
			expect(more.value.minted[0]).to.equal(`${userId}-${2 * 1_048_576 + 1}`);
			waitSettled(world, b.app, userId);
			expect(apiItems(world, userId)).to.equal(slotItems(b.service.getInventory(userId)!));
		});

		it("never mints again an id that reached the API from a session that crashed before saving it", () => {
			const userId = BASE + 25;
			const world = syncWorld(7625);
			const a = externalServer(world, { name: "a" });
			a.app.server.join(userId);
			world.runUntil(() => a.service.isReady(userId), 120);
			// From here no profile write of the first server lands: the serial it advances is
			// never saved, while its grant reaches the API, and the sword goes to another player
			// (so the next session cannot learn its id from the player's own items).
			a.app.server.services.DataStoreService.faults.failNext(100_000, { operation: "UpdateAsync" });
			const sword = a.service.grant(userId, "sword");
			assert(sword.ok);
			waitSettled(world, a.app, userId);
			let given = false;
			a.app.sync
				.transfer([{ from: userId, to: BASE + 26, items: [{ id: sword.value.minted[0] }] }], { key: "gift-7625" })
				.then(
					() => (given = true),
					() => undefined,
				);
			world.runUntil(() => given, 30);
			expect(apiItems(world, BASE + 26)).to.equal(`${sword.value.minted[0]}=swordx1`);
			a.app.server.crash();

			const b = externalServer(world, { name: "b" });
			const rolledBack = new Array<string>();
			b.app.sync.rolledBack.Connect((_userId, rollback) => rolledBack.push(rollback.reason));
			b.app.server.join(userId);
			world.runUntil(() => b.service.isReady(userId), 120);
			const shield = b.service.grant(userId, "shield");
			assert(shield.ok);
			expect(shield.value.minted[0] === sword.value.minted[0]).to.equal(false);
			waitSettled(world, b.app, userId);
			expect(rolledBack.join(",")).to.equal("");
			expect(apiItems(world, userId)).to.equal(`${shield.value.minted[0]}=shieldx1`);
			expect(slotItems(b.service.getInventory(userId)!)).to.equal(`${shield.value.minted[0]}=shieldx1`);
		});

		it("keeps the slots, the client and the API equal through random intents and a companion writing", () => {
			const userId = BASE + 6;
			const setup = externalGame(7606, userId, [{ op: "currency.add", currency: "coins", amount: 500 }]);
			const { service, world, view, client, app } = setup;
			const rng = new Prng(7606);
			const token = companionToken(world, userId, ["item.remove", "currency.add"]);
			const defs = ["potion", "arrow", "sword", "shield", "gem"];
			let companionWrites = 0;
			let sent = 0;
			// 1 when the client module sent the intent (it refuses what it can tell is invalid).
			const intent = (send: () => { ok: boolean }) => ((client.run(send) as { ok: boolean }).ok ? 1 : 0);
			for (let step = 0; step < 240; step++) {
				const state = service.getInventory(userId)!;
				// Mostly intents a player would send: on a stack that is there, merging like with like.
				const occupied = new Array<number>();
				for (let index = 0; index < state.capacity; index++) if (state.slots[index] !== false) occupied.push(index);
				const slot = occupied.size() > 0 && rng.chance(0.9) ? rng.pick(occupied) : rng.int(0, 5);
				const stack = state.slots[slot];
				const id = stack === false ? "none" : stack.id;
				const alike = occupied.filter((index) => {
					const candidate = state.slots[index];
					return index !== slot && stack !== false && candidate !== false && candidate.def === stack.def;
				});
				const other = alike.size() > 0 && rng.chance(0.5) ? rng.pick(alike) : rng.int(0, 5);
				const target = state.slots[other];
				const targetId = target === false ? "none" : target.id;
				switch (rng.int(0, 7)) {
					case 0:
						service.grant(userId, rng.pick(defs), rng.int(1, 12));
						break;
					case 1:
						sent += intent(() => view.move(slot, id, other));
						break;
					case 2:
						sent += intent(() => view.split(slot, id, rng.int(1, 4), other));
						break;
					case 3:
						sent += intent(() => view.merge(slot, id, other, targetId));
						break;
					case 4:
						sent += intent(() => view.consume(slot, id, 1));
						break;
					case 5:
						sent += intent(() => view.equip(slot, id, "weapon"));
						break;
					case 6:
						service.adjustCurrency(userId, "coins", rng.int(-20, 20));
						break;
					default: {
						// The companion uses one of an item the API holds, or spends coins.
						const held = readPlayer(world, userId).items as unknown as Array<{ id: string; count: number }>;
						const ops: Array<SyncOp> =
							held.size() > 0 && rng.chance(0.7)
								? [{ op: "item.remove", id: rng.pick(held).id, count: 1 }]
								: [{ op: "currency.add", currency: "coins", amount: -rng.int(1, 30) }];
						if (companionWrite(world, token, userId, ops).status === 201) companionWrites += 1;
						app.sync.refresh(userId);
					}
				}
				world.advance(rng.chance(0.5) ? 0.05 : 0.4);
			}
			waitSettled(world, app, userId);
			app.sync.refresh(userId);
			world.advance(3);
			const state = service.getInventory(userId)!;
			expect(companionWrites > 10).to.equal(true);
			expect(sent > 40).to.equal(true);
			expect(apiItems(world, userId)).to.equal(slotItems(state));
			expect(apiCoins(world, userId)).to.equal(state.currencies.coins ?? 0);
			expect(checkInventory(state, service.catalog).size()).to.equal(0);
			expect(deepDiff(view.confirmed(), state)).to.equal(undefined);
			expect(view.pendingCount()).to.equal(0);
		});

		it("moves items between players through a save API transfer, shown in both inventories", () => {
			const giver = BASE + 7;
			const taker = BASE + 8;
			const world = syncWorld(7607);
			const { app, service } = externalServer(world);
			for (const userId of [giver, taker]) {
				app.server.join(userId);
				world.runUntil(() => service.isReady(userId), 120);
			}
			const sword = service.grant(giver, "sword");
			const potions = service.grant(giver, "potion", 10);
			expect(service.adjustCurrency(taker, "coins", 50).ok).to.equal(true);
			assert(sword.ok && potions.ok);
			const swordId = sword.value.minted[0];
			const potionId = potions.value.minted[0];
			waitSettled(world, app, giver);
			waitSettled(world, app, taker);

			// The sword and 4 of the 10 potions for 30 coins: two legs, one transaction.
			const legs = [
				{ from: giver, to: taker, items: [{ id: swordId }, { id: potionId, count: 4, newId: `${taker}-gift-1` }] },
				{ from: taker, to: giver, currencies: { coins: 30 } },
			];
			const options = { key: "trade-7607", reason: "trade:7607" };
			let versions: ReadonlyMap<number, number> | undefined;
			let failure: unknown;
			app.sync.transfer(legs, options).then(
				(result) => (versions = result),
				(problem: unknown) => (failure = problem),
			);
			world.runUntil(() => versions !== undefined || failure !== undefined, 30);
			expect(failure).to.equal(undefined);
			expect(versions!.size()).to.equal(2);
			world.runUntil(() => slotOf(service.getInventory(taker)!, swordId) >= 0, 30);

			const mine = service.getInventory(giver)!;
			const theirs = service.getInventory(taker)!;
			expect(slotOf(mine, swordId)).to.equal(-1);
			expect((mine.slots[slotOf(mine, potionId)] as { count: number }).count).to.equal(6);
			expect(mine.currencies.coins).to.equal(30);
			expect(slotOf(theirs, `${taker}-gift-1`) >= 0).to.equal(true);
			expect(theirs.currencies.coins).to.equal(20);
			expect(apiItems(world, giver)).to.equal(slotItems(mine));
			expect(apiItems(world, taker)).to.equal(slotItems(theirs));

			// The same transfer again (same key) applies nothing twice: the API replays its answer.
			let replayed: ReadonlyMap<number, number> | undefined;
			app.sync.transfer(legs, options).then(
				(result) => (replayed = result),
				() => undefined,
			);
			world.runUntil(() => replayed !== undefined, 30);
			expect(replayed!.get(giver)).to.equal(versions!.get(giver));
			expect(replayed!.get(taker)).to.equal(versions!.get(taker));
			// A transfer of what the giver no longer holds is refused and moves nothing.
			let refused: { kind?: string; details?: { code?: string } } | undefined;
			app.sync
				.transfer([{ from: giver, to: taker, items: [{ id: swordId }] }], { key: "trade-7607-late" })
				.catch((problem: unknown) => (refused = problem as never));
			world.runUntil(() => refused !== undefined, 30);
			expect(refused!.kind).to.equal("ApiRejected");
			expect(refused!.details!.code).to.equal("item_not_owned");
			// Settling a key tells how its transfer ended: applied (with the versions), refused.
			const settle = (key: string, players: Array<number>) => {
				let answer: unknown;
				app.sync.voidTransfer(key, players).then(
					(value) => (answer = value),
					(problem: unknown) => (answer = problem),
				);
				world.runUntil(() => answer !== undefined, 30);
				return answer as {
					status?: string;
					code?: string;
					kind?: string;
					versions?: ReadonlyMap<number, number>;
					received?: ReadonlyMap<number, TransferReceipt>;
				};
			};
			const applied = settle(options.key, [giver, taker]);
			expect(applied.status).to.equal("applied");
			expect(applied.versions!.get(giver)).to.equal(versions!.get(giver));
			expect(applied.versions!.get(taker)).to.equal(versions!.get(taker));
			// With what each of them received: ids as they are now (the part's new id), and coins.
			const receipt = (userId: number) => {
				const got = applied.received!.get(userId)!;
				const items = got.items.map((item) => `${item.id}x${item.count}`);
				return `${items.join(" ")}; coins ${got.currencies.coins ?? 0}`;
			};
			expect(receipt(taker)).to.equal(`${swordId}x1 ${taker}-gift-1x4; coins 0`);
			expect(receipt(giver)).to.equal("; coins 30");
			const late = settle("trade-7607-late", [giver, taker]);
			expect(late.status).to.equal("refused");
			expect(late.code).to.equal("item_not_owned");
			expect(settle("", [giver]).kind).to.equal("InvalidArgument");
			expect(settle("trade-7607-none", []).kind).to.equal("InvalidArgument");
			expect(settle("trade-7607-none", [giver, 0.5]).kind).to.equal("InvalidArgument");
			// A malformed one is refused before anything is sent.
			let malformed: { kind?: string } | undefined;
			app.sync
				.transfer([{ from: giver, to: giver, items: [{ id: swordId }] }])
				.catch((problem: unknown) => (malformed = problem as never));
			world.advance(0.1);
			expect(malformed!.kind).to.equal("InvalidArgument");
			world.advance(2);
			expect(apiItems(world, giver)).to.equal(slotItems(service.getInventory(giver)!));
			expect(apiItems(world, taker)).to.equal(slotItems(service.getInventory(taker)!));
		});

		it("tells the owner's client the serial a split refused for a waiting trade's hold used up", () => {
			const userId = BASE + 28;
			const setup = externalGame(7628, userId);
			const { service, world, view, client } = setup;
			const granted = service.grant(userId, "potion", 10);
			assert(granted.ok);
			const potion = granted.value.minted[0];
			waitSettled(world, setup.app, userId);
			const transfers = setup.app.server.require<typeof Transfers>("ReplicatedStorage.hopsafe.inventory.service.transfers");
			// A trade still waiting offers the whole stack: splitting some of it off would use it up.
			expect(setup.app.server.run(() => transfers.holdForTrade(service, userId, "trade-1", [potion], {}))).to.equal(true);
			world.advance(0.1);
			const before = service.getInventory(userId)!;
			expect((client.run(() => view.split(0, potion, 3, 5)) as { ok: boolean }).ok).to.equal(true);
			world.advance(0.5);
			expect(setup.rejections.join(",")).to.equal("split authority_refused");
			// The stacks are back; the serial the split minted stays used (serials never go back)...
			const after = service.getInventory(userId)!;
			expect(deepDiff(after.slots, before.slots)).to.equal(undefined);
			expect(after.nextSerial).to.equal(before.nextSerial + 1);
			// ...and the client's replica knows it, so what it predicts next mints the server's ids.
			expect(deepDiff(view.confirmed(), after)).to.equal(undefined);
		});

		it("refuses drops from the client with authority_refused and changes nothing", () => {
			const userId = BASE + 4;
			const setup = externalGame(7604, userId);
			const { service, world, view, client } = setup;
			const granted = service.grant(userId, "potion", 4);
			assert(granted.ok);
			world.advance(0.1);
			const before = service.getInventory(userId)!;
			expect((client.run(() => view.drop(0, granted.value.minted[0], 1)) as { ok: boolean }).ok).to.equal(true);
			world.advance(0.2);
			expect(setup.rejections.join(",")).to.equal("drop authority_refused");
			expect(deepDiff(service.getInventory(userId), before)).to.equal(undefined);
			expect(deepDiff(view.view(), before)).to.equal(undefined);
			waitSettled(world, setup.app, userId);
			expect(apiItems(world, userId)).to.equal(slotItems(before));
		});

		it("grants a developer product at the API once, whatever delivers its receipt again", () => {
			const userId = BASE + 20;
			const setup = externalGame(7620, userId);
			const { world, service } = setup;
			const server = setup.app.server;
			const purchases = bindShop(setup);
			const id = world.purchase(userId, 777);
			// Answered once the profile holding the grant and its id is saved (ProfileService
			// spaces writes to a key 7 s apart).
			world.runUntil(() => world.receipts(userId)[0].status === "granted", 60);
			expect(world.receipts(userId)[0].status).to.equal("granted");
			// The answer was lost: the same receipt comes again and grants nothing.
			const again = server.run(() =>
				purchases.process(receiptOf(userId, id, 777)),
			);
			expect(again).to.equal(Enum.ProductPurchaseDecision.PurchaseGranted);
			waitSettled(world, setup.app, userId);
			expect(apiCoins(world, userId)).to.equal(100);
			const state = service.getInventory(userId)!;
			expect(apiItems(world, userId)).to.equal(slotItems(state));
			expect(slotItems(state).split(" ").size()).to.equal(1);
			// A purchase id with characters an idempotency key cannot hold is escaped into one.
			const odd = server.run(() =>
				purchases.process(receiptOf(userId, "{7F 3A}/é", 778)),
			);
			expect(odd).to.equal(Enum.ProductPurchaseDecision.PurchaseGranted);
			waitSettled(world, setup.app, userId);
			expect(apiCoins(world, userId)).to.equal(200);
			expect(world.takeErrors().size()).to.equal(0);
		});

		it("answers NotProcessedYet, and records no purchase, when the API refuses the purchase", () => {
			const userId = BASE + 22;
			const setup = refusedPurchase(7622, userId, 5);
			const { world, service, deferred, id } = setup;
			expect(deferred.includes("authority_refused")).to.equal(true);
			expect(world.receipts(userId)[0].status).to.equal("pending");
			expect(apiCoins(world, userId)).to.equal(30);
			expect(apiItems(world, userId)).to.equal("");
			const data = setup.app.vault.getSession(userId)!.data as { purchases?: PurchaseLedger };
			expect(data.purchases!.ids.includes(id)).to.equal(false);
			const state = service.getInventory(userId)!;
			expect(state.currencies.coins).to.equal(30);
			expect(slotItems(state)).to.equal("");
		});

		it("grants a purchase the API refused at a later delivery, once the player can pay for it", () => {
			const userId = BASE + 27;
			// Roblox's deliveries after the API's refusal are refused here, by the balance it showed.
			const setup = refusedPurchase(7627, userId, 15);
			const { world, service, purchases, deferred, id } = setup;
			expect(deferred[0]).to.equal("authority_refused");
			expect(deferred.size() > 1).to.equal(true);
			expect(deferred.filter((kind) => kind !== "refused").size()).to.equal(1);
			expect(world.receipts(userId)[0].status).to.equal("pending");
			const data = setup.app.vault.getSession(userId)!.data as { purchases?: PurchaseLedger };
			expect(data.purchases!.refused![id]).to.equal(1);
			// The player earns coins elsewhere: the next delivery is granted, once.
			expect(serverWrite(world, userId, [coins(40)]).status).to.equal(201);
			world.runUntil(() => world.receipts(userId)[0].status === "granted", 60);
			expect(world.receipts(userId)[0].status).to.equal("granted");
			waitSettled(world, setup.app, userId);
			expect(apiCoins(world, userId)).to.equal(20);
			const state = service.getInventory(userId)!;
			expect(apiItems(world, userId)).to.equal(slotItems(state));
			expect(slotItems(state).split(" ").size()).to.equal(1);
			expect(data.purchases!.ids.includes(id)).to.equal(true);
			expect(data.purchases!.refused![id]).to.equal(undefined);
			// Delivered again (its answer lost): nothing more.
			const again = setup.app.server.run(() => purchases.process(receiptOf(userId, id, 779)));
			expect(again).to.equal(Enum.ProductPurchaseDecision.PurchaseGranted);
			waitSettled(world, setup.app, userId);
			expect(apiCoins(world, userId)).to.equal(20);
			expect(apiItems(world, userId).split(" ").size()).to.equal(1);
		});

		it("asks the API again for a purchase whose answer a crashed server never saw", () => {
			const userId = BASE + 23;
			const world = syncWorld(7623, { marketplace: { retryInterval: 1000 } });
			expect(serverWrite(world, userId, [coins(60)]).status).to.equal(201);
			const a = externalServer(world, { name: "a" });
			const b = externalServer(world, { name: "b" });
			bindShop(a);
			const shopB = bindShop(b);
			const deferred = new Array<string>();
			shopB.deferred.Connect((_userId, _receipt, refusal) => deferred.push(refusal.kind));
			joinServed(world, a.app.server, a.service, userId);
			// a's requests stop reaching the API, and another writer spends 30 of the 60 coins.
			world.failHttp({ kind: "connectFail", count: 1000, server: a.app.server });
			expect(serverWrite(world, userId, [coins(-30)]).status).to.equal(201);
			const id = world.purchase(userId, 779);
			world.advance(45);
			// a granted it, saved the id with the queued transaction, and never heard the API.
			const stored = storedData<{ purchases: PurchaseLedger }>(world, userId)!;
			expect(stored.purchases.ids.includes(id)).to.equal(true);
			expect(stored.purchases.unconfirmed!.includes(id)).to.equal(true);
			a.app.server.crash();
			// b replays the transaction at the join and the API refuses it (30 coins): the receipt
			// must not be answered PurchaseGranted for a grant the API never applied.
			joinServed(world, b.app.server, b.service, userId);
			world.advance(30);
			expect(world.receipts(userId)[0].status).to.equal("pending");
			expect(deferred.size() > 0).to.equal(true);
			expect(apiCoins(world, userId)).to.equal(30);
			expect(apiItems(world, userId)).to.equal("");
			expect(b.service.getInventory(userId)!.currencies.coins).to.equal(30);
		});

		it("applies a vault message's keyed grant once when the save marking it applied was lost", () => {
			const userId = BASE + 24;
			const world = syncWorld(7624);
			const a = externalServer(world, { name: "a" });
			const b = externalServer(world, { name: "b" });
			const handled = new Array<string>();
			for (const side of [a, b]) {
				side.app.server.run(() =>
					side.app.vault.onMessage("reward", (session, message) => {
						const result = side.service.transact(
							session.userId,
							[{ op: "adjustCurrency", currency: "coins", delta: 100 }],
							{ key: `message:${message.id}` },
						);
						handled.push(`${side.app.server.name}:${result.ok ? "ok" : result.error}`);
						// From here on a's saves fail: the mark that the message was applied is lost.
						if (side === a) a.app.server.services.DataStoreService.faults.failNext(1000, { operation: "UpdateAsync" });
						return result.ok;
					}),
				);
			}
			joinServed(world, a.app.server, a.service, userId);
			b.app.server.run(() => b.app.vault.postMessage(userId, { id: "bonus 7", kind: "reward", body: {} }).expect());
			world.runUntil(() => handled.size() > 0 && apiCoins(world, userId) === 100, 90);
			expect(handled.join(",")).to.equal("a:ok");
			expect(apiCoins(world, userId)).to.equal(100);
			a.app.server.crash();
			// b loads the profile as last saved, with the message still waiting, and applies it
			// again: the API answers its key from the stored response.
			joinServed(world, b.app.server, b.service, userId);
			world.runUntil(() => handled.size() > 1, 90);
			expect(handled.join(",")).to.equal("a:ok,b:ok");
			waitSettled(world, b.app, userId);
			world.advance(3);
			expect(apiCoins(world, userId)).to.equal(100);
			expect(b.service.getInventory(userId)!.currencies.coins).to.equal(100);
		});

		it("grants a purchase once when the API applied it but the profile holding its id was never saved", () => {
			const userId = BASE + 21;
			const world = syncWorld(7621, { marketplace: { retryInterval: 1000 } });
			const a = externalServer(world, { name: "a" });
			const b = externalServer(world, { name: "b" });
			bindShop(a);
			bindShop(b);
			joinServed(world, a.app.server, a.service, userId);
			// The DataStore refuses a's saves: the grant and its purchase id stay in a's memory,
			// while the sync client sends the grant to the API.
			a.app.server.services.DataStoreService.faults.failNext(1000, { operation: "UpdateAsync" });
			world.purchase(userId, 778);
			world.advance(5);
			expect(apiCoins(world, userId)).to.equal(100);
			expect(world.receipts(userId)[0].status).to.equal("pending");
			a.app.server.crash();
			// Roblox delivers the receipt to the player's next server, whose profile has no id.
			joinServed(world, b.app.server, b.service, userId);
			world.runUntil(() => world.receipts(userId)[0].status === "granted", 60);
			expect(world.receipts(userId)[0].status).to.equal("granted");
			waitSettled(world, b.app, userId);
			world.advance(2);
			expect(apiCoins(world, userId)).to.equal(100);
			expect(b.service.getInventory(userId)!.currencies.coins).to.equal(100);
		});
	});
};
