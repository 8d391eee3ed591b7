import {
	DropRegistry,
	InventoryChange,
	InventoryResult,
	InventoryState,
	ItemStack,
	addItem,
	adjustCurrency,
	applyChange,
	checkInventory,
	cloneInventory,
	consumeItem,
	createInventory,
	dropItem,
	equipItem,
	mergeStacks,
	moveItem,
	pickUpDrop,
	removeItem,
	splitStack,
	unequipItem,
} from "../../../src/inventory";
import { catalog, makeDrops } from "./support/fixtures";
import { deepCopy, deepDiff } from "./support/deepDiff";
import { Prng } from "./support/prng";

// Thousands of random operations, valid and adversarial, by two players sharing one world. After
// every operation: the invariants hold, a rejection changed nothing, item totals and balances
// match a model tracked independently, no id is in two places, and no id is ever minted twice.
// At the end, replaying each player's changes (copied as a RemoteEvent would) onto a copy of
// their starting inventory gives exactly their final inventory.

const SEEDS = [1, 7, 42, 1337, 90210];
const STEPS = 2500;
const CAPACITY = 10;
const OP_KINDS = [
	"add",
	"add",
	"add",
	"remove",
	"remove",
	"consume",
	"consume",
	"equip",
	"equip",
	"unequip",
	"move",
	"move",
	"split",
	"split",
	"merge",
	"merge",
	"drop",
	"drop",
	"pickup",
	"pickup",
	"currency",
	"currency",
] as const;
type OpKind = (typeof OP_KINDS)[number];

const DEF_KEYS = catalog.list.map((def) => def.key);
const EQUIP_SLOTS = ["weapon", "offhand", "ring1", "ring2", "ammo", "throwable", "hat"];
const JUNK: ReadonlyArray<defined> = [-1, CAPACITY, 1.5, 0 / 0, math.huge, "1", "", "x-1", true];

interface Player {
	state: InventoryState;
	initial: InventoryState;
	/** Each change as the client receives it (a deep copy at the time it was made). */
	received: Array<InventoryChange>;
	/** The change records themselves, to prove nothing handed out is modified afterwards. */
	handedOut: Array<InventoryChange>;
	held: Map<string, number>;
	balances: Map<string, number>;
}

function newPlayer(owner: number): Player {
	const state = createInventory(owner, CAPACITY);
	return {
		state,
		initial: cloneInventory(state),
		received: [],
		handedOut: [],
		held: new Map(),
		balances: new Map(),
	};
}

function bump(totals: Map<string, number>, key: string, delta: number) {
	const value = (totals.get(key) ?? 0) + delta;
	if (value === 0) totals.delete(key);
	else totals.set(key, value);
}

function totalsOf(state: InventoryState): Map<string, number> {
	const totals = new Map<string, number>();
	for (const stack of state.slots) if (stack !== false) bump(totals, stack.def, stack.count);
	return totals;
}

function dropTotals(drops: DropRegistry): Map<string, number> {
	const totals = new Map<string, number>();
	for (const drop of drops.list()) bump(totals, drop.stack.def, drop.stack.count);
	return totals;
}

class Run {
	private readonly random: Prng;
	private readonly players: Array<Player>;
	private readonly drops = makeDrops();
	private readonly dropped = new Map<string, number>();
	private readonly everMinted = new Set<string>();
	private readonly tokens = new Array<string>();
	public readonly successes = new Map<OpKind, number>();
	public readonly rejections = new Map<OpKind, number>();

	public constructor(private readonly seed: number) {
		this.random = new Prng(seed);
		this.players = [newPlayer(101), newPlayer(202)];
	}

	private fail(step: number, kind: OpKind, message: string): never {
		throw `seed ${this.seed}, step ${step} (${kind}): ${message}`;
	}

	private slot(): number {
		return this.random.chance(0.9) ? this.random.int(0, CAPACITY - 1) : (this.random.pick(JUNK) as number);
	}

	/** Usually a slot holding something, else any slot. */
	private heldSlot(state: InventoryState): number {
		if (this.random.chance(0.8)) {
			const held = new Array<number>();
			state.slots.forEach((stack, slot) => stack !== false && held.push(slot));
			if (held.size() > 0) return this.random.pick(held);
		}
		return this.slot();
	}

