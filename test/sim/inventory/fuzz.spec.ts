import { Workspace } from "@rbxts/services";
import type { InventoryState, SyncMessage } from "../../../src";
import { isClientRejectReason } from "../../../src/inventory/protocol/reasons";
import { deepCopy, deepDiff } from "../../unit/inventory/support/deepDiff";
import { Prng } from "../../unit/inventory/support/prng";
import { InventoryWorld, frames, inventoryWorld, joinReady } from "./support/inventoryWorld";

// At least 100,000 random and adversarial payloads through simulated clients, to both remotes:
// wrong types, NaN and infinities, huge and empty strings, negative and fractional numbers,
// deep, mixed and huge tables, Instances and datatypes, missing and extra arguments, bad
// request ids and intents, and well-formed requests the server must still refuse (slot
// spoofing, other players' items, counts that do not fit, taken drops). Every payload is
// invalid by construction. After every frame's batch: no player's inventory or the world's
// drops changed (deep comparison with a copy taken before), no delta was sent, every request
// got exactly one answer, each a rejection with a known reason code (the expected one where
// the payload determines it), and nothing errored anywhere in the world.

const SEED = 20260101;
const PLAYERS = 4;
const PER_CLIENT_PER_FRAME = 150;
const TOTAL = 100_000;
const NIL = "\0nil";
const HUGE_STRING = string.rep("x", 100_000);
const LONG_NAME = string.rep("a", 65);

/** A payload: what is fired, on which remote, and (when the payload decides it) the expected answer. */
interface Payload {
	readonly viaSync: boolean;
	/** Positions 0..7 of the call after the remote; absent positions are nil. */
	readonly args: Map<number, unknown>;
	/** The request id the server can read from it (0 when invalid). */
	readonly id: number;
	readonly expected?: string;
}

function deepTable(depth: number): object {
	let value: object = { leaf: true };
	for (let level = 0; level < depth; level++) value = { inner: value };
	return value;
}

function bigArray(size: number): Array<number> {
	const items = new Array<number>();
	for (let index = 0; index < size; index++) items.push(index);
	return items;
}

// Values that are never valid for the argument kind they replace.
const BAD_SLOTS: ReadonlyArray<defined> = [0 / 0, math.huge, -math.huge, -1, 0.5, 2.25, 1000, 1e300, -1e300, 2 ** 53 + 2, "0", "1", true, false, {}, [1], NIL];
const BAD_COUNTS: ReadonlyArray<defined> = [0, -1, -5, 1.5, 0.001, 0 / 0, math.huge, -math.huge, 2 ** 53 + 2, 1e308, "1", true, {}, NIL];
const BAD_NAMES: ReadonlyArray<defined> = ["", LONG_NAME, HUGE_STRING, 5, 0 / 0, true, {}, [1, 2], NIL];
const BAD_IDS: ReadonlyArray<defined> = [0, -1, 1.5, 0 / 0, math.huge, 2 ** 31, 2 ** 53, "1", true, {}, NIL];
const BAD_INTENTS: ReadonlyArray<defined> = ["", "Consume", "consume ", "MOVE", "trade", "resync\0", 5, true, {}, NIL, HUGE_STRING];
const INTENTS = ["consume", "move", "split", "merge", "equip", "unequip", "drop", "pickUp", "resync"];
const ARITY: Record<string, ReadonlyArray<"slot" | "count" | "name">> = {
	consume: ["slot", "name", "count"],
	move: ["slot", "name", "slot"],
	split: ["slot", "name", "count", "slot"],
	merge: ["slot", "name", "slot", "name"],
	equip: ["slot", "name", "name"],
	unequip: ["name", "name"],
	drop: ["slot", "name", "count"],
	pickUp: ["name"],
	resync: [],
};

