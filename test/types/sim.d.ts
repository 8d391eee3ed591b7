/**
 * The simulator as TestEZ specs see it: the `sim` global the headless runner injects.
 * Specs build their own worlds so that no state leaks between tests; worlds created during
 * a test are destroyed when it ends.
 */
declare namespace Sim {
	interface LogEntry {
		readonly time: number;
		readonly server: string;
		readonly level: string;
		readonly text: string;
	}

	interface UncaughtError {
		readonly time: number;
		readonly server: string;
		readonly message: string;
		readonly traceback: string;
	}

	interface WorldOptions {
		seed?: number;
		settings?: Record<string, unknown>;
		log?: (entry: LogEntry) => void;
	}

	interface ServerOptions {
		name?: string;
		placeId?: number;
		runScripts?: boolean;
	}

	interface JoinOptions {
		name?: string;
		teleportData?: unknown;
	}

	/** One data store entry, as the simulated backend names it. */
	interface EntryRef {
		store: string;
		key: string;
		scope?: string;
		kind?: "standard" | "ordered";
	}

	interface EntrySnapshot {
		readonly value: unknown;
		readonly text: string;
		readonly version: string;
		readonly userIds: Array<number>;
		readonly metadata: Record<string, unknown>;
		readonly deleted: boolean;
	}

	/** A committed data store write, as `DataStoreBackend.observe` reports it. */
	interface WriteRecord {
		readonly ref: EntryRef;
		readonly source: string;
		readonly before?: EntrySnapshot;
		readonly after: EntrySnapshot;
	}

	interface DataStoreFaults {
		failNext(count: number, options?: { operation?: string; code?: number; committed?: boolean }): void;
		commitButErrorNext(count: number, operation?: string): void;
		forceConflicts(count: number, key?: string): void;
		setErrorRate(rate: number, operation?: string): void;
		/** Writes apply, then their call errors, with probability `rate`. */
		setCommittedButErroredRate(rate: number): void;
		setLatency(spec: number | { min: number; max: number }, operation?: string): void;
		clear(): void;
	}

	/** The world's data stores (`world.dataStore()`). */
	interface DataStoreBackend {
		read(ref: EntryRef): EntrySnapshot | undefined;
		write(
			ref: EntryRef,
			data: { value?: unknown; text?: string; userIds?: Array<number> },
		): EntrySnapshot | undefined;
		rawText(ref: EntryRef): string | undefined;
		/** Calls `observer` after every committed write; returns a function that stops it. */
		observe(observer: (write: WriteRecord) => void): () => void;
		readonly faults: DataStoreFaults;
	}

	/** One server's DataStoreService driver API (`server.services.DataStoreService`). */
	interface DataStoreServiceDriver {
		readonly faults: DataStoreFaults;
		pause(): void;
		resume(): void;
		queueLength(queue: "get" | "set" | "orderedGet" | "orderedSet"): number;
	}

	interface World {
		readonly seed: number;
		readonly servers: ReadonlyArray<Server>;
		readonly events: ReadonlyArray<string>;
		readonly logs: ReadonlyArray<LogEntry>;
		readonly settings: Record<string, unknown>;
		startServer(options?: ServerOptions): Server;
		advance(seconds: number): void;
		runUntil(predicate: () => boolean, limit?: number): number;
		now(): number;
		counter(service: string, requestType?: string, serverName?: string): number;
		takeErrors(): Array<UncaughtError>;
		destroy(): void;
		dataStore(): DataStoreBackend;
		/** The player leaves `from` and joins `to` (a new server when omitted) after the transfer delay. */
		// With `async`, returns at once instead of running the world until the player arrives.
		teleport(
			player: Player,
			from: Server,
			to?: Server,
			options?: { teleportData?: unknown; delay?: number; async?: boolean },
		): Player;
		/** Makes the next `count` (default 1) game-code teleports fail to start: TeleportInitFailed fires. */
		failTeleports(spec?: { count?: number; result?: string; message?: string }): void;
		/** The player leaves `from` (its PlayerRemoving handlers may still be saving) and joins `to` after `delay`. */
		rejoin(player: Player, from: Server, to: Server, options?: { delay?: number }): Player;
		/** A developer product purchase: an unresolved receipt delivered to ProcessReceipt until granted. Returns its PurchaseId. */
		purchase(userId: number, productId: number, options?: { price?: number; placeId?: number }): string;
		/** The open PromptProductPurchase prompts (of `userId`, or everyone's). */
		prompts(userId?: number): Array<{ PlayerId: number; ProductId: number; server: string }>;
		/** The player answers their open prompt; buying leaves a receipt and returns its PurchaseId. */
		answerPrompt(userId: number, answer: "buy" | "cancel"): string | undefined;
		/** The receipts of `userId` (default: everyone), oldest first. */
		receipts(userId?: number): Array<{
			PurchaseId: string;
			PlayerId: number;
			ProductId: number;
			status: "pending" | "granted";
			deliveries: number;
			grantedBy?: string;
		}>;
	}

