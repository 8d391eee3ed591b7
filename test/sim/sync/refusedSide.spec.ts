import type { InventoryService, TransferOutcome } from "../../../src";
import type { BundleTerms } from "../../../src/trade/ledger/summary";
import type { GiveSpec } from "../../../src/trade/service/types";
import { storedData, syncWorld } from "./support/api";
import { externalServer, outcomeOf, type ExternalData, type ExternalServer } from "./support/external";

// A cross-server trade in external authority whose partner's side is refused on the partner's
// server: the coordinator is told at once, instead of holding its side until the deadline.

const LIMITS = { decisionTimeout: 120, verdictTimeout: 60, sweepInterval: 2 };

function serve(world: Sim.World, at: ExternalServer, userId: number): void {
	at.app.server.join(userId);
	world.runUntil(() => at.service.isReady(userId), 120);
	assert(at.service.isReady(userId), `${userId} was not served`);
}

function grant(service: InventoryService, userId: number, def: string, count = 1): string {
	const result = service.grant(userId, def, count);
	assert(result.ok, "a grant failed");
	return result.value.minted[0];
}

interface BusyPair {
	readonly world: Sim.World;
	readonly one: ExternalServer;
	readonly two: ExternalServer;
	/** `settled` on the coordinator's server, as `userId trade outcome`. */
	readonly ended: Array<string>;
	/** The coordinator's side: its sword for the potions. */
	readonly swordSide: () => TransferOutcome;
	/** The partner's side: its potions for the sword (refused `busy`: they wait in another trade). */
	readonly potionSide: () => TransferOutcome;
	readonly sword: string;
}

/**
 * Coordinator `a` (a sword) on one server, partner `b` (ten potions) on another; the potions
 * wait in the side of another trade whose coordinator has not answered, so `b`'s side of
 * `trade` is refused `busy`.
 */
function busyPair(seed: number, a: number, b: number, trade: string): BusyPair {
	const world = syncWorld(seed);
	const one = externalServer(world, { name: "one", trades: true, limits: LIMITS });
	const two = externalServer(world, { name: "two", trades: true, limits: LIMITS });
	serve(world, one, a);
	serve(world, two, b);
	const sword = grant(one.service, a, "sword");
	const potions = grant(two.service, b, "potion", 10);
	const ended = new Array<string>();
	one.trades!.settled.Connect((userId, id, result) => ended.push(`${userId} ${id} ${result}`));
	const side = (at: ExternalServer, id: string, player: number, give: GiveSpec, receive: BundleTerms) => {
		const partner = player === a ? b : a;
		return outcomeOf(world, at.trades!.escrowSide({ trade: id, player, partner, ...give, receive }));
	};
	const potionGive = { items: [{ id: potions, count: 10 }] };
	const swordTerms = { items: [{ def: "sword", count: 1 }] };
	assert(side(two, `${trade}-other`, b, potionGive, swordTerms).status === "escrowed", "the other side");
	return {
		world,
		one,
		two,
		ended,
		sword,
		swordSide: () => side(one, trade, a, { items: [{ id: sword, count: 1 }] }, { items: [{ def: "potion", count: 10 }] }),
		potionSide: () => side(two, trade, b, potionGive, swordTerms),
	};
}

/** Whether `userId`'s stored profile holds a partner's refusal not yet taken by their server. */
function refusalWaiting(world: Sim.World, userId: number): boolean {
	const value = world.dataStore().read({ store: "SyncData", key: `player_${userId}` })?.value as
		| { GlobalUpdates?: [number, Array<[number, number, boolean, { body?: { refused?: string } }]>] }
		| undefined;
	for (const update of value?.GlobalUpdates?.[1] ?? []) if (!update[2] && update[3].body?.refused !== undefined) return true;
	return false;
}

