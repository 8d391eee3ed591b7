import { makeError, type HopsafeError } from "../../../../../src/core/errors";
import { deepCopy } from "../../../../../src/core/deepCopy";
import { err, ok, type Result } from "../../../../../src/core/result";
import type { ItemAuthority } from "../../../../../src/inventory/service/types";
import { applyOps } from "../../../../../src/sync/state";
import type { SyncOp, SyncRejectReason, SyncState, SyncTransferLeg } from "../../../../../src/sync/types";
import { Listeners } from "./fakeSessions";

/** An empty save API state at version 0. */
export function emptyAuthorityState(): SyncState {
	return { version: 0, currencies: {}, items: {}, docs: {}, progress: {} };
}

/**
 * An external authority without HTTP: it applies queued operations with the sync client's own
 * rules (`applyOps`) and records them; the spec plays the other writer with `external`.
 */
export class FakeAuthority implements ItemAuthority {
	public readonly changed = new Listeners<[userId: number, state: SyncState]>();
	public readonly states = new Map<number, SyncState>();
	public readonly queued = new Array<{ userId: number; ops: Array<SyncOp>; reason?: string; key?: string }>();
	/** When set, every mutation is refused with it. */
	public refuse?: SyncRejectReason;

	public getState(userId: number): SyncState | undefined {
		return this.states.get(userId);
	}

	public mutate(
		userId: number,
		ops: ReadonlyArray<SyncOp>,
		options?: { readonly reason?: string; readonly key?: string },
	): Result<string, SyncRejectReason> {
		const state = this.states.get(userId);
		if (state === undefined) return err("no_session");
		if (this.refuse !== undefined) return err(this.refuse);
		const key = options?.key;
		// Like the sync client: a key queued already is not applied again.
		if (key !== undefined && this.isQueued(userId, key)) return ok(key);
		const refused = applyOps(state, ops);
		if (refused !== undefined) return err(refused);
		this.queued.push({ userId, ops: [...ops], reason: options?.reason, key });
		return ok(key ?? `key-${this.queued.size()}`);
	}

	public isQueued(userId: number, key: string): boolean {
		return this.queued.some((entry) => entry.userId === userId && entry.key === key);
	}

	/** The answer `awaitCommit` gives per key (the spec sets it): a refusal, or a version. */
	public readonly answers = new Map<string, HopsafeError | number>();

	public awaitCommit(key: string): Promise<number> {
		const answer = this.answers.get(key) ?? 1;
		return typeIs(answer, "number") ? Promise.resolve(answer) : (Promise.reject(answer) as Promise<number>);
	}

	/** Queued transactions not answered yet, per player (the spec sets them). */
	public readonly pending = new Map<number, number>();
	/** Transfers the authority committed, with their keys and reasons. */
	public readonly transfers = new Array<{ key?: string; reason?: string; legs: ReadonlyArray<SyncTransferLeg> }>();
	/** When set, every transfer fails with it (no answer: nothing is applied). */
	public failTransfers?: HopsafeError;

	public pendingCount(userId: number): number {
		return this.pending.get(userId) ?? 0;
	}

	/**
	 * Applies every leg or none, once per key, the way the save API does: a whole stack keeps
	 * its id, a part takes `newId`; a replayed key answers the versions again.
	 */
	public transfer(
		legs: ReadonlyArray<SyncTransferLeg>,
		options: { readonly key?: string; readonly reason?: string } = {},
	): Promise<ReadonlyMap<number, number>> {
		const failure = this.failTransfers;
		if (failure !== undefined) return Promise.reject(failure) as Promise<ReadonlyMap<number, number>>;
		const versions = new Map<number, number>();
		if (options.key !== undefined && this.transfers.some((done) => done.key === options.key)) {
			for (const leg of legs) {
				for (const userId of [leg.from, leg.to]) versions.set(userId, this.states.get(userId)?.version ?? 0);
			}
			return Promise.resolve(versions);
		}
		const working = new Map<number, SyncState>();
		const stateOf = (userId: number) => {
			let state = working.get(userId);
			if (state === undefined) {
				state = deepCopy(this.states.get(userId) ?? emptyAuthorityState());
				working.set(userId, state);
			}
			return state;
		};
		for (const leg of legs) {
			const giver = stateOf(leg.from);
			const taker = stateOf(leg.to);
			const out = new Array<SyncOp>();
			const into = new Array<SyncOp>();
			for (const item of leg.items ?? []) {
				const held = giver.items[item.id];
				if (held === undefined) return this.refused("item_not_owned");
				const count = item.count ?? held.count;
				out.push({ op: "item.remove", id: item.id, count });
				into.push({
					op: "item.grant",
					item: { id: item.newId ?? item.id, def: held.def, count, attrs: deepCopy(held.attrs) },
				});
			}
			for (const [currency, amount] of pairs(leg.currencies ?? {})) {
				out.push({ op: "currency.add", currency, amount: -amount });
				into.push({ op: "currency.add", currency, amount });
			}
			const refused = applyOps(giver, out) ?? applyOps(taker, into);
			if (refused !== undefined) return this.refused(refused);
		}
		for (const [userId, state] of working) {
			state.version += 1;
			versions.set(userId, state.version);
			this.states.set(userId, state);
		}
		this.transfers.push({ key: options.key, reason: options.reason, legs });
		for (const [userId, state] of working) this.changed.fire(userId, state);
		return Promise.resolve(versions);
	}

	private refused(code: string): Promise<ReadonlyMap<number, number>> {
		const rejection = makeError("ApiRejected", `transfer refused: ${code}`, {
			operation: "transfer",
			status: 409,
			code,
		});
		return Promise.reject(rejection) as Promise<ReadonlyMap<number, number>>;
	}

	/** Another writer (or a rollback) changes the player's state. */
	public external(userId: number, ops: ReadonlyArray<SyncOp>): void {
		const state = this.states.get(userId)!;
		const refused = applyOps(state, ops);
		if (refused !== undefined) throw `the other writer's ops were refused: ${refused}`;
		this.changed.fire(userId, state);
	}
}
