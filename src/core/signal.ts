import type Signal from "@rbxts/signal";

/** One listener of an {@link ImmediateSignal}; `Once` listeners disconnect before they run. */
interface Listener {
	readonly callback: Callback;
	readonly once: boolean;
	connected: boolean;
}

/**
 * The library's own signals (a vault's `loaded`, `released`, ...). Each listener starts at once
 * inside `Fire`, on its own thread, in the order they connected, whatever
 * `Workspace.SignalBehavior` says: a BindableEvent's listeners wait for the next resumption
 * point in Deferred mode, after the code that fired it went on (for `loaded`, after the
 * session's messages were delivered to handlers that need what the listeners set up). A
 * listener that throws reports its error as an engine event handler does, without reaching
 * `Fire` or the other listeners.
 */
export class ImmediateSignal<F extends Callback = () => void> {
	private listeners = new Array<Listener>();
	private waiting = new Array<thread>();

	Fire(...args: Parameters<F>): void {
		// A copy: a listener may connect or disconnect others while this runs.
		for (const listener of [...this.listeners]) {
			if (!listener.connected) continue;
			if (listener.once) this.remove(listener);
			task.spawn(listener.callback, ...(args as unknown as Array<unknown>));
		}
		const waiting = this.waiting;
		this.waiting = [];
		for (const thread of waiting) task.spawn(thread, ...(args as unknown as Array<unknown>));
	}

	Connect(callback: F): RBXScriptConnection {
		return this.add(callback, false);
	}

	ConnectParallel(callback: F): RBXScriptConnection {
		return this.add(callback, false);
	}

	Once(callback: F): RBXScriptConnection {
		return this.add(callback, true);
	}

	/* eslint-disable roblox-ts/no-user-defined-lua-tuple -- Wait returns the arguments of Fire as several values, as RBXScriptSignal:Wait does. */
	Wait(): LuaTuple<Parameters<F>> {
		this.waiting.push(coroutine.running());
		return coroutine.yield() as unknown as LuaTuple<Parameters<F>>;
	}
	/* eslint-enable roblox-ts/no-user-defined-lua-tuple */

	Destroy(): void {
		for (const listener of this.listeners) listener.connected = false;
		this.listeners = [];
		this.waiting = [];
	}

	private add(callback: Callback, once: boolean): RBXScriptConnection {
		const listener: Listener = { callback, once, connected: true };
		this.listeners = [...this.listeners, listener];
		const connection = {
			Connected: true,
			Disconnect: () => {
				connection.Connected = false;
				this.remove(listener);
			},
		};
		return connection as unknown as RBXScriptConnection;
	}

	private remove(listener: Listener): void {
		if (!listener.connected) return;
		listener.connected = false;
		this.listeners = this.listeners.filter((other) => other !== listener);
	}
}

/** A new {@link ImmediateSignal}, typed as the `@rbxts/signal` signals the public types name. */
export function immediateSignal<F extends Callback = () => void>(): Signal<F> {
	return new ImmediateSignal<F>() as unknown as Signal<F>;
}
