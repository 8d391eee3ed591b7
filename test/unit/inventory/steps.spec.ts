import {
	InventoryChange,
	InventoryResult,
	InventoryState,
	InventoryStep,
	MAX_STEPS,
	RejectReason,
	StepsResult,
	addItem,
	adjustCurrency,
	applyChange,
	applySteps,
	checkInventory,
	cloneInventory,
	consumeItem,
	createInventory,
	equipItem,
	mergeStacks,
	moveItem,
	removeItem,
	splitStack,
	unequipItem,
} from "../../../src/inventory";
import { deepCopy, deepDiff } from "./support/deepDiff";
import { OWNER, catalog, expectOk } from "./support/fixtures";
import { Prng } from "./support/prng";
import { idAt, occupiedSlots } from "./support/randomOperation";

// Transactions: several operations that apply together or not at all.

/** slot 0: sword 101-1 (equipped), slot 1: 20 potions 101-2 (full), slot 2: 4 potions 101-3; 100 coins. */
function shop(capacity = 5): InventoryState {
	const state = createInventory(OWNER, capacity);
	expectOk(addItem(catalog, state, "sword", 1));
	expectOk(addItem(catalog, state, "potion", 24));
	expectOk(equipItem(catalog, state, 0, `${OWNER}-1`, "weapon"));
	expectOk(adjustCurrency(catalog, state, "coins", 100));
	return state;
}

function expectSteps(state: InventoryState, steps: ReadonlyArray<InventoryStep>): InventoryChange {
	const result = applySteps(catalog, state, steps);
	if (!result.ok) throw `expected success, got ${result.error} at step ${result.step}`;
	return result.value;
}

/** A transaction that must be refused with `reason` at `step`, changing nothing. */
function expectRefused(state: InventoryState, steps: unknown, reason: RejectReason, step: number) {
	const before = cloneInventory(state);
	const result = applySteps(catalog, state, steps as ReadonlyArray<InventoryStep>);
	if (result.ok) throw `expected ${reason}, but the transaction succeeded`;
	if (result.error !== reason || result.step !== step) {
		throw `expected ${reason} at step ${step}, got ${result.error} at step ${result.step}`;
	}
	const difference = deepDiff(state, before);
	if (difference !== undefined) throw `a refused transaction changed the state: ${difference}`;
}

/** Replays `change` on `before` as the owner's client would, and compares with `after`. */
function expectReplays(before: InventoryState, change: InventoryChange, after: InventoryState) {
	const replica = cloneInventory(before);
	applyChange(replica, deepCopy(change));
	const difference = deepDiff(replica, after);
	if (difference !== undefined) throw `the change does not replay: ${difference}`;
}

/** One random step, mostly plausible for `state`, sometimes not. */
function randomStep(rng: Prng, state: InventoryState): InventoryStep {
	const occupied = occupiedSlots(state);
	const slot = occupied.size() > 0 && rng.chance(0.85) ? rng.pick(occupied) : rng.int(0, state.capacity);
	const id = idAt(state, slot);
	const other = rng.int(0, state.capacity - 1);
	switch (rng.int(0, 8)) {
		case 0:
			return { op: "grant", def: rng.pick(["potion", "sword", "arrow", "ring"]), count: rng.int(1, 10) };
		case 1:
			return { op: "take", id, count: rng.int(1, 2) };
		case 2:
			return { op: "consume", slot, id, count: 1 };
		case 3:
			return { op: "equip", slot, id, equipSlot: rng.pick(["weapon", "ammo", "ring1"]) };
		case 4:
			return { op: "unequip", equipSlot: rng.pick(["weapon", "ammo", "ring1"]) };
		case 5:
			return { op: "move", from: slot, id, to: other };
		case 6:
			return { op: "split", from: slot, id, count: rng.int(1, 3), to: other };
		case 7:
			return { op: "merge", from: slot, id, to: other, toId: idAt(state, other) };
		default:
			return { op: "adjustCurrency", currency: "coins", delta: rng.int(-20, 60) };
	}
}

