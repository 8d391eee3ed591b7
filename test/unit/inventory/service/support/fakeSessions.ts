import type { InventoryState } from "../../../../../src/inventory/state/types";
import type { Disconnectable, SessionSource } from "../../../../../src/inventory/service/types";
import type { ReleaseReason, Session } from "../../../../../src/vault/types";

export interface Data {
	inventory: InventoryState;
}

/** A session the spec controls: `active` and the number of saves asked for before the auto-save. */
export class FakeSession implements Session<Data> {
	public readonly key: string;
	public readonly schemaVersion = 1;
	public active = true;
	public saves = 0;

	public constructor(
		public readonly userId: number,
		public readonly player: Player,
		public readonly data: Data,
	) {
		this.key = `player_${userId}`;
	}

	public isActive(): boolean {
		return this.active;
	}

	public save(): void {
		this.saves += 1;
	}

	public saveAsync(): Promise<void> {
		this.saves += 1;
		return Promise.resolve();
	}

	public release(_reason?: ReleaseReason): Promise<void> {
		this.active = false;
		return Promise.resolve();
	}
}

/** Listeners a spec fires by hand. */
export class Listeners<T extends Array<unknown>> {
	private readonly list = new Array<(...args: T) => void>();

	public Connect(listener: (...args: T) => void): Disconnectable {
		this.list.push(listener);
		const list = this.list;
		return {
			Disconnect() {
				const index = list.indexOf(listener);
				if (index >= 0) list.remove(index);
			},
		};
	}

	public fire(...args: T): void {
		for (const listener of [...this.list]) listener(...args);
	}
}

/** A session source without a DataStore: the spec loads and releases players by hand. */
export class FakeSessions implements SessionSource<Data> {
	public readonly loaded = new Listeners<[session: Session<Data>]>();
	public readonly released = new Listeners<[userId: number, reason: ReleaseReason]>();
	private readonly sessions = new Map<number, FakeSession>();

	public getSession(player: Player | number): Session<Data> | undefined {
		const userId = typeIs(player, "number") ? player : player.UserId;
		const session = this.sessions.get(userId);
		return session?.active ? session : undefined;
	}

	/** Starts a session for `userId` holding `inventory`. */
	public load(userId: number, inventory: InventoryState): FakeSession {
		const player = new Instance("Folder") as unknown as Player;
		(player as unknown as Folder).Name = `Player${userId}`;
		const session = new FakeSession(userId, player, { inventory });
		this.sessions.set(userId, session);
		this.loaded.fire(session);
		return session;
	}

	/** Ends the session of `userId`. */
	public release(userId: number, reason: ReleaseReason = "left"): void {
		const session = this.sessions.get(userId);
		if (session === undefined) return;
		session.active = false;
		this.sessions.delete(userId);
		this.released.fire(userId, reason);
	}
}