	/** Usually a slot holding more than one of a stackable item, else any held slot. */
	private splittableSlot(state: InventoryState): number {
		if (this.random.chance(0.7)) {
			const candidates = new Array<number>();
			state.slots.forEach((stack, slot) => {
				if (stack !== false && stack.count > 1) candidates.push(slot);
			});
			if (candidates.size() > 0) return this.random.pick(candidates);
		}
		return this.heldSlot(state);
	}

	/** Usually an equip slot the item in `slot` may use, else any name. */
	private equipSlotFor(state: InventoryState, slot: unknown): string {
		const stack = typeIs(slot, "number") ? state.slots[slot] : undefined;
		const def = stack !== undefined && stack !== false ? catalog.items.get(stack.def) : undefined;
		if (def !== undefined && def.equipSlots.size() > 0 && this.random.chance(0.7)) {
			return this.random.pick(def.equipSlots);
		}
		return this.random.pick(EQUIP_SLOTS);
	}

	/** An equip slot that holds something, if any. */
	private usedEquipSlot(state: InventoryState): string {
		const used = new Array<string>();
		for (const [equipSlot] of pairs(state.equipped)) used.push(equipSlot);
		return used.size() > 0 ? this.random.pick(used) : this.random.pick(EQUIP_SLOTS);
	}

	/** Usually two slots holding the same item, else any two. */
	private mergePair(state: InventoryState): [number, number] {
		if (this.random.chance(0.6)) {
			const candidates = new Array<[number, number]>();
			for (let a = 0; a < CAPACITY; a++) {
				for (let b = 0; b < CAPACITY; b++) {
					const x = state.slots[a];
					const y = state.slots[b];
					if (a !== b && x !== false && y !== false && x.def === y.def) candidates.push([a, b]);
				}
			}
			if (candidates.size() > 0) return this.random.pick(candidates);
		}
		return [this.heldSlot(state), this.heldSlot(state)];
	}

	/** Often an empty slot (when there is one), else any slot. */
	private emptySlot(state: InventoryState): number {
		if (this.random.chance(0.6)) {
			const empty = state.slots.findIndex((stack) => stack === false);
			if (empty >= 0) return empty;
		}
		return this.slot();
	}

	/** Usually the id really in `slot`; sometimes another item's, a stranger's, or junk. */
	private claim(state: InventoryState, slot: unknown): string {
		const roll = this.random.int(1, 10);
		const stack = typeIs(slot, "number") ? state.slots[slot] : undefined;
		if (roll <= 9 && stack !== undefined && stack !== false) return stack.id;
		if (roll === 10 && this.random.chance(0.5)) {
			const other = this.random.pick(this.players).state.slots[this.random.int(0, CAPACITY - 1)];
			if (other !== false) return other.id;
		}
		return this.random.pick(JUNK) as string;
	}

	private count(): number {
		return this.random.chance(0.85)
			? this.random.int(1, this.random.chance(0.7) ? 6 : 25)
			: (this.random.pick([0, -3, 0.5, 0 / 0, math.huge, 2 ** 53, "2"]) as number);
	}