export = () => {
	describe("inventory transactions (applySteps)", () => {
		it("sells an item for coins as one change", () => {
			const state = shop(4);
			const before = cloneInventory(state);
			const change = expectSteps(state, [
				{ op: "adjustCurrency", currency: "coins", delta: -60 },
				{ op: "grant", def: "ring" },
			]);
			expect(state.currencies.coins).to.equal(40);
			expect(state.slots[3]).to.be.ok();
			const ring = state.slots[3] as { id: string; def: string };
			expect(ring.def).to.equal("ring");
			expect(deepDiff(change.currencies, [["coins", 40]])).never.to.be.ok();
			expect(deepDiff(change.slots, [[3, ring]])).never.to.be.ok();
			expect(deepDiff(change.minted, [ring.id])).never.to.be.ok();
			expect(change.nextSerial).to.equal(state.nextSerial);
			expect(checkInventory(state, catalog).size()).to.equal(0);
			expectReplays(before, change, state);
		});

		it("keeps the coins when the item does not fit, and names the step", () => {
			const state = shop(3); // every slot taken
			expectRefused(
				state,
				[
					{ op: "adjustCurrency", currency: "coins", delta: -60 },
					{ op: "grant", def: "ring" },
				],
				"inventory_full",
				1,
			);
			expect(state.currencies.coins).to.equal(100);
		});

		it("refuses at the first step that fails, whatever comes after", () => {
			const state = shop();
			expectRefused(
				state,
				[
					{ op: "take", id: `${OWNER}-2`, count: 5 },
					{ op: "adjustCurrency", currency: "coins", delta: -101 },
					{ op: "grant", def: "dragon" },
				],
				"insufficient_funds",
				1,
			);
		});

		it("lets each step see what the steps before it did", () => {
			const state = shop();
			const before = cloneInventory(state);
			// Unequip, move the sword to slot 4, equip it from there, spend twice.
			const change = expectSteps(state, [
				{ op: "unequip", equipSlot: "weapon" },
				{ op: "move", from: 0, id: `${OWNER}-1`, to: 4 },
				{ op: "equip", slot: 4, id: `${OWNER}-1`, equipSlot: "weapon" },
				{ op: "adjustCurrency", currency: "coins", delta: -30 },
				{ op: "adjustCurrency", currency: "coins", delta: -30 },
			]);
			expect(state.equipped.weapon).to.equal(`${OWNER}-1`);
			expect(state.slots[0]).to.equal(false);
			expect(state.currencies.coins).to.equal(40);
			// One entry per touched slot, equip slot and currency: the last value.
			expect(change.slots.size()).to.equal(2);
			expect(deepDiff(change.equipped, [["weapon", `${OWNER}-1`]])).never.to.be.ok();
			expect(deepDiff(change.currencies, [["coins", 40]])).never.to.be.ok();
			expectReplays(before, change, state);
		});

		it("reports neither minted nor destroyed for an id that lived only inside the transaction", () => {
			const state = shop();
			const before = cloneInventory(state);
			// Split 4 off the 20 into slot 3 (a new id), merge them into the 4 of 101-3, drink 2: 6 left.
			const split = `${OWNER}-${state.nextSerial}`;
			const change = expectSteps(state, [
				{ op: "split", from: 1, id: `${OWNER}-2`, count: 4, to: 3 },
				{ op: "merge", from: 3, id: split, to: 2, toId: `${OWNER}-3` },
				{ op: "consume", slot: 2, id: `${OWNER}-3`, count: 2 },
			]);
			expect(change.minted.size()).to.equal(0);
			expect(change.destroyed.size()).to.equal(0);
			expect((state.slots[2] as { count: number }).count).to.equal(6);
			expect(state.slots[3]).to.equal(false);
			expect(change.events.size()).to.equal(1);
			expect(change.events[0].kind).to.equal("consumed");
			expect(change.nextSerial).to.equal(state.nextSerial);
			expectReplays(before, change, state);
		});

		it("does what each operation does, step by step", () => {
			const cases: Array<[InventoryStep, (state: InventoryState) => InventoryResult]> = [
				[{ op: "grant", def: "potion", count: 3 }, (s) => addItem(catalog, s, "potion", 3)],
				[{ op: "grant", def: "sword" }, (s) => addItem(catalog, s, "sword", 1)],
				[{ op: "take", id: `${OWNER}-3`, count: 2 }, (s) => removeItem(s, `${OWNER}-3`, 2)],
				[{ op: "take", id: `${OWNER}-3` }, (s) => removeItem(s, `${OWNER}-3`, 1)],
				[{ op: "consume", slot: 2, id: `${OWNER}-3` }, (s) => consumeItem(catalog, s, 2, `${OWNER}-3`, 1)],
				[
					{ op: "unequip", equipSlot: "weapon", id: `${OWNER}-1` },
					(s) => unequipItem(s, "weapon", `${OWNER}-1`),
				],
				[{ op: "move", from: 2, id: `${OWNER}-3`, to: 4 }, (s) => moveItem(s, 2, `${OWNER}-3`, 4)],
				[
					{ op: "split", from: 1, id: `${OWNER}-2`, count: 2, to: 4 },
					(s) => splitStack(catalog, s, 1, `${OWNER}-2`, 2, 4),
				],
				[
					{ op: "merge", from: 1, id: `${OWNER}-2`, to: 2, toId: `${OWNER}-3` },
					(s) => mergeStacks(catalog, s, 1, `${OWNER}-2`, 2, `${OWNER}-3`),
				],
				[{ op: "adjustCurrency", currency: "gems", delta: 7 }, (s) => adjustCurrency(catalog, s, "gems", 7)],
			];
			for (const [step, direct] of cases) {
				const viaStep = shop();
				const viaCall = shop();
				const stepped = applySteps(catalog, viaStep, [step]);
				const called = direct(viaCall);
				expect(stepped.ok).to.equal(true);
				expect(called.ok).to.equal(true);
				expect(deepDiff(viaStep, viaCall)).never.to.be.ok();
			}
			const viaStep = shop();
			expectOk(unequipItem(viaStep, "weapon"));
			const viaCall = cloneInventory(viaStep);
			expectSteps(viaStep, [{ op: "equip", slot: 0, id: `${OWNER}-1`, equipSlot: "weapon" }]);
			expectOk(equipItem(catalog, viaCall, 0, `${OWNER}-1`, "weapon"));
			expect(deepDiff(viaStep, viaCall)).never.to.be.ok();
		});

		it("refuses what is not a list of steps, changing nothing", () => {
			const state = shop();
			const coins = { op: "adjustCurrency", currency: "coins", delta: -1 };
			expectRefused(state, undefined, "invalid_step", 0);
			expectRefused(state, "grant sword", "invalid_step", 0);
			expectRefused(state, { op: "grant", def: "sword" }, "invalid_step", 0);
			expectRefused(state, { [1]: coins, extra: true }, "invalid_step", 0);
			expectRefused(state, setmetatable([coins], {}), "invalid_step", 0);
			const tooMany = new Array<object>();
			for (let i = 0; i <= MAX_STEPS; i++) tooMany.push(coins);
			expectRefused(state, tooMany, "invalid_step", 0);
			expectRefused(state, [coins, 5], "invalid_step", 1);
			expectRefused(state, [coins, { op: "drop", slot: 0, id: `${OWNER}-1` }], "invalid_step", 1);
			expectRefused(state, [coins, { op: "pickUp", token: "drop-1" }], "invalid_step", 1);
			expectRefused(state, [coins, {}], "invalid_step", 1);
			// Tables with metatables are refused before anything reads them.
			const trap = setmetatable(
				{},
				{
					__index: () => error("read a trap"),
					__len: () => error("measured a trap"),
				},
			);
			expectRefused(state, trap, "invalid_step", 0);
			expectRefused(state, [coins, trap], "invalid_step", 1);
			// A step's arguments are checked by its operation.
			expectRefused(state, [coins, { op: "move", from: 0 / 0, id: `${OWNER}-1`, to: 1 }], "invalid_slot", 1);
			expectRefused(state, [coins, { op: "grant", def: "potion", count: -2 }], "invalid_count", 1);
			expectRefused(state, [coins, { op: "adjustCurrency", currency: "coins", delta: 0.5 }], "invalid_amount", 1);
			expectRefused(state, [{ op: "consume", slot: 1, id: `${OWNER}-3` }], "item_mismatch", 0);
		});

		it("changes nothing and records nothing for no steps", () => {
			const state = shop();
			const before = cloneInventory(state);
			const change = expectSteps(state, []);
			expect(change.slots.size() + change.equipped.size() + change.currencies.size()).to.equal(0);
			expect(deepDiff(state, before)).never.to.be.ok();
		});

		it("applies random transactions all or nothing, as the same steps applied one by one would", () => {
			let applied = 0;
			let refused = 0;
			for (const seed of [3, 17, 99, 2024]) {
				const rng = new Prng(seed);
				const state = createInventory(OWNER, 8);
				for (let round = 0; round < 400; round++) {
					const steps = new Array<InventoryStep>();
					// Steps are drawn against a scratch copy advanced by the plausible ones, so later
					// steps often name what earlier ones made.
					const scratch = cloneInventory(state);
					for (let i = rng.int(1, 4); i > 0; i--) {
						const step = randomStep(rng, scratch);
						steps.push(step);
						applySteps(catalog, scratch, [step]);
					}
					// The reference: each step alone, stopping at the first refusal.
					const reference = cloneInventory(state);
					let failedAt = -1;
					let failure: StepsResult | undefined;
					for (let i = 0; i < steps.size(); i++) {
						const result = applySteps(catalog, reference, [steps[i]]);
						if (!result.ok) {
							failedAt = i;
							failure = result;
							break;
						}
					}
					const before = cloneInventory(state);
					const result = applySteps(catalog, state, steps);
					if (failedAt >= 0) {
						expect(result.ok).to.equal(false);
						if (!result.ok && failure !== undefined && !failure.ok) {
							expect(result.step).to.equal(failedAt);
							expect(result.error).to.equal(failure.error);
						}
						expect(deepDiff(state, before)).never.to.be.ok();
						refused += 1;
					} else {
						expect(result.ok).to.equal(true);
						expect(deepDiff(state, reference)).never.to.be.ok();
						if (result.ok) expectReplays(before, result.value, state);
						applied += 1;
					}
					expect(checkInventory(state, catalog).size()).to.equal(0);
				}
			}
			// Both outcomes were exercised in earnest.
			expect(applied > 150).to.equal(true);
			expect(refused > 150).to.equal(true);
		});
	});
};