/** Anything at all (no real item id or drop token among the strings). */
function randomValue(rng: Prng): defined {
	switch (rng.int(0, 14)) {
		case 0:
			return NIL;
		case 1:
			return rng.int(-3, 14);
		case 2:
			return rng.pick([0 / 0, math.huge, -math.huge, 0.5, -0.5, 1e300, 2 ** 53, 2 ** 53 + 2, 2 ** 31, -0]);
		case 3:
			return rng.pick(["", "x", "weapon", "ring1", "hat", "0-1", "999-1", "1-0", "1-999999", "\xff\xfe", HUGE_STRING, LONG_NAME]);
		case 4:
			return rng.pick(INTENTS);
		case 5:
			return rng.chance(0.5);
		case 6:
			return {};
		case 7:
			return [1, 2, 3];
		case 8:
			return { slot: 1, itemId: "1-1" };
		case 9:
			return deepTable(rng.int(2, 60));
		case 10:
			return bigArray(rng.int(10, 500));
		case 11: {
			// A mixed table: an array part and string keys.
			const mixed = [1, 2] as unknown as Record<string, defined>;
			mixed.extra = "x";
			return mixed;
		}
		case 12:
			return new Vector3(rng.int(0, 5), 0, 0);
		case 13:
			return rng.chance(0.5) ? Workspace : CFrame.identity;
		default:
			return rng.int(0, 2 ** 31);
	}
}

interface Layout {
	readonly state: InventoryState;
	/** Item ids by slot (undefined for an empty slot). */
	readonly ids: Array<string | undefined>;
	/** Some item id of another player. */
	readonly foreignId: string;
	readonly takenToken: string;
}

/** Builds a payload from a list (NIL marks a nil) and the remote. */
function payload(values: ReadonlyArray<defined>, viaSync: boolean, expected?: string): Payload {
	const args = new Map<number, unknown>();
	values.forEach((value, index) => {
		if (value !== NIL) args.set(index, value);
	});
	const id = values[0];
	const valid = typeIs(id, "number") && id % 1 === 0 && id >= 1 && id <= 2147483647;
	return { viaSync, args, id: valid ? id : 0, expected };
}

/** A well-formed request (right arity, types and ranges) the server must refuse for `expected`. */
function refusedRequest(rng: Prng, layout: Layout, id: number): Payload {
	const ids = layout.ids;
	const at = (slot: number): string => ids[slot] ?? "none";
	const cases: Array<[Array<defined>, string]> = [
		[[id, "consume", 7, at(7), 1], "not_consumable"],
		[[id, "consume", 1, at(1), 6], "insufficient_count"],
		[[id, "consume", 9, at(0), 1], "slot_empty"],
		[[id, "consume", 0, at(1), 1], "item_mismatch"],
		[[id, "consume", rng.int(12, 999), at(0), 1], "invalid_slot"],
		[[id, "consume", 0, layout.foreignId, 1], "item_mismatch"],
		[[id, "move", 0, at(0), 0], "same_slot"],
		[[id, "move", 2, at(3), 4], "item_mismatch"],
		[[id, "move", 0, at(0), rng.int(12, 999)], "invalid_slot"],
		[[id, "move", 10, at(5), 11], "slot_empty"],
		[[id, "split", 2, at(2), 1, 9], "not_stackable"],
		[[id, "split", 0, at(0), 20, 9], "insufficient_count"],
		[[id, "split", 0, at(0), 1, 1], "slot_occupied"],
		[[id, "split", 0, at(0), 1, 0], "same_slot"],
		[[id, "merge", 1, at(1), 0, at(0)], "stack_full"],
		[[id, "merge", 5, at(5), 1, at(1)], "def_mismatch"],
		[[id, "merge", 0, at(0), 0, at(0)], "same_slot"],
		[[id, "merge", 2, at(2), 7, at(7)], "not_stackable"],
		[[id, "merge", 1, at(0), 0, at(1)], "item_mismatch"],
		[[id, "equip", 2, at(2), "hat"], "wrong_equip_slot"],
		[[id, "equip", 0, at(0), "weapon"], "not_equippable"],
		[[id, "equip", 2, at(2), "weapon"], "already_equipped"],
		[[id, "equip", 9, at(2), "weapon"], "slot_empty"],
		[[id, "equip", 2, layout.foreignId, "weapon"], "item_mismatch"],
		[[id, "unequip", "offhand", at(7)], "not_equipped"],
		[[id, "unequip", "weapon", at(3)], "item_mismatch"],
		[[id, "unequip", "no_such_slot", at(2)], "not_equipped"],
		[[id, "drop", 4, at(4), 1], "not_tradeable"],
		[[id, "drop", 0, at(0), 21], "insufficient_count"],
		[[id, "drop", 6, at(5), 1], "item_mismatch"],
		[[id, "pickUp", "{00000000-0000-0000-0000-00000000000" + tostring(rng.int(0, 9)) + "}"], "drop_not_found"],
		[[id, "pickUp", layout.takenToken], "drop_taken"],
	];
	// Slot spoofing: claim some slot holds an item it does not hold.
	const slot = rng.int(0, 11);
	let spoofed = ids[rng.int(0, 8)]!;
	while (ids[slot] === spoofed) spoofed = ids[rng.int(0, 8)]!;
	cases.push([[id, rng.pick(["consume", "drop"]), slot, spoofed, 1], ids[slot] === undefined ? "slot_empty" : "item_mismatch"]);
	const [values, expected] = rng.pick(cases);
	return payload(values, false, expected);
}

