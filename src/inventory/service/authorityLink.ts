// The inventory service's side of external authority: every change it makes is queued with
// the sync client as save API operations, and every change the authority makes (another
// writer, a rollback, a join) is brought into the slots. Internal to the service.
import type { SyncItem, SyncState } from "../../sync/types";
import type { Catalog } from "../catalog/types";
import type { InventoryChange } from "../operations/change";
import { agreementOf, mirrorOps, resyncInventory, type AgreedState } from "./authorityDiff";
import type { PlayerEntry } from "./entry";
import type { ItemAuthority } from "./types";

/** The audit-log reason of the transactions the inventory queues. */
const REASON = "inventory";

export class AuthorityLink {
	private readonly agreed = new Map<number, AgreedState>();
	/** The unplaced ids last reported per player, so a report fires when they change. */
	private readonly reported = new Map<number, string>();

	public constructor(
		private readonly catalog: Catalog,
		public readonly authority: ItemAuthority,
		private readonly onUnplaced: (entry: PlayerEntry, items: ReadonlyArray<SyncItem>) => void,
		/** Reports a call of a game-written authority that threw (this runs in signal handlers too). */
		private readonly onThrown: (callback: string, thrown: unknown) => void,
	) {}

	/** The authority's state of the player; false when its `getState` threw (reported). */
	private read(entry: PlayerEntry): SyncState | undefined | false {
		const [ran, state] = pcall(() => this.authority.getState(entry.userId));
		if (ran) return state;
		this.onThrown("authority.getState", state);
		return false;
	}

	/**
	 * Queues with the authority what the change just applied to the slots did; false when it
	 * refused, or when the two disagree about something the change did not touch.
	 */
	public mirror(entry: PlayerEntry, key?: string): boolean {
		const agreed = this.agreed.get(entry.userId);
		const authority = this.read(entry);
		if (agreed === undefined || authority === undefined || authority === false) return false;
		const ops = mirrorOps(this.catalog, entry.state, authority, agreed);
		if (ops === undefined) return false;
		// A layout-only change (move, equip) has nothing to queue and keeps the agreement.
		if (ops.size() === 0) return true;
		// The inventory mints every id it grants (in a block of its own per session).
		const [ran, queued] = pcall(() =>
			this.authority.mutate(entry.userId, ops, { reason: REASON, key, freshIds: true }),
		);
		if (!ran) this.onThrown("authority.mutate", queued);
		if (!ran || !queued.ok) return false;
		this.agreed.set(entry.userId, agreementOf(this.catalog, entry.state));
		return true;
	}

	/** Whether a transaction with `key` is queued with the authority (it would not apply again). */
	public isQueued(entry: PlayerEntry, key: string): boolean {
		return this.authority.isQueued(entry.userId, key);
	}

	/**
	 * Makes the inventory hold what the authority holds (at a session's start, after another
	 * writer or a rollback): the change to record, undefined when nothing changed, or false
	 * when the authority does not serve the player.
	 */
	public resync(entry: PlayerEntry): InventoryChange | undefined | false {
		const authority = this.read(entry);
		// A read that threw changes nothing: what is shown stays until the next change or pull.
		if (authority === false) return undefined;
		if (authority === undefined) return false;
		const { change, unplaced } = resyncInventory(this.catalog, entry.state, authority);
		this.agreed.set(entry.userId, agreementOf(this.catalog, entry.state));
		const ids = unplaced.map((item) => item.id);
		ids.sort();
		const key = ids.join("\n");
		if ((this.reported.get(entry.userId) ?? "") !== key) {
			this.reported.set(entry.userId, key);
			if (unplaced.size() > 0) this.onUnplaced(entry, unplaced);
		}
		return change;
	}

	public forget(entry: PlayerEntry): void {
		this.agreed.delete(entry.userId);
		this.reported.delete(entry.userId);
	}
}