	private operate(player: Player, kind: OpKind): [InventoryResult, () => void, boolean | undefined] {
		const state = player.state;
		const random = this.random;
		switch (kind) {
			case "add": {
				const key = random.chance(0.95) ? random.pick(DEF_KEYS) : (random.pick(["dragon", 7]) as string);
				const unique = catalog.items.get(key)?.stackable === false;
				const count = unique && random.chance(0.9) ? random.int(1, 2) : this.count();
				const attrs = random.chance(0.2) ? { quality: random.int(1, 2) } : undefined;
				const result = addItem(catalog, state, key, count, attrs);
				return [result, () => bump(player.held, key, count), undefined];
			}
			case "remove": {
				const id = this.claim(state, this.heldSlot(state));
				const count = this.count();
				// removeItem finds the item by id anywhere in the inventory.
				let target: ItemStack | undefined;
				for (const stack of state.slots) if (stack !== false && stack.id === id) target = stack;
				const expected =
					target !== undefined &&
					typeIs(count, "number") &&
					count % 1 === 0 &&
					count >= 1 &&
					count <= target.count;
				const def = target?.def ?? "";
				return [removeItem(state, id, count), () => bump(player.held, def, -count), expected];
			}
			case "consume": {
				const slot = this.heldSlot(state);
				const id = this.claim(state, slot);
				const count = random.chance(0.5) ? 1 : this.count();
				const stack = typeIs(slot, "number") ? state.slots[slot] : undefined;
				const def = stack !== undefined && stack !== false ? stack.def : "";
				const expected =
					stack !== undefined &&
					stack !== false &&
					slot % 1 === 0 &&
					stack.id === id &&
					catalog.items.get(stack.def)!.consumable &&
					typeIs(count, "number") &&
					count % 1 === 0 &&
					count >= 1 &&
					count <= stack.count;
				return [consumeItem(catalog, state, slot, id, count), () => bump(player.held, def, -count), expected];
			}
			case "equip": {
				const slot = this.heldSlot(state);
				const result = equipItem(catalog, state, slot, this.claim(state, slot), this.equipSlotFor(state, slot));
				return [result, () => undefined, undefined];
			}
			case "unequip": {
				const equipSlot = random.chance(0.7) ? this.usedEquipSlot(state) : random.pick(EQUIP_SLOTS);
				const current = state.equipped[equipSlot] as string | undefined;
				const claim = random.chance(0.8) ? current : (random.pick(JUNK) as string);
				const expected = current !== undefined && (claim === undefined || claim === current);
				return [unequipItem(state, equipSlot, claim), () => undefined, expected];
			}
			case "move": {
				const from = this.heldSlot(state);
				const id = this.claim(state, from);
				const to = this.slot();
				const stack = typeIs(from, "number") ? state.slots[from] : undefined;
				const expected =
					stack !== undefined &&
					stack !== false &&
					from % 1 === 0 &&
					stack.id === id &&
					typeIs(to, "number") &&
					to % 1 === 0 &&
					to >= 0 &&
					to < CAPACITY &&
					to !== from;
				return [moveItem(state, from, id, to), () => undefined, expected];
			}
			case "split": {
				const from = this.splittableSlot(state);
				const stack = typeIs(from, "number") ? state.slots[from] : undefined;
				const count =
					stack !== undefined && stack !== false && stack.count > 1 && random.chance(0.7)
						? random.int(1, stack.count - 1)
						: this.count();
				const result = splitStack(catalog, state, from, this.claim(state, from), count, this.emptySlot(state));
				return [result, () => undefined, undefined];
			}
			case "merge": {
				const [from, to] = this.mergePair(state);

				const result = mergeStacks(catalog, state, from, this.claim(state, from), to, this.claim(state, to));
				return [result, () => undefined, undefined];
			}
			case "drop": {
				const slot = this.heldSlot(state);
				const id = this.claim(state, slot);
				const count = random.chance(0.4) ? undefined : this.count();
				const stack = typeIs(slot, "number") ? state.slots[slot] : undefined;
				const def = stack !== undefined && stack !== false ? stack.def : "";
				const dropped = count ?? (stack !== undefined && stack !== false ? stack.count : 0);
				const result = dropItem(catalog, state, this.drops, slot, id, count);
				return [
					result,
					() => {
						bump(player.held, def, -dropped);
						bump(this.dropped, def, dropped);
					},
					undefined,
				];
			}
			case "pickup": {
				const live = this.drops.list();
				let token: string;
				if (live.size() > 0 && random.chance(0.6)) token = random.pick(live).token;
				else if (this.tokens.size() > 0 && random.chance(0.5)) token = random.pick(this.tokens);
				else token = random.pick(JUNK) as string;
				const drop = typeIs(token, "string") ? this.drops.get(token) : undefined;
				const result = pickUpDrop(catalog, state, this.drops, token);
				return [
					result,
					() => {
						bump(player.held, drop!.stack.def, drop!.stack.count);
						bump(this.dropped, drop!.stack.def, -drop!.stack.count);
					},
					drop === undefined ? false : undefined,
				];
			}
			case "currency": {
				const currency = random.chance(0.95) ? random.pick(["coins", "gems"]) : "tokens";
				const delta = random.chance(0.95)
					? random.int(-80, 100)
					: (random.pick([0, 0.5, 0 / 0, math.huge]) as number);
				const balance = player.balances.get(currency) ?? 0;
				const expected = currency !== "tokens" && delta % 1 === 0 && delta !== 0 && balance + delta >= 0;
				return [
					adjustCurrency(catalog, state, currency, delta),
					() => bump(player.balances, currency, delta),
					expected,
				];
			}
		}
	}