/** A request with one thing wrong with its shape: the server must answer bad_request. */
function malformedRequest(rng: Prng, layout: Layout, id: number): Payload {
	const intent = rng.pick(["consume", "move", "split", "merge", "equip", "unequip", "drop", "pickUp"]);
	const kinds = ARITY[intent];
	const values: Array<defined> = [id, intent];
	for (const kind of kinds) {
		if (kind === "slot") values.push(rng.int(0, 11));
		else if (kind === "count") values.push(rng.int(1, 3));
		else values.push(layout.ids[rng.int(0, 8)] ?? "x");
	}
	const flaw = rng.int(0, 5);
	if (flaw === 0) {
		values[0] = rng.pick(BAD_IDS);
	} else if (flaw === 1) {
		values[1] = rng.pick(BAD_INTENTS);
	} else if (flaw === 2 || kinds.size() === 0) {
		// Missing: the last argument, or one in the middle.
		values[rng.int(2, values.size() - 1)] = NIL;
	} else if (flaw === 3) {
		// Extra arguments.
		const extra = rng.int(1, 8 - values.size());
		for (let index = 0; index < extra; index++) {
			const value = randomValue(rng);
			values.push(value === NIL ? 1 : value);
		}
	} else {
		const position = rng.int(0, kinds.size() - 1);
		const kind = kinds[position];
		values[position + 2] = rng.pick(kind === "slot" ? BAD_SLOTS : kind === "count" ? BAD_COUNTS : BAD_NAMES);
	}
	return payload(values, false, "bad_request");
}

/** Anything: random arguments on either remote (never a real id or token, so never valid). */
function randomRequest(rng: Prng, id: number): Payload {
	const viaSync = rng.chance(0.1);
	const values: Array<defined> = [rng.chance(0.9) ? id : randomValue(rng)];
	const length = rng.int(0, 7);
	for (let index = 0; index < length; index++) values.push(index === 0 && rng.chance(0.6) ? rng.pick(INTENTS) : randomValue(rng));
	return payload(values, viaSync, viaSync ? "bad_request" : undefined);
}

function fire(client: Sim.Client, setup: InventoryWorld, p: Payload): void {
	const a = p.args;
	client.fireServer(
		p.viaSync ? setup.remotes!.sync : setup.remotes!.request,
		a.get(0),
		a.get(1),
		a.get(2),
		a.get(3),
		a.get(4),
		a.get(5),
		a.get(6),
		a.get(7),
	);
}

/** Fills a player's inventory with one of everything the refused requests need. */
function furnish(setup: InventoryWorld, player: Player): void {
	const service = setup.service;
	for (const [key, count] of [
		["potion", 25],
		["sword", 1],
		["ring", 1],
		["gem", 3],
		["arrow", 50],
		["scroll", 1],
		["shield", 1],
		["crown", 1],
	] as const) {
		assert(service.grant(player, key, count).ok, `could not grant ${key}`);
	}
	const state = service.getInventory(player)!;
	const idAt = (slot: number) => (state.slots[slot] as { id: string }).id;
	assert(service.equip(player, 2, idAt(2), "weapon").ok);
	assert(service.equip(player, 3, idAt(3), "ring1").ok);
}

