import { makeError } from "../../core/errors";
import type { IntentName } from "../protocol/intents";
import { REMOTES_FOLDER, REQUEST_REMOTE, SYNC_REMOTE } from "../protocol/names";
import type { RequestRejectReason } from "../protocol/reasons";
import { HookSignal } from "../protocol/signal";
import { Replicator } from "../replication/Replicator";
import { InventoryServiceImpl } from "../service/InventoryServiceImpl";
import type { InventoryService } from "../service/types";
import { RequestMiddleware } from "./RequestMiddleware";
import type { InventoryRemotes, InventoryRemotesOptions } from "./types";
import { createRemoteFolder } from "./createRemoteFolder";

/**
 * Serves an inventory service to clients. Creates a folder of remotes (`Request` for client
 * intents, `Sync` for what each owner receives), routes every request through one middleware
 * (per-player rate limit; arity, types and ranges checked with `@rbxts/t`; the session; the
 * client's claims about which item is in which slot; the game's `authorize` hook) before any
 * handler runs, and answers every refusal with a reason code. Nothing a client sends can make
 * an error escape into the engine. Replicates each inventory to its owner (a snapshot, then
 * ordered deltas with sequence numbers, batched per frame) and equipped, visible items to
 * everyone as Player attributes (`Equipped_<slot>`). Clients use the client module,
 * `@rbxts/hopsafe/out/client`. A service has one binding at a time: binding it again before
 * `destroy()` throws an `InvalidArgument` error.
 *
 * @example
 * ```ts
 * import { InventoryService, bindInventoryRemotes } from "@rbxts/hopsafe";
 *
 * function serve(inventory: InventoryService) {
 * 	const remotes = bindInventoryRemotes(inventory, {
 * 		rateLimit: { rate: 20, burst: 40 },
 * 		authorize: (player, intent) => intent !== "drop" || player.GetAttribute("InCombat") !== true,
 * 	});
 * 	remotes.rejected.Connect((player, intent, reason) => print(player.Name, intent, reason));
 * 	return remotes;
 * }
 * ```
 */
export function bindInventoryRemotes(
	service: InventoryService,
	options: InventoryRemotesOptions = {},
): InventoryRemotes {
	if (!(service instanceof InventoryServiceImpl)) {
		throw makeError("InvalidArgument", "bindInventoryRemotes needs a service made by createInventoryService", {
			argument: "service",
		});
	}
	if (service.hasSink()) {
		// One replicator per service: a second would take the changes from the first, whose
		// clients and Equipped_ attributes would silently stop updating.
		throw makeError(
			"InvalidArgument",
			"bindInventoryRemotes: this service is already bound; destroy the first binding before binding it again",
			{ argument: "service" },
		);
	}
	const platform = service.platform;
	const parent = options.parent ?? game.GetService("ReplicatedStorage");
	const folderName = options.folderName ?? REMOTES_FOLDER;
	const { folder, request, reply: sync } = createRemoteFolder(parent, folderName, REQUEST_REMOTE, SYNC_REMOTE);

	const rejected = new HookSignal<[player: Player, intent: IntentName | undefined, reason: RequestRejectReason]>(
		"rejected",
		(signal, thrown) => service.reportFailure(`${signal} listener`, thrown),
	);
	const replicator = new Replicator(service, sync, platform.runService, options);
	const middleware = new RequestMiddleware(service, replicator, rejected, {
		rateLimit: options.rateLimit ?? { rate: 20, burst: 40 },
		resyncLimit: options.resyncLimit ?? { rate: 0.2, burst: 2 },
		authorize: options.authorize,
		clock: platform.clock,
	});
	// The remotes exist in the DataModel before anything connects to them (nothing yields in
	// between, so no request can arrive unhandled).
	folder.Parent = parent;
	const connections = [
		request.OnServerEvent.Connect((player, ...args) => middleware.handle(player, args, false)),
		sync.OnServerEvent.Connect((player, ...args) => middleware.handle(player, args, true)),
		platform.players.PlayerRemoving.Connect((player) => middleware.forget(player)),
	];
	service.attachSink(replicator);

	let destroyed = false;
	return {
		folder,
		request,
		sync,
		rejected,
		flush() {
			replicator.flush();
		},
		destroy() {
			if (destroyed) return;
			destroyed = true;
			for (const connection of connections) connection.Disconnect();
			service.attachSink(undefined);
			replicator.destroy();
			rejected.destroy();
			folder.Destroy();
		},
	};
}
