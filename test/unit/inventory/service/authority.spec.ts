import { makeError } from "../../../../src/core/errors";
import { checkInventory } from "../../../../src/inventory/invariants";
import { applyChange } from "../../../../src/inventory/operations/applyChange";
import type { InventoryChange } from "../../../../src/inventory/operations/change";
import { agreementOf, mirrorOps, resyncInventory } from "../../../../src/inventory/service/authorityDiff";
import { createInventoryService } from "../../../../src/inventory/service/createInventoryService";
import {
	canPut,
	canTake,
	holdForTrade,
	mintForTransfer,
	putFromTransfer,
	takeForTransfer,
} from "../../../../src/inventory/service/transfers";
import type { InventoryService } from "../../../../src/inventory/service/types";
import { createInventory } from "../../../../src/inventory/state/createInventory";
import type { InventoryState, ItemStack } from "../../../../src/inventory/state/types";
import type { SyncItem, SyncOp, SyncState } from "../../../../src/sync/types";
import { deepCopy, deepDiff } from "../support/deepDiff";
import { OWNER, catalog, stackAt } from "../support/fixtures";
import { Prng } from "../support/prng";
import { randomOperation } from "../support/randomOperation";
import { emptyAuthorityState, FakeAuthority } from "./support/fakeAuthority";
import { FakeSessions } from "./support/fakeSessions";

function item(id: string, def: string, count = 1, attrs: Record<string, unknown> = {}): SyncItem {
	return { id, def, count, attrs };
}

function authorityWith(items: Array<SyncItem>, coins = 0): SyncState {
	const state = emptyAuthorityState();
	for (const entry of items) state.items[entry.id] = entry;
	if (coins !== 0) state.currencies.coins = coins;
	return state;
}

function put(state: InventoryState, slot: number, stack: ItemStack): void {
	state.slots[slot] = stack;
}

/** Every slot stack as `id=def×count`, sorted: what the authority must hold too. */
function inventoryItems(state: InventoryState): Array<string> {
	const lines = new Array<string>();
	for (const stack of state.slots) if (stack !== false) lines.push(`${stack.id}=${stack.def}x${stack.count}`);
	lines.sort();
	return lines;
}

function authorityItems(state: SyncState): Array<string> {
	const lines = new Array<string>();
	for (const [id, entry] of pairs(state.items)) lines.push(`${id}=${entry.def}x${entry.count}`);
	lines.sort();
	return lines;
}

function kinds(ops: ReadonlyArray<SyncOp>): string {
	return ops.map((op) => op.op).join(",");
}

interface Linked {
	readonly authority: FakeAuthority;
	readonly sessions: FakeSessions;
	readonly service: InventoryService;
	readonly changes: Array<InventoryChange>;
}

/** The service over a fake authority holding `starts`, each player's session loaded. */
function linkedAll(starts: ReadonlyArray<[userId: number, start: SyncState]>, capacity = 6): Linked {
	const authority = new FakeAuthority();
	for (const [userId, start] of starts) authority.states.set(userId, start);
	const sessions = new FakeSessions();
	const service = createInventoryService({
		catalog,
		sessions,
		select: (data) => data.inventory,
		authority,
		policy: false,
	});
	const changes = new Array<InventoryChange>();
	service.changed.Connect((_player, change) => changes.push(deepCopy(change)));
	for (const [userId] of starts) sessions.load(userId, createInventory(0, capacity));
	return { authority, sessions, service, changes };
}

function linked(userId: number, start: SyncState, capacity = 6): Linked {
	return linkedAll([[userId, start]], capacity);
}

