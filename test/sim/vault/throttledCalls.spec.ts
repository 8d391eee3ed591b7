import type { HopsafeError } from "../../../src";
import { storedCoins, walletSession, type Wallet } from "../support/hopsafe";

// vault.versions and vault.editOffline while the DataStore throttles them.

const addFive = (data: Wallet) => {
	data.coins += 5;
	return true;
};

/** Runs `call` on `server` and waits for its promise: whether it resolved, and with what. */
function settle<T>(server: Sim.Server, call: () => Promise<T>): { ok: boolean; value: unknown } {
	return server.run(() => {
		const [ok, value] = call().await();
		return { ok, value };
	});
}

/** The throttled detail of a rejection, or what it was instead. */
function throttledFailure(thrown: unknown): string {
	const failure = thrown as HopsafeError;
	if (failure.kind !== "PlatformFailure") return `${failure.kind}: ${failure.message}`;
	return (failure.details as { throttled?: boolean }).throttled === true ? "throttled" : failure.message;
}

export = () => {
	describe("vault versions and offline edits under DataStore throttling", () => {
		it("waits out a throttled version listing and lists the versions once it clears", () => {
			const { world, server, vault } = walletSession(965200, 965200);
			vault.getSession(965200)!.saveAsync().expect();
			// Four listings in a row are refused as throttled (about 15 s of backoff).
			server.services.DataStoreService.faults.failNext(4, {
				operation: "ListVersionsAsync",
				code: "DatastoreThrottled" as never,
			});
			const listed = settle(server, () => vault.versions(965200));
			expect(listed.ok).to.equal(true);
			expect((listed.value as Array<unknown>).size() >= 1).to.equal(true);
			expect(world.takeErrors().size()).to.equal(0);
		});

		it("gives up a version listing throttled for longer than throttleTimeout with a throttled PlatformFailure", () => {
			const { world, server, vault } = walletSession(965201, 965201, { throttleTimeout: 20 });
			server.services.DataStoreService.faults.failNext(1000, {
				operation: "ListVersionsAsync",
				code: "DatastoreThrottled" as never,
			});
			const started = world.now();
			const listed = settle(server, () => vault.versions(965201));
			const waited = world.now() - started;
			expect(listed.ok).to.equal(false);
			expect(throttledFailure(listed.value)).to.equal("throttled");
			expect(waited >= 19 && waited <= 22).to.equal(true);
		});

		it("waits out a throttled offline edit and applies it once", () => {
			const { world, server, vault, player } = walletSession(965202, 965202);
			vault.getSession(965202)!.data.coins = 10;
			server.leave(player);
			vault.release(965202).await();
			server.services.DataStoreService.faults.failNext(4, {
				operation: "UpdateAsync",
				code: "DatastoreThrottled" as never,
			});
			const edited = settle(server, () => vault.editOffline(965202, addFive));
			expect(edited.ok).to.equal(true);
			expect(edited.value).to.equal("edited");
			expect(storedCoins(world, 965202)).to.equal(15);
		});

		it("gives up an offline edit throttled for longer than throttleTimeout with a throttled PlatformFailure", () => {
			const { world, server, vault, player } = walletSession(965203, 965203, { throttleTimeout: 20 });
			server.leave(player);
			vault.release(965203).await();
			server.services.DataStoreService.faults.failNext(1000, {
				operation: "UpdateAsync",
				code: "DatastoreThrottled" as never,
			});
			const started = world.now();
			const edited = settle(server, () => vault.editOffline(965203, addFive));
			const waited = world.now() - started;
			expect(edited.ok).to.equal(false);
			expect(throttledFailure(edited.value)).to.equal("throttled");
			expect(waited >= 19 && waited <= 22).to.equal(true);
			server.services.DataStoreService.faults.clear();
			expect(storedCoins(world, 965203)).to.equal(0);
		});
	});
};