	interface Client {
		readonly player: Player;
		readonly server: Server;
		run<A extends Array<unknown>, R extends Array<unknown>>(
			fn: (...args: A) => LuaTuple<R> | R[0],
			...args: A
		): R[0];
		require<T>(target: Instance | string): T;
		/**
		 * Fires `remote` (a RemoteEvent, or its path) to the server as this client, with the
		 * network's rules (copies, rate limit, latency). False when disconnected (nothing sent).
		 */
		fireServer(remote: Instance | string, ...args: Array<unknown>): boolean;
		/** Invokes `remote` (a RemoteFunction) as this client; returns the server's first result. */
		invokeServer<R = unknown>(remote: Instance | string, ...args: Array<unknown>): R;
		/** What this client received on `remote`, oldest first: one packed argument list per call. */
		received(remote: Instance | string): Array<PackedArgs>;
		/** Forgets what was received (on `remote`, or on every remote). */
		clearReceived(remote?: Instance | string): void;
		isConnected(): boolean;
		/** The player disconnects (leaves the server). */
		disconnect(): void;
	}

	/** One call's arguments as the simulator packs them: `{ n = count, ... }`. */
	type PackedArgs = ReadonlyArray<unknown> & { readonly n: number };

	interface Server {
		readonly name: string;
		readonly jobId: string;
		readonly state: "running" | "closing" | "closed" | "crashed" | "destroyed";
		readonly dataModel: DataModel;
		readonly services: { readonly DataStoreService: DataStoreServiceDriver };
		join(userId: number, options?: JoinOptions): Player;
		leave(player: Player): void;
		kick(player: Player, message?: string): void;
		kickMessage(player: Player): string | undefined;
		findPlayer(userId: number): Player | undefined;
		run<A extends Array<unknown>, R>(fn: (...args: A) => R, ...args: A): R;
		require<T>(target: Instance | string): T;
		find(target: Instance | string): Instance;
		crash(): void;
		shutdown(): number;
		client(player: Player): Client;
	}

	interface WorldConstructor {
		new: (options?: WorldOptions) => World;
	}

	/** A fault for the next matching HttpService requests (`world.failHttp`). */
	interface HttpFaultSpec {
		/**
		 * `connectFail` (never reaches the server), `timeout` (no answer; waits the request's
		 * timeout), `dropResponse` (the server processes it, the answer is lost), `status`
		 * (answers `status`, default 503, without sending anything).
		 */
		kind: "connectFail" | "timeout" | "dropResponse" | "status";
		count?: number;
		server?: Server;
		/** A Lua pattern the URL must match. */
		match?: string;
		method?: string;
		status?: number;
		body?: string;
		/** Headers of a `status` answer (names lower-cased as the engine does). */
		headers?: Record<string, string>;
	}

	interface HttpFault {
		/** How many more requests it will fail (set it to 1 to end it after one more). */
		remaining: number;
	}

	/** A real HTTP request from a spec (`world.httpRequest`), in Lune's shape. */
	interface HttpRequestConfig {
		url: string;
		method?: string;
		headers?: Record<string, string>;
		body?: string;
	}

	interface HttpResponse {
		readonly ok: boolean;
		readonly statusCode: number;
		readonly statusMessage: string;
		/** Lower-case names. */
		readonly headers: Record<string, string>;
		readonly body: string;
	}

	/** The world's message bus (`world.messaging()`): what MessagingService and Open Cloud publish to. */
	interface MessageBus {
		/** The next `count` accepted messages (on `topic`, or any) are lost for every server. */
		dropNext(count: number, topic?: string): void;
		/** Every message on `topic` is lost until `dropTopic(topic, false)`. */
		dropTopic(topic: string, on?: boolean): void;
		/** Deliveries scheduled and not yet run. */
		inFlight(): number;
		readonly stats: {
			readonly published: number;
			readonly delivered: number;
			readonly lost: number;
			readonly throttled: number;
			readonly rejected: number;
		};
	}

	/** The world's Open Cloud endpoint on 127.0.0.1 (`world.startOpenCloud`). */
	interface OpenCloudEndpoint {
		readonly url: string;
		readonly port: number;
		readonly universeId: string;
		readonly stop: () => void;
	}

	/** The world's memory stores (`world.memoryStore()`), shared by every server. */
	interface MemoryStoreBackend {
		/** The next `count` requests (of `method`, such as "HashMap.SetAsync", or any) fail with `code`. */
		failNext(count: number, code?: string, method?: string): void;
	}

	interface World {
		memoryStore(): MemoryStoreBackend;
		/** Adds (or replaces) a secret in the experience's secrets store. */
		setSecret(name: string, value: string, domain?: string): void;
		/** Makes the next matching HttpService requests fail; see {@link HttpFaultSpec}. */
		failHttp(spec: HttpFaultSpec): HttpFault;
		/** A real HTTP request from the spec (virtual time stands still while it runs). */
		httpRequest(config: HttpRequestConfig): HttpResponse;
		messaging(): MessageBus;
		/** Serves the world's Open Cloud endpoint (publishMessage, data stores) on 127.0.0.1. */
		startOpenCloud(options?: {
			port?: number;
			apiKeys?: Record<string, { scopes: Array<string>; universes?: Array<number> } | true>;
		}): OpenCloudEndpoint;
	}
}

declare const sim: {
	/** Creates isolated worlds: `sim.World.new({ seed: 1 })`. */
	readonly World: Sim.WorldConstructor;
	/** The server the specs themselves run on. */
	readonly host: Sim.Server;
	/** Real (wall-clock) seconds, for checks that virtual time is not real time. */
	wallClock(): number;
	/** The HOPSAFE_* environment variables of the run (e.g. the save API tools/test.mjs started). */
	readonly env: Readonly<Record<string, string | undefined>>;
	/** Gives Lune's event loop `seconds` of wall time while virtual time stands still. */
	readonly hostWait: (seconds: number) => void;
};
