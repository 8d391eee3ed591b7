import type * as Registry from "../../../src/trade/service/OutboxRegistry";
import type { Hopsafe } from "./support/tradeWorld";

// The MemoryStore list of senders owing gifts: a recovering server removes the entry it read
// once the gifts are sent, and must leave alone one the sender's new server wrote meanwhile.

const S = 970101;
const VAULT = "TradeData";

interface Node {
	readonly server: Sim.Server;
	readonly registry: Registry.OutboxRegistry;
}

/** The registry of `server`; `wrap` may stand between it and the real sorted map. */
function registryOn(server: Sim.Server, wrap?: (map: MemoryStoreSortedMap) => MemoryStoreSortedMap): Node {
	const hopsafe = server.require<Hopsafe>("ReplicatedStorage.hopsafe");
	const module = server.require<typeof Registry>("ReplicatedStorage.hopsafe.trade.service.OutboxRegistry");
	const registry = server.run(() => {
		const platform = hopsafe.defaultPlatform();
		const real = platform.memoryStoreService;
		const service = {
			GetSortedMap: (_: unknown, name: string) => {
				const map = real.GetSortedMap(name);
				return wrap === undefined ? map : wrap(map);
			},
			GetHashMap: (_: unknown, name: string) => real.GetHashMap(name),
		} as unknown as MemoryStoreService;
		return new module.OutboxRegistry({ ...platform, memoryStoreService: service }, VAULT);
	});
	return { server, registry };
}

/** The holder S's entry names, read from `at` (undefined: no entry, or one scans skip). */
function holderOf(at: Node): string | undefined {
	return at.server.run(() => at.registry.scan(50).find((entry) => entry.userId === S)?.holder);
}

/** The entry of S that `at` reads in a scan. */
function scanned(at: Node): Registry.OutboxEntry {
	const entry = at.server.run(() => at.registry.scan(50).find((found) => found.userId === S));
	if (entry === undefined) throw "S is not listed";
	return entry;
}

export = () => {
	describe("the list of senders owing gifts", () => {
		it("removes the entry a recovery read when nobody wrote it since", () => {
			const world = sim.World.new({ seed: 9711, settings: { printLogs: false } });
			const one = registryOn(world.startServer({ name: "one" }));
			const two = registryOn(world.startServer({ name: "two" }));
			one.server.run(() => one.registry.record(S, ""));
			const entry = scanned(two);
			two.server.run(() => two.registry.removeIf(entry));
			expect(holderOf(two)).to.equal(undefined);
			world.destroy();
		});

		it("keeps the entry the sender's new server wrote while the recovery was removing the one it read", () => {
			const world = sim.World.new({ seed: 9712, settings: { printLogs: false } });
			const one = registryOn(world.startServer({ name: "one" }));
			const three = registryOn(world.startServer({ name: "three" }));
			const jobThree = three.server.jobId;
			// The recovering server's requests about S after its scan: the sender's new server
			// lists S right after each of them has read the map.
			let armed = false;
			const interleave = () => {
				if (!armed) return;
				armed = false;
				three.server.run(() => three.registry.record(S, jobThree));
			};
			const two = registryOn(world.startServer({ name: "two" }), (map) => {
				const wrapper = {
					GetAsync: (_: unknown, key: string) => {
						const [value, sortKey] = map.GetAsync(key);
						interleave();
						// eslint-disable-next-line roblox-ts/no-user-defined-lua-tuple -- passed on as GetAsync returns them
						return $tuple(value, sortKey);
					},
					UpdateAsync: (_: unknown, key: string, transform: (value: unknown) => unknown, expiration: number) => {
						interleave();
						return map.UpdateAsync(key, transform, expiration);
					},
					RemoveAsync: (_: unknown, key: string) => map.RemoveAsync(key),
					SetAsync: (_: unknown, key: string, value: unknown, expiration: number, sortKey?: number) =>
						map.SetAsync(key, value, expiration, sortKey),
					GetRangeAsync: (
						_: unknown,
						direction: Enum.SortDirection,
						count: number,
						lower?: { key?: string; sortKey?: string | number },
					) => map.GetRangeAsync(direction, count, lower),
				};
				return wrapper as unknown as MemoryStoreSortedMap;
			});
			one.server.run(() => one.registry.record(S, one.server.jobId));
			one.server.crash();
			const entry = scanned(two);
			expect(entry.holder).to.equal(one.server.jobId);
			armed = true;
			two.server.run(() => two.registry.removeIf(entry));
			expect(armed).to.equal(false);
			expect(holderOf(two)).to.equal(jobThree);
			world.destroy();
		});

		it("keeps a newer entry naming the same holder as the one the recovery read", () => {
			const world = sim.World.new({ seed: 9713, settings: { printLogs: false } });
			const one = registryOn(world.startServer({ name: "one" }));
			const two = registryOn(world.startServer({ name: "two" }));
			const three = registryOn(world.startServer({ name: "three" }));
			// S was released with gifts unsent; a recovery reads that entry.
			one.server.run(() => one.registry.record(S, ""));
			const entry = scanned(two);
			// S plays on three meanwhile, gives a gift, and is released with it unsent too.
			world.advance(2);
			three.server.run(() => three.registry.record(S, three.server.jobId));
			three.server.run(() => three.registry.record(S, ""));
			two.server.run(() => two.registry.removeIf(entry));
			expect(holderOf(two)).to.equal("");
			world.destroy();
		});

		it("leaves the entry of the sender's new server when the old server's release lands after it", () => {
			const world = sim.World.new({ seed: 9714, settings: { printLogs: false } });
			const one = registryOn(world.startServer({ name: "one" }));
			const three = registryOn(world.startServer({ name: "three" }));
			const mark = one.server.run(() => one.registry.record(S, one.server.jobId));
			expect(mark).to.be.a("string");
			// A fast rejoin: S gives a gift on three before one's release of S is written.
			three.server.run(() => three.registry.record(S, three.server.jobId));
			expect(one.server.run(() => one.registry.release(S, mark))).to.equal(true);
			expect(holderOf(three)).to.equal(three.server.jobId);
			world.destroy();
		});

		it("replaces its own session's entry, a released one or none with a released entry", () => {
			const world = sim.World.new({ seed: 9715, settings: { printLogs: false } });
			const one = registryOn(world.startServer({ name: "one" }));
			const two = registryOn(world.startServer({ name: "two" }));
			const mark = one.server.run(() => one.registry.record(S, one.server.jobId));
			one.server.run(() => one.registry.release(S, mark));
			expect(holderOf(two)).to.equal("");
			// Released again (by a later session whose own entry write failed): still listed.
			two.server.run(() => two.registry.release(S, undefined));
			expect(holderOf(two)).to.equal("");
			two.server.run(() => two.registry.removeIf(scanned(two)));
			expect(holderOf(two)).to.equal(undefined);
			two.server.run(() => two.registry.release(S, undefined));
			expect(holderOf(two)).to.equal("");
			world.destroy();
		});
	});
};