export = () => {
	describe("inventory remote fuzzing", () => {
		it("refuses 100,000 random and adversarial payloads with a reason code and changes nothing", () => {
			const setup = inventoryWorld({
				seed: SEED,
				// This spec tests the server's validation: neither the network's limit nor the
				// server's rate limit may refuse requests before the middleware sees them. The
				// expected answers assume NaN and the infinities reach the server unchanged (the
				// engine's handling is not documented; as nil they would be missing arguments).
				settings: { remotes: { rateLimitPerSecond: 1_000_000, inboxLimit: 100, nonFiniteNumbers: "pass" } },
				remotes: { rateLimit: { rate: 1e9, burst: 1e9 } },
			});
			const failures = new Array<string>();
			setup.service.callbackFailed.Connect((failure) => failures.push(failure.message));
			const players = new Array<Player>();
			for (let userId = 1; userId <= PLAYERS; userId++) players.push(joinReady(setup, userId));
			for (const player of players) furnish(setup, player);
			// A drop that was picked up: its token is taken for good.
			const crown = setup.service.getInventory(players[0])!.slots[8] as { id: string };
			const dropped = setup.service.drop(players[0], 8, crown.id);
			assert(dropped.ok && dropped.value.events[0].kind === "dropped");
			const takenToken = dropped.value.events[0].drop.token;
			// (It can be picked up once the dropper's profile is saved without it.)
			setup.world.advance(10);
			assert(setup.service.pickUp(players[0], takenToken).ok);
			// A drop still in the world (nobody fuzzing knows its token).
			const shieldOwner = players[PLAYERS - 1];
			const shield = setup.service.grant(shieldOwner, "shield", 1);
			assert(shield.ok && setup.service.drop(shieldOwner, 9, shield.value.minted[0]).ok);
			frames(setup, 3);

			const clients = players.map((player) => setup.server.client(player));
			for (const client of clients) client.clearReceived();
			const layouts = players.map((player, index): Layout => {
				const state = setup.service.getInventory(player)!;
				const ids = new Array<string | undefined>();
				for (let slot = 0; slot < state.capacity; slot++) {
					const stack = state.slots[slot];
					ids[slot] = stack === false ? undefined : stack.id;
				}
				const other = setup.service.getInventory(players[(index + 1) % PLAYERS])!;
				return { state, ids, foreignId: (other.slots[2] as { id: string }).id, takenToken };
			});
			const before = players.map((player) => deepCopy(setup.vault.getSession(player)!.data));
			const dropsBefore = deepCopy(setup.service.listDrops());

			const rng = new Prng(SEED);
			const nextId = players.map(() => 0);
			const answered = new Map<string, number>();
			let sent = 0;
			const unexpected = new Array<string>();
			while (sent < TOTAL) {
				const pending = clients.map(() => new Map<number, Payload>());
				const invalidIds = clients.map(() => 0);
				clients.forEach((client, index) => {
					for (let count = 0; count < PER_CLIENT_PER_FRAME; count++) {
						nextId[index] += 1;
						const roll = rng.nextUint() % 100;
						const p =
							roll < 35
								? refusedRequest(rng, layouts[index], nextId[index])
								: roll < 70
									? malformedRequest(rng, layouts[index], nextId[index])
									: randomRequest(rng, nextId[index]);
						if (p.id === 0) invalidIds[index] += 1;
						else pending[index].set(p.id, p);
						fire(client, setup, p);
						sent += 1;
					}
				});
				frames(setup, 2);
				clients.forEach((client, index) => {
					let zeroAnswers = 0;
					for (const call of client.received(setup.remotes!.sync)) {
						for (const message of call[0] as Array<SyncMessage>) {
							if (message.k === "d") {
								unexpected.push(`a delta reached player ${index + 1}: an invalid request changed state`);
								continue;
							}
							const id = message.req ?? 0;
							if (message.k === "r") {
								if (!isClientRejectReason(message.reason)) unexpected.push(`unknown reason ${tostring(message.reason)}`);
								answered.set(message.reason, (answered.get(message.reason) ?? 0) + 1);
							}
							if (id === 0) {
								zeroAnswers += 1;
								continue;
							}
							const p = pending[index].get(id);
							if (p === undefined) {
								unexpected.push(`an answer to an unknown or already answered request ${id}`);
								continue;
							}
							pending[index].delete(id);
							const answer = message.k === "r" ? message.reason : "snapshot";
							if (p.expected !== undefined && answer !== p.expected) {
								unexpected.push(`request ${id}: expected ${p.expected}, got ${answer}`);
							}
						}
					}
					client.clearReceived();
					if (zeroAnswers !== invalidIds[index]) {
						unexpected.push(`${invalidIds[index]} requests without a valid id, ${zeroAnswers} answers with id 0`);
					}
					for (const [id] of pending[index]) unexpected.push(`request ${id} of player ${index + 1} got no answer`);
				});
				players.forEach((player, index) => {
					const difference = deepDiff(setup.vault.getSession(player)!.data, before[index]);
					if (difference !== undefined) unexpected.push(`player ${index + 1}'s data changed: ${difference}`);
				});
				const dropDifference = deepDiff(setup.service.listDrops(), dropsBefore);
				if (dropDifference !== undefined) unexpected.push(`the world's drops changed: ${dropDifference}`);
				if (unexpected.size() > 0) break;
			}
			expect(unexpected.size() === 0 ? "ok" : unexpected[0]).to.equal("ok");
			expect(sent >= TOTAL).to.equal(true);
			expect(setup.world.takeErrors().size()).to.equal(0);
			expect(failures.size()).to.equal(0);
			expect(answered.get("internal_error") ?? 0).to.equal(0);
			// The mix reached every layer: shape, claims and the core's own checks.
			for (const reason of ["bad_request", "item_mismatch", "slot_empty", "invalid_slot", "insufficient_count", "not_consumable", "stack_full", "def_mismatch", "wrong_equip_slot", "not_equipped", "not_tradeable", "drop_not_found", "drop_taken"]) {
				expect((answered.get(reason) ?? 0) > 0).to.equal(true);
			}
		});

		it("limits a client firing 1,000 requests a second while another player's requests go through", () => {
			const setup = inventoryWorld({
				seed: SEED + 1,
				// The network lets all 1,000 a second through, so what limits is the server's bucket.
				settings: { remotes: { rateLimitPerSecond: 5_000 } },
				remotes: { rateLimit: { rate: 20, burst: 40 } },
			});
			const spammer = joinReady(setup, 1);
			const other = joinReady(setup, 2);
			const spamSword = setup.service.grant(spammer, "sword", 1);
			const otherSword = setup.service.grant(other, "sword", 1);
			assert(spamSword.ok && otherSword.ok);
			const spamClient = setup.server.client(spammer);
			const otherClient = setup.server.client(other);
			spamClient.clearReceived();
			otherClient.clearReceived();
			const SECONDS = 3;
			let spamSent = 0;
			let otherSent = 0;
			let spamSlot = 0;
			let otherSlot = 0;
			let spamAccepted = 0;
			let spamLimited = 0;
			let otherAccepted = 0;
			const count = (client: Sim.Client, tally: (message: SyncMessage) => void) => {
				for (const call of client.received(setup.remotes!.sync)) {
					for (const message of call[0] as Array<SyncMessage>) tally(message);
				}
				client.clearReceived();
			};
			for (let frame = 0; frame < SECONDS * 60; frame++) {
				// 1,000 a second: 16 or 17 a frame. Each would move the sword along if accepted,
				// so the spammer's claims stay true only while requests are limited in order;
				// the server's answers tell which were accepted.
				const burst = frame % 3 === 0 ? 16 : 17;
				for (let index = 0; index < burst; index++) {
					spamSent += 1;
					spamClient.fireServer(setup.remotes!.request, spamSent, "move", spamSlot, spamSword.value.minted[0], (spamSlot + 1) % 12);
				}
				if (frame % 12 === 0) {
					otherSent += 1;
					otherClient.fireServer(setup.remotes!.request, otherSent, "move", otherSlot, otherSword.value.minted[0], (otherSlot + 1) % 12);
				}
				frames(setup, 1);
				count(spamClient, (message) => {
					if (message.k === "d" && message.req !== undefined) spamAccepted += 1;
					else if (message.k === "r" && message.reason === "rate_limited") spamLimited += 1;
				});
				count(otherClient, (message) => {
					if (message.k === "d" && message.req !== undefined) otherAccepted += 1;
				});
				spamSlot = setup.service.getInventory(spammer)!.slots.findIndex((slot) => slot !== false);
				otherSlot = setup.service.getInventory(other)!.slots.findIndex((slot) => slot !== false);
			}
			frames(setup, 3);
			count(spamClient, (message) => {
				if (message.k === "d" && message.req !== undefined) spamAccepted += 1;
				else if (message.k === "r" && message.reason === "rate_limited") spamLimited += 1;
			});
			count(otherClient, (message) => {
				if (message.k === "d" && message.req !== undefined) otherAccepted += 1;
			});
			expect(spamSent >= 2990).to.equal(true);
			// At most the burst plus the refill over the run got through.
			expect(spamAccepted <= 40 + 20 * (SECONDS + 0.1)).to.equal(true);
			expect(`${spamLimited} limited of ${spamSent}`).to.equal(
				`${math.max(spamLimited, spamSent - 40 - 20 * (SECONDS + 0.1))} limited of ${spamSent}`,
			);
			expect(otherAccepted).to.equal(otherSent);
			expect(setup.world.takeErrors().size()).to.equal(0);
		});
	});
};
