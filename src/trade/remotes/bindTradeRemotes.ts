import { makeError } from "../../core/errors";
import { HookSignal } from "../../inventory/protocol/signal";
import { createRemoteFolder } from "../../inventory/remotes/createRemoteFolder";
import type { TradeRejectReason } from "../reasons";
import { TradeServiceImpl } from "../service/TradeServiceImpl";
import type { TradeService } from "../service/types";
import { TradeMiddleware } from "./TradeMiddleware";
import {
	TRADE_REMOTES_FOLDER,
	type TradeIntentName,
	type TradeRemotes,
	type TradeRemotesOptions,
	type TradeUpdate,
} from "./types";

/**
 * Serves a trade service to clients. Creates a folder of remotes (`Request` for intents,
 * `Update` for what each player receives), routes every request through one middleware (a
 * per-player token bucket; exact arity, types and ranges, including every entry of an offer;
 * the session) before the service, and answers every request: accepted, or refused with a
 * reason code (`TRADE_REASONS` and the inventory's reasons). Both parties receive the trade's
 * state after every change, so each sees the other's offer. Nothing a client sends can make an
 * error escape into the engine.
 *
 * @example
 * ```ts
 * import { TradeService, bindTradeRemotes } from "@rbxts/hopsafe";
 *
 * function serve(trades: TradeService) {
 * 	const remotes = bindTradeRemotes(trades, { rateLimit: { rate: 5, burst: 10 } });
 * 	remotes.rejected.Connect((player, intent, reason) => print(player.Name, intent, reason));
 * 	return remotes;
 * }
 * ```
 */
export function bindTradeRemotes(trades: TradeService, options: TradeRemotesOptions = {}): TradeRemotes {
	if (!(trades instanceof TradeServiceImpl)) {
		throw makeError("InvalidArgument", "bindTradeRemotes needs a service made by createTradeService", {
			argument: "trades",
		});
	}
	const players = trades.platform.players;
	const parent = options.parent ?? game.GetService("ReplicatedStorage");
	const folderName = options.folderName ?? TRADE_REMOTES_FOLDER;
	const { folder, request, reply: update } = createRemoteFolder(parent, folderName, "Request", "Update");

	const rejected = new HookSignal<[player: Player, intent: TradeIntentName | undefined, reason: TradeRejectReason]>(
		"rejected",
		(signal, thrown) => trades.reportFailure(`${signal} listener`, thrown),
	);
	const send = (player: Player, message: TradeUpdate) => {
		if (player.Parent === undefined) return;
		const [sent, thrown] = pcall(() => update.FireClient(player, message));
		if (!sent) trades.reportFailure("trade update", thrown);
	};
	const middleware = new TradeMiddleware(trades, send, rejected, options.rateLimit ?? { rate: 10, burst: 20 });
	folder.Parent = parent;
	const connections = [
		request.OnServerEvent.Connect((player, ...args) => middleware.handle(player, args)),
		update.OnServerEvent.Connect((player, ...args) => middleware.handle(player, [0, "misuse", ...args])),
		players.PlayerRemoving.Connect((player) => middleware.forget(player)),
		trades.changed.Connect((trade) => {
			for (const side of [trade.a, trade.b]) {
				const player = players.GetPlayerByUserId(side.userId);
				if (player !== undefined) send(player, { k: "t", trade });
			}
		}),
	];

	let destroyed = false;
	return {
		folder,
		request,
		update,
		rejected,
		destroy() {
			if (destroyed) return;
			destroyed = true;
			for (const connection of connections) connection.Disconnect();
			rejected.destroy();
			folder.Destroy();
		},
	};
}
