/** A connection to an {@link InventorySignal}. */
export interface SignalConnection {
	readonly Connected: boolean;
	Disconnect(): void;
}

/**
 * A typed signal of the inventory layer. Listeners run synchronously, in the order they
 * connected, after the change they report is applied and recorded; each runs in a protected
 * call, so a listener that throws never reaches the engine or the other listeners (the error
 * is reported through the owner's `callbackFailed` signal instead). Listeners should not
 * yield: the caller waits for them.
 */
export interface InventorySignal<T extends Array<unknown>> {
	Connect(listener: (...args: T) => void): SignalConnection;
}

class Connection<T extends Array<unknown>> implements SignalConnection {
	public Connected = true;

	public constructor(
		private readonly signal: HookSignal<T>,
		public readonly listener: (...args: T) => void,
	) {}

	public Disconnect(): void {
		if (!this.Connected) return;
		this.Connected = false;
		this.signal.remove(this);
	}
}

/**
 * The implementation of {@link InventorySignal}: `Fire` is for the owner only. Listeners are
 * kept in an array replaced on every connect and disconnect, so a listener may disconnect
 * itself (or connect another) while the signal fires.
 */
export class HookSignal<T extends Array<unknown>> implements InventorySignal<T> {
	private connections: ReadonlyArray<Connection<T>> = [];
	/** Whether anything listens (a field, so owners test it without a call). */
	public listening = false;

	public constructor(
		private readonly name: string,
		private readonly onError: (signal: string, thrown: unknown) => void,
	) {}

	public Connect(listener: (...args: T) => void): SignalConnection {
		const connection = new Connection<T>(this, listener);
		const connections = table.clone(this.connections) as Array<Connection<T>>;
		connections.push(connection);
		this.connections = connections;
		this.listening = true;
		return connection;
	}

	/** Whether anything listens: the owner skips building a signal's arguments when nothing does. */
	public hasListeners(): boolean {
		return this.listening;
	}

	/**
	 * Calls every listener with up to four arguments. They are passed one by one, not spread
	 * from a table, so an undefined argument in the middle (a rejection without an intent)
	 * cannot cut the ones after it off.
	 */
	public Fire(...args: T): void {
		const [a, b, c, d] = args as unknown as [unknown, unknown, unknown, unknown];
		for (const connection of this.connections) {
			if (!connection.Connected) continue;
			const listener = connection.listener as unknown as (a: unknown, b: unknown, c: unknown, d: unknown) => void;
			const [success, thrown] = pcall(listener, a, b, c, d);
			if (!success) this.onError(this.name, thrown);
		}
	}

	/** @internal */
	public remove(connection: Connection<T>): void {
		this.connections = this.connections.filter((other) => other !== connection);
		this.listening = this.connections.size() > 0;
	}

	/** Disconnects every listener. */
	public destroy(): void {
		for (const connection of this.connections) connection.Connected = false;
		this.connections = [];
		this.listening = false;
	}
}
