import { err, ok, type Result } from "../../../../../src/core/result";
import type { ItemAuthority } from "../../../../../src/inventory/service/types";
import { applyOps } from "../../../../../src/sync/state";
import type { SyncOp, SyncRejectReason, SyncState } from "../../../../../src/sync/types";
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
	public readonly queued = new Array<{ userId: number; ops: Array<SyncOp>; reason?: string }>();
	/** When set, every mutation is refused with it. */
	public refuse?: SyncRejectReason;

	public getState(userId: number): SyncState | undefined {
		return this.states.get(userId);
	}

	public mutate(
		userId: number,
		ops: ReadonlyArray<SyncOp>,
		options?: { readonly reason?: string },
	): Result<string, SyncRejectReason> {
		const state = this.states.get(userId);
		if (state === undefined) return err("no_session");
		if (this.refuse !== undefined) return err(this.refuse);
		const refused = applyOps(state, ops);
		if (refused !== undefined) return err(refused);
		this.queued.push({ userId, ops: [...ops], reason: options?.reason });
		return ok(`key-${this.queued.size()}`);
	}

	/** Another writer (or a rollback) changes the player's state. */
	public external(userId: number, ops: ReadonlyArray<SyncOp>): void {
		const state = this.states.get(userId)!;
		const refused = applyOps(state, ops);
		if (refused !== undefined) throw `the other writer's ops were refused: ${refused}`;
		this.changed.fire(userId, state);
	}
}