export = () => {
	describe("inventory external authority: resync", () => {
		it("places the authority's items in free slots in id order and takes its balances", () => {
			const state = createInventory(OWNER, 4);
			const { change, unplaced } = resyncInventory(
				catalog,
				state,
				authorityWith([item("b", "potion", 3), item("a", "sword")], 50),
			);
			expect(stackAt(state, 0).id).to.equal("a");
			expect(stackAt(state, 1).id).to.equal("b");
			expect(stackAt(state, 1).count).to.equal(3);
			expect(state.currencies.coins).to.equal(50);
			expect(unplaced.size()).to.equal(0);
			expect(change!.slots.size()).to.equal(2);
			expect(change!.currencies[0][1]).to.equal(50);
			expect(checkInventory(state, catalog).size()).to.equal(0);
		});

		it("keeps the layout: changed counts in place, gone stacks leave their slot and equip slot", () => {
			const state = createInventory(OWNER, 4);
			put(state, 0, { id: "p", def: "potion", count: 10 });
			put(state, 2, { id: "s", def: "sword", count: 1 });
			state.equipped.weapon = "s";
			const before = deepCopy(state);
			const { change } = resyncInventory(catalog, state, authorityWith([item("p", "potion", 4)]));
			expect(stackAt(state, 0).count).to.equal(4);
			expect(state.slots[2]).to.equal(false);
			expect(state.equipped.weapon).to.equal(undefined);
			expect(change!.destroyed[0]).to.equal("s");
			expect(change!.equipped[0][0]).to.equal("weapon");
			expect(change!.equipped[0][1]).to.equal(false);
			// The change brings a replica of the old state to the new one.
			applyChange(before, change!);
			expect(deepDiff(before, state)).to.equal(undefined);
		});

		it("leaves out what no slot can show and reports it, changing nothing at the authority", () => {
			const state = createInventory(OWNER, 2);
			const authority = authorityWith([
				item("u", "dragon"),
				item("o", "potion", 25),
				item("x", "shield"),
				item("y", "shield"),
				item("z", "shield"),
			]);
			const kept = deepCopy(authority);
			const { unplaced } = resyncInventory(catalog, state, authority);
			const ids = unplaced.map((entry) => entry.id);
			ids.sort();
			expect(ids.join(",")).to.equal("o,u,z");
			expect(stackAt(state, 0).id).to.equal("x");
			expect(stackAt(state, 1).id).to.equal("y");
			expect(deepDiff(authority, kept)).to.equal(undefined);
			expect(checkInventory(state, catalog).size()).to.equal(0);
		});

		it("never mints again an id of its own series that the authority holds", () => {
			const state = createInventory(OWNER, 3);
			const { change } = resyncInventory(catalog, state, authorityWith([item(`${OWNER}-7`, "sword")]));
			expect(state.nextSerial).to.equal(8);
			expect(change!.nextSerial).to.equal(8);
			expect(checkInventory(state, catalog).size()).to.equal(0);
		});

		it("shows plain attributes only, and no attrs table when none are plain", () => {
			const state = createInventory(OWNER, 3);
			resyncInventory(
				catalog,
				state,
				authorityWith([
					item("a", "sword", 1, { level: 3, nested: { x: 1 } }),
					item("b", "shield", 1, { deep: {} }),
				]),
			);
			expect(stackAt(state, 0).attrs!.level).to.equal(3);
			expect((stackAt(state, 0).attrs as Record<string, unknown>).nested).to.equal(undefined);
			expect(stackAt(state, 1).attrs).to.equal(undefined);
			expect(checkInventory(state, catalog).size()).to.equal(0);
		});

		it("returns no change when both hold the same", () => {
			const state = createInventory(OWNER, 3);
			const authority = authorityWith([item("a", "potion", 2)], 5);
			resyncInventory(catalog, state, authority);
			const again = resyncInventory(catalog, state, authority);
			expect(again.change).to.equal(undefined);
		});
	});

	describe("inventory external authority: mirror", () => {
		function agreedPair(items: Array<SyncItem>, coins = 0) {
			const state = createInventory(OWNER, 4);
			const authority = authorityWith(items, coins);
			resyncInventory(catalog, state, authority);
			return { state, authority, agreed: agreementOf(catalog, state) };
		}

		it("grants new stacks and adds the currency delta", () => {
			const { state, authority, agreed } = agreedPair([], 10);
			put(state, 1, { id: `${OWNER}-1`, def: "potion", count: 4 });
			state.currencies.coins = 25;
			const ops = mirrorOps(catalog, state, authority, agreed)!;
			expect(kinds(ops)).to.equal("item.grant,currency.add");
			const grant = ops[0] as Extract<SyncOp, { op: "item.grant" }>;
			expect(grant.item.id).to.equal(`${OWNER}-1`);
			expect(grant.item.count).to.equal(4);
			expect((ops[1] as Extract<SyncOp, { op: "currency.add" }>).amount).to.equal(15);
		});

		it("removes what left the slots and what a stack lost", () => {
			const { state, authority, agreed } = agreedPair([item("a", "potion", 10), item("b", "sword")]);
			state.slots[0] = { id: "a", def: "potion", count: 7 };
			state.slots[1] = false;
			const ops = mirrorOps(catalog, state, authority, agreed)!;
			const text = ops.map((op) => (op.op === "item.remove" ? `${op.id}-${op.count}` : op.op));
			text.sort();
			expect(text.join(",")).to.equal("a-3,b-1");
		});

		it("removes a grown stack at its agreed count and grants it again, keeping the API's attributes", () => {
			const { state, authority, agreed } = agreedPair([item("a", "potion", 5, { crafted: { by: 1 } })]);
			state.slots[0] = { id: "a", def: "potion", count: 9 };
			const ops = mirrorOps(catalog, state, authority, agreed)!;
			expect(kinds(ops)).to.equal("item.remove,item.grant");
			expect((ops[0] as Extract<SyncOp, { op: "item.remove" }>).count).to.equal(5);
			const grant = ops[1] as Extract<SyncOp, { op: "item.grant" }>;
			expect(grant.item.count).to.equal(9);
			expect((grant.item.attrs.crafted as { by: number }).by).to.equal(1);
		});

		it("has nothing to queue for a change of layout", () => {
			const { state, authority, agreed } = agreedPair([item("a", "sword"), item("b", "shield")]);
			const first = state.slots[0];
			state.slots[0] = state.slots[3];
			state.slots[3] = first;
			state.equipped.weapon = "a";
			expect(mirrorOps(catalog, state, authority, agreed)!.size()).to.equal(0);
		});

		it("leaves alone what the authority gained meanwhile (items and coins)", () => {
			const { state, authority, agreed } = agreedPair([item("a", "sword")], 10);
			authority.items.gift = item("gift", "shield");
			authority.currencies.coins = 110;
			state.currencies.coins = 7;
			const ops = mirrorOps(catalog, state, authority, agreed)!;
			expect(kinds(ops)).to.equal("currency.add");
			expect((ops[0] as Extract<SyncOp, { op: "currency.add" }>).amount).to.equal(-3);
		});

		it("refuses to write when the two disagree about something it did not change", () => {
			const lost = agreedPair([item("a", "sword")]);
			delete lost.authority.items.a;
			expect(mirrorOps(catalog, lost.state, lost.authority, lost.agreed)).to.equal(undefined);
			const unknown = agreedPair([]);
			unknown.authority.items.c = item("c", "shield");
			put(unknown.state, 0, { id: "c", def: "shield", count: 1 });
			expect(mirrorOps(catalog, unknown.state, unknown.authority, unknown.agreed)).to.equal(undefined);
		});
	});

	describe("inventory external authority: service", () => {
		it("brings the stored inventory up to the authority before serving", () => {
			const setup = linked(11, authorityWith([item("11-3", "potion", 6)], 40));
			const state = setup.service.getInventory(11)!;
			expect(stackAt(state, 0).id).to.equal("11-3");
			expect(state.currencies.coins).to.equal(40);
			expect(state.nextSerial).to.equal(4);
			// The first grant mints past the id it was given.
			const granted = setup.service.grant(11, "sword");
			assert(granted.ok);
			expect(granted.value.minted[0]).to.equal("11-4");
		});

		it("keeps the authority holding what the slots hold over 1000 random operations", () => {
			const userId = 12;
			const setup = linked(userId, authorityWith([item("seed", "arrow", 50)], 100), 8);
			const service = setup.service;
			const authority = setup.authority.states.get(userId)!;
			const replica = deepCopy(service.getInventory(userId)!);
			service.changed.Connect((_player, change) => applyChange(replica, deepCopy(change)));
			const rng = new Prng(77);
			const defs = ["sword", "potion", "arrow", "gem", "ring"];
			let queued = 0;
			for (let step = 0; step < 1000; step++) {
				// Drops and pickups move items between players: this mode refuses them.
				const applied = randomOperation(service, rng, userId, { defs, equipSlots: ["weapon"], drops: false });
				if (applied) queued = setup.authority.queued.size();
				const after = service.getInventory(userId)!;
				const mine = inventoryItems(after).join(" ");
				const theirs = authorityItems(authority).join(" ");
				if (mine !== theirs) throw `step ${step}: slots hold ${mine}, the authority ${theirs}`;
				expect(after.currencies.coins ?? 0).to.equal(authority.currencies.coins ?? 0);
				const problems = checkInventory(after, catalog);
				if (problems.size() > 0) throw `step ${step}: ${problems[0]}`;
			}
			expect(queued > 100).to.equal(true);
			for (const entry of setup.authority.queued) expect(entry.reason).to.equal("inventory");
			expect(deepDiff(replica, service.getInventory(userId))).to.equal(undefined);
		});

		it("follows the other writer: gone stacks leave, counts change in place, new items arrive", () => {
			const userId = 13;
			const setup = linked(userId, authorityWith([item("s", "sword"), item("p", "potion", 9)], 30));
			const service = setup.service;
			// Placed in id order: the potion in slot 0, the sword in slot 1.
			assert(service.equip(userId, 1, "s", "weapon").ok);
			const replica = service.getInventory(userId)!;
			setup.changes.clear();
			setup.authority.external(userId, [
				{ op: "item.remove", id: "s", count: 1 },
				{ op: "item.remove", id: "p", count: 4 },
				{ op: "item.grant", item: item("gift", "shield") },
				{ op: "currency.add", currency: "coins", amount: -30 },
			]);
			const state = service.getInventory(userId)!;
			expect(state.equipped.weapon).to.equal(undefined);
			expect(stackAt(state, 0).count).to.equal(5);
			// The gift takes the first free slot: the one the sword left.
			expect(stackAt(state, 1).id).to.equal("gift");
			expect(state.currencies.coins).to.equal(0);
			expect(setup.changes.size()).to.equal(1);
			applyChange(replica, setup.changes[0]);
			expect(deepDiff(replica, state)).to.equal(undefined);
			// Nothing was written back: the other writer's change is the authority's own.
			expect(setup.authority.queued.size()).to.equal(0);
		});

		it("answers authority_refused and shows the authority's state when a change is refused", () => {
			const userId = 14;
			const setup = linked(userId, authorityWith([item("p", "potion", 5)], 10));
			const service = setup.service;
			const before = service.getInventory(userId)!;
			setup.authority.refuse = "item_exists";
			setup.changes.clear();
			const granted = service.grant(userId, "sword");
			expect(granted.ok).to.equal(false);
			expect(!granted.ok && granted.error).to.equal("authority_refused");
			const merged = service.adjustCurrency(userId, "coins", 5);
			expect(!merged.ok && merged.error).to.equal("authority_refused");
			expect(deepDiff(service.getInventory(userId), { ...before, nextSerial: 2 })).to.equal(undefined);
			// The refused grant was never replicated; its revert was.
			for (const change of setup.changes) expect(change.minted.size()).to.equal(0);
		});

		it("leaves the layout as it was when a change that empties a slot is refused, and the owner's replica follows", () => {
			const userId = 21;
			const setup = linked(userId, authorityWith([item("a", "bomb", 3), item("b", "potion", 2)]));
			const service = setup.service;
			expect(service.move(userId, 0, "a", 3).ok).to.equal(true);
			expect(service.equip(userId, 3, "a", "throwable").ok).to.equal(true);
			const before = service.getInventory(userId)!;
			const replica = deepCopy(before);
			service.changed.Connect((_player, change) => applyChange(replica, deepCopy(change)));
			// The stack is held for a waiting trade: using it all up is refused.
			expect(holdForTrade(service, userId, "trade-1", ["a"], {})).to.equal(true);
			const consumed = service.consume(userId, 3, "a", 3);
			expect(!consumed.ok && consumed.error).to.equal("authority_refused");
			// So is a split the authority refuses: nothing moved, nothing unequipped.
			setup.authority.refuse = "item_not_owned";
			const split = service.split(userId, 1, "b", 1, 4);
			expect(!split.ok && split.error).to.equal("authority_refused");
			const after = service.getInventory(userId)!;
			expect(deepDiff(after, { ...before, nextSerial: after.nextSerial })).to.equal(undefined);
			expect(after.equipped.throwable).to.equal("a");
			// (Only the serial moved on: a refused split's id is never minted again.)
			expect(deepDiff(replica, { ...after, nextSerial: replica.nextSerial })).to.equal(undefined);
		});

		it("refuses drops and pickups, which move items between players, without changing anything", () => {
			const userId = 15;
			const setup = linked(userId, authorityWith([item("p", "potion", 5)]));
			const before = setup.service.getInventory(userId)!;
			const dropped = setup.service.drop(userId, 0, "p", 2);
			expect(!dropped.ok && dropped.error).to.equal("authority_refused");
			const picked = setup.service.pickUp(userId, "drop-1");
			expect(!picked.ok && picked.error).to.equal("authority_refused");
			expect(deepDiff(setup.service.getInventory(userId), before)).to.equal(undefined);
			expect(setup.authority.queued.size()).to.equal(0);
		});

		it("queues a transaction as one authority transaction, and takes all of it back when refused", () => {
			const userId = 16;
			const setup = linked(userId, authorityWith([item("p", "potion", 5)], 50));
			const service = setup.service;
			const bought = service.transact(userId, [
				{ op: "adjustCurrency", currency: "coins", delta: -20 },
				{ op: "grant", def: "sword" },
				{ op: "consume", slot: 0, id: "p", count: 2 },
			]);
			expect(bought.ok).to.equal(true);
			expect(setup.authority.queued.size()).to.equal(1);
			const queuedKinds = setup.authority.queued[0].ops.map((op) => op.op);
			queuedKinds.sort();
			expect(queuedKinds.join(",")).to.equal("currency.add,item.grant,item.remove");
			expect(
				deepDiff(
					inventoryItems(service.getInventory(userId)!),
					authorityItems(setup.authority.getState(userId)!),
				),
			).to.equal(undefined);

			// The other writer spent the coins meanwhile: the API refuses the whole transaction.
			setup.authority.states.get(userId)!.currencies.coins = 10;
			const before = service.getInventory(userId)!;
			const items = inventoryItems(before);
			const refused = service.transact(userId, [
				{ op: "grant", def: "ring" },
				{ op: "adjustCurrency", currency: "coins", delta: -25 },
			]);
			expect(!refused.ok && refused.error).to.equal("authority_refused");
			expect(setup.authority.queued.size()).to.equal(1);
			expect(deepDiff(inventoryItems(service.getInventory(userId)!), items)).to.equal(undefined);
			expect(service.getInventory(userId)!.currencies.coins).to.equal(10);
		});

		it("queues a keyed transaction under its key, and refuses it while that key is queued", () => {
			const userId = 17;
			const setup = linked(userId, authorityWith([], 0));
			const service = setup.service;
			const steps = [{ op: "adjustCurrency" as const, currency: "coins", delta: 100 }];
			expect(service.transact(userId, steps, { key: "purchase:abc" }).ok).to.equal(true);
			expect(setup.authority.queued.size()).to.equal(1);
			expect(setup.authority.queued[0].key).to.equal("purchase:abc");
			// Asked for again before the authority answered: neither it nor the slots apply it twice.
			const again = service.transact(userId, steps, { key: "purchase:abc" });
			expect(!again.ok && again.error).to.equal("authority_refused");
			expect(setup.authority.queued.size()).to.equal(1);
			expect(service.getInventory(userId)!.currencies.coins).to.equal(100);
			expect(setup.authority.getState(userId)!.currencies.coins).to.equal(100);
			// Another key is another transaction.
			expect(service.transact(userId, steps, { key: "purchase:def" }).ok).to.equal(true);
			expect(service.getInventory(userId)!.currencies.coins).to.equal(200);
		});

		it("waits for the authority's answer to a keyed transaction", () => {
			const userId = 18;
			const setup = linked(userId, authorityWith([], 0));
			const service = setup.service;
			const steps = [{ op: "adjustCurrency" as const, currency: "coins", delta: 5 }];
			setup.authority.answers.set(
				"refused:1",
				makeError("ApiRejected", "refused", { operation: "batch", status: 409, code: "insufficient_funds" }),
			);
			expect(service.transact(userId, steps, { key: "fine 1" }).ok).to.equal(true);
			expect(service.transact(userId, steps, { key: "refused:1" }).ok).to.equal(true);
			// The key is escaped the same way on both calls.
			expect(service.awaitTransaction(userId, "fine 1").await()[0]).to.equal(true);
			const [waited, failure] = service.awaitTransaction(userId, "refused:1").await();
			expect(waited).to.equal(false);
			expect((failure as { kind: string }).kind).to.equal("ApiRejected");
			// Nothing queued under a key, or no session: nothing to wait for.
			expect(service.awaitTransaction(userId, "never sent").await()[0]).to.equal(true);
			expect(service.awaitTransaction(99, "refused:1").await()[0]).to.equal(true);
		});

		it("mints part ids in the giver's series and shows an authority transfer in both inventories", () => {
			const [giver, taker] = [20, 21];
			const { authority, service } = linkedAll(
				[
					[giver, authorityWith([item("s", "sword"), item("p", "potion", 5)], 10)],
					[taker, emptyAuthorityState()],
				],
				4,
			);
			const serial = service.getInventory(giver)!.nextSerial;
			const minted = mintForTransfer(service, giver, 1)!;
			expect(minted.join(",")).to.equal(`${giver}-${serial}`);
			expect(service.getInventory(giver)!.nextSerial).to.equal(serial + 1);
			// Minting changes no item: nothing is queued with the authority.
			expect(authority.queued.size()).to.equal(0);
			expect(mintForTransfer(service, 99, 1)).to.equal(undefined);

			const legs = [
				{
					from: giver,
					to: taker,
					items: [{ id: "s" }, { id: "p", count: 2, newId: minted[0] }],
					currencies: { coins: 4 },
				},
			];
			const versions = authority.transfer(legs, { key: "t-1" }).expect();
			expect(versions.get(giver)).to.equal(1);
			expect(versions.get(taker)).to.equal(1);
			const mine = service.getInventory(giver)!;
			const theirs = service.getInventory(taker)!;
			expect(inventoryItems(mine).join(",")).to.equal("p=potionx3");
			expect(mine.currencies.coins).to.equal(6);
			expect(inventoryItems(theirs).join(",")).to.equal(`${minted[0]}=potionx2,s=swordx1`);
			expect(theirs.currencies.coins).to.equal(4);
			expect(inventoryItems(mine).join(",")).to.equal(authorityItems(authority.states.get(giver)!).join(","));
			expect(inventoryItems(theirs).join(",")).to.equal(authorityItems(authority.states.get(taker)!).join(","));
			expect(checkInventory(mine, catalog).size()).to.equal(0);
			expect(checkInventory(theirs, catalog).size()).to.equal(0);

			// The same key again moves nothing; a leg of what the giver lacks is refused whole.
			expect(authority.transfer(legs, { key: "t-1" }).expect().get(giver)).to.equal(1);
			const [sent, failure] = authority
				.transfer([
					{ from: taker, to: giver, currencies: { coins: 1 } },
					{ from: giver, to: taker, items: [{ id: "s" }] },
				])
				.await();
			expect(sent).to.equal(false);
			expect((failure as { details: { code: string } }).details.code).to.equal("item_not_owned");
			expect(deepDiff(service.getInventory(giver), mine)).to.equal(undefined);
			expect(deepDiff(service.getInventory(taker), theirs)).to.equal(undefined);
		});

		it("refuses the escrow's take and put, which move items between players outside the authority", () => {
			const userId = 18;
			const setup = linked(userId, authorityWith([item("p", "potion", 5)], 10));
			const before = setup.service.getInventory(userId)!;
			const claims = [{ id: "p", count: 1 }];
			expect(canTake(setup.service, userId, claims, {})).to.equal("authority_refused");
			const taken = takeForTransfer(setup.service, userId, claims, { coins: 1 });
			expect(!taken.ok && taken.error).to.equal("authority_refused");
			const bundle = { stacks: [{ id: "gift", def: "shield", count: 1 }], currency: {} };
			expect(canPut(setup.service, userId, bundle)).to.equal("authority_refused");
			const put = putFromTransfer(setup.service, userId, bundle);
			expect(!put.ok && put.error).to.equal("authority_refused");
			expect(deepDiff(setup.service.getInventory(userId), before)).to.equal(undefined);
			expect(setup.authority.queued.size()).to.equal(0);
		});

		it("stops serving a player the authority stopped serving", () => {
			const userId = 19;
			const setup = linked(userId, authorityWith([item("p", "potion", 5)]));
			setup.authority.states.delete(userId);
			const granted = setup.service.grant(userId, "sword");
			expect(!granted.ok && granted.error).to.equal("authority_refused");
			expect(setup.service.isReady(userId)).to.equal(false);
			const moved = setup.service.move(userId, 0, "p", 1);
			expect(!moved.ok && moved.error).to.equal("no_session");
		});

		it("does not serve a player the authority has no state for", () => {
			const authority = new FakeAuthority();
			const sessions = new FakeSessions();
			const service = createInventoryService({ catalog, sessions, select: (data) => data.inventory, authority });
			const problems = new Array<string>();
			service.invalid.Connect((_player, found) => {
				for (const problem of found) problems.push(problem);
			});
			sessions.load(16, createInventory(0, 4));
			expect(service.isReady(16)).to.equal(false);
			expect(problems.size()).to.equal(1);
		});

		it("reports unplaced items when the set changes, and places them once a slot frees up", () => {
			const userId = 17;
			const authority = new FakeAuthority();
			authority.states.set(userId, authorityWith([item("a", "sword"), item("b", "shield"), item("c", "dragon")]));
			const sessions = new FakeSessions();
			const service = createInventoryService({ catalog, sessions, select: (data) => data.inventory, authority });
			const reports = new Array<string>();
			service.unplaced.Connect((_player, items) => reports.push(items.map((entry) => entry.id).join(",")));
			sessions.load(userId, createInventory(0, 1));
			expect(reports.join(" ")).to.equal("c,b");
			// The same set again: no new report.
			authority.external(userId, [{ op: "currency.add", currency: "coins", amount: 1 }]);
			expect(reports.size()).to.equal(1);
			// The sword leaves at the API; the shield takes its slot.
			authority.external(userId, [{ op: "item.remove", id: "a", count: 1 }]);
			expect(stackAt(service.getInventory(userId)!, 0).id).to.equal("b");
			expect(reports.join(" ")).to.equal("c,b c");
		});
	});
};