/** Runs until a refusal was posted to `userId`'s profile and their server took it; whether it was. */
function refusalTaken(world: Sim.World, userId: number): boolean {
	let posted = false;
	world.runUntil(() => {
		const waiting = refusalWaiting(world, userId);
		posted ||= waiting;
		return posted && !waiting;
	}, 120);
	return posted;
}

/** Whether `a` can give the sword away again (nothing holds it). */
function swordFree(pair: BusyPair, a: number, b: number, id: string): string {
	const gift = pair.one.trades!.gift({ id, from: a, to: b, items: [{ id: pair.sword, count: 1 }] });
	return outcomeOf(pair.world, gift).status;
}

export = () => {
	describe("a cross-server trade whose partner's side is refused (external authority)", () => {
		it("ends the coordinator's waiting side at once, not at the deadline", () => {
			const [a, b, trade] = [970301, 970302, "refused-side-1"];
			const pair = busyPair(9731, a, b, trade);
			expect(pair.swordSide().status).to.equal("escrowed");
			const refused = pair.potionSide();
			expect(`${refused.status} ${refused.reason}`).to.equal("failed busy");
			const refusedAt = pair.world.now();
			pair.world.runUntil(() => pair.ended.includes(`${a} ${trade} failed`), 300);
			expect(pair.ended.includes(`${a} ${trade} failed`)).to.equal(true);
			// Well before the 120-second decision timeout.
			expect(pair.world.now() - refusedAt < 60).to.equal(true);
			expect(swordFree(pair, a, b, "refused-side-gift-1")).to.equal("completed");
		});

		it("refuses the coordinator's side at once when the partner's refusal came first", () => {
			const [a, b, trade] = [970303, 970304, "refused-side-2"];
			const pair = busyPair(9732, a, b, trade);
			const refused = pair.potionSide();
			expect(`${refused.status} ${refused.reason}`).to.equal("failed busy");
			// The refusal reaches A's profile, and A's server takes it.
			expect(refusalTaken(pair.world, a)).to.equal(true);
			const startedAt = pair.world.now();
			const own = pair.swordSide();
			expect(`${own.status} ${own.reason}`).to.equal("failed busy");
			expect(pair.world.now() - startedAt < 60).to.equal(true);
			expect(pair.ended.join(",")).to.equal(`${a} ${trade} failed`);
			expect(swordFree(pair, a, b, "refused-side-gift-2")).to.equal("completed");
		});

		it("refuses the coordinator's side at once on its next server when the refusal came first", () => {
			const [a, b, trade] = [980010, 980011, "refused-side-kept"];
			const pair = busyPair(9810, a, b, trade);
			const refused = pair.potionSide();
			expect(`${refused.status} ${refused.reason}`).to.equal("failed busy");
			expect(refusalTaken(pair.world, a)).to.equal(true);
			// A's server took the refusal from the profile, then stops before A's own side comes.
			pair.one.app.server.shutdown();
			pair.world.advance(40);
			const three = externalServer(pair.world, { name: "three", trades: true, limits: LIMITS });
			const ended = new Array<string>();
			three.trades!.settled.Connect((userId, id, result) => ended.push(`${userId} ${id} ${result}`));
			serve(pair.world, three, a);
			const startedAt = pair.world.now();
			const own = outcomeOf(
				pair.world,
				three.trades!.escrowSide({
					trade,
					player: a,
					partner: b,
					items: [{ id: pair.sword, count: 1 }],
					receive: { items: [{ def: "potion", count: 10 }] },
				}),
			);
			expect(`${own.status} ${own.reason}`).to.equal("failed busy");
			expect(pair.world.now() - startedAt < 60).to.equal(true);
			expect(ended.join(",")).to.equal(`${a} ${trade} failed`);
			// Used, the refusal leaves the saved ledger.
			const kept = () => storedData<ExternalData>(pair.world, a)?.trades.refused?.[trade] !== undefined;
			pair.world.runUntil(() => !kept(), 60);
			expect(kept()).to.equal(false);
		});
	});
};