	private checkChange(step: number, kind: OpKind, change: InventoryChange) {
		for (const id of change.minted) {
			if (this.everMinted.has(id)) this.fail(step, kind, `${id} was minted twice`);
			this.everMinted.add(id);
		}
		for (const event of change.events) if (event.kind === "dropped") this.tokens.push(event.drop.token);
		for (const id of change.destroyed) {
			for (const player of this.players) {
				for (const stack of player.state.slots) {
					if (stack !== false && stack.id === id) this.fail(step, kind, `destroyed ${id} still exists`);
				}
			}
		}
	}

	private checkWorld(step: number, kind: OpKind) {
		const seen = new Set<string>();
		const note = (id: string, where: string) => {
			if (seen.has(id)) this.fail(step, kind, `${id} is in two places (${where})`);
			seen.add(id);
		};
		for (const player of this.players) {
			const problems = checkInventory(player.state, catalog);
			if (problems.size() > 0) this.fail(step, kind, problems.join("; "));
			const difference = deepDiff(totalsOf(player.state), player.held);
			if (difference !== undefined) this.fail(step, kind, `item totals differ from the model: ${difference}`);
			for (const currency of ["coins", "gems"]) {
				const actual = player.state.currencies[currency] ?? 0;
				const modelled = player.balances.get(currency) ?? 0;
				if (actual !== modelled) this.fail(step, kind, `${currency} is ${actual}, the model says ${modelled}`);
			}
			for (const stack of player.state.slots) if (stack !== false) note(stack.id, `player ${player.state.owner}`);
		}
		for (const drop of this.drops.list()) note(drop.stack.id, "a world drop");
		const difference = deepDiff(dropTotals(this.drops), this.dropped);
		if (difference !== undefined) this.fail(step, kind, `drop totals differ from the model: ${difference}`);
	}

	public go() {
		for (let step = 1; step <= STEPS; step++) {
			const player = this.random.pick(this.players);
			const kind = this.random.pick(OP_KINDS);
			const before = cloneInventory(player.state);
			const dropsBefore = this.drops.size();
			const [result, applyModel, expected] = this.operate(player, kind);
			if (expected !== undefined && expected !== result.ok) {
				this.fail(
					step,
					kind,
					`expected ${expected ? "success" : "a rejection"}, got ${result.ok ? "success" : result.error}`,
				);
			}
			if (result.ok) {
				this.successes.set(kind, (this.successes.get(kind) ?? 0) + 1);
				applyModel();
				this.checkChange(step, kind, result.value);
				player.handedOut.push(result.value);
				player.received.push(deepCopy(result.value));
			} else {
				this.rejections.set(kind, (this.rejections.get(kind) ?? 0) + 1);
				const difference = deepDiff(player.state, before);
				if (difference !== undefined)
					this.fail(step, kind, `rejected with ${result.error} but changed ${difference}`);
				if (this.drops.size() !== dropsBefore) this.fail(step, kind, "a rejection changed the drops");
			}
			this.checkWorld(step, kind);
		}
		for (const player of this.players) {
			const replica = cloneInventory(player.initial);
			for (const change of player.received) applyChange(replica, change);
			const difference = deepDiff(replica, player.state);
			if (difference !== undefined) throw `seed ${this.seed}: the replayed replica differs: ${difference}`;
			player.handedOut.forEach((change, index) => {
				const changed = deepDiff(change, player.received[index]);
				if (changed !== undefined)
					throw `seed ${this.seed}: change ${index} was modified after it was handed out: ${changed}`;
			});
		}
	}
}

export = () => {
	describe("inventory randomized sequences", () => {
		for (const seed of SEEDS) {
			it(`keeps every invariant over ${STEPS} operations (seed ${seed})`, () => {
				const run = new Run(seed);
				run.go();
				// Not vacuous: every kind of operation succeeded many times and was rejected too.
				for (const kind of OP_KINDS) {
					const successes = run.successes.get(kind) ?? 0;
					if (successes < 10) throw `seed ${seed}: ${kind} succeeded only ${successes} times`;
					if ((run.rejections.get(kind) ?? 0) === 0) throw `seed ${seed}: ${kind} was never rejected`;
				}
			});
		}
	});
};
