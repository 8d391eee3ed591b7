import {
	DataStoreService,
	HttpService,
	MarketplaceService,
	MemoryStoreService,
	MessagingService,
	Players,
	RunService,
	TeleportService,
} from "@rbxts/services";

/**
 * The engine services hopsafe uses, passed in rather than fetched, so tests and the simulator
 * can drive them. `defaultPlatform()` returns the real ones.
 */
export interface Platform {
	readonly dataStoreService: DataStoreService;
	readonly memoryStoreService: MemoryStoreService;
	readonly messagingService: MessagingService;
	readonly httpService: HttpService;
	readonly players: Players;
	readonly runService: RunService;
	readonly teleportService: TeleportService;
	readonly marketplaceService: MarketplaceService;
	/** This server's JobId (unique per server instance). */
	readonly jobId: string;
	readonly placeId: number;
	/** Monotonic seconds (os.clock). */
	readonly clock: () => number;
}

/**
 * The real services of the server this code runs on.
 *
 * @example
 * ```ts
 * import { defaultPlatform } from "@rbxts/hopsafe";
 *
 * const platform = defaultPlatform();
 * print(platform.jobId);
 * ```
 */
export function defaultPlatform(): Platform {
	return {
		dataStoreService: DataStoreService,
		memoryStoreService: MemoryStoreService,
		messagingService: MessagingService,
		httpService: HttpService,
		players: Players,
		runService: RunService,
		teleportService: TeleportService,
		marketplaceService: MarketplaceService,
		jobId: game.JobId,
		placeId: game.PlaceId,
		clock: () => os.clock(),
	};
}
