import type { RateLimit } from "../../inventory/remotes/TokenBuckets";
import type { InventorySignal } from "../../inventory/protocol/signal";
import type { Trade } from "../machine/types";
import type { TradeRejectReason } from "../reasons";

/** The folder under ReplicatedStorage that holds the trade remotes. */
export const TRADE_REMOTES_FOLDER = "HopsafeTrade";

/**
 * What a client may ask of the trade service, with the arguments after the request id and the
 * intent name: `Request:FireServer(requestId, intent, ...args)`. An offer names each item by
 * the slot the client believes holds it *and* its id (a stale or spoofed claim is refused), and
 * replaces the player's whole offer; a confirmation names the revision the client was shown.
 */
export interface TradeIntentArgs {
	invite: [userId: number];
	accept: [tradeId: string];
	decline: [tradeId: string];
	cancel: [tradeId: string];
	offer: [
		tradeId: string,
		items: Array<[slot: number, itemId: string, count: number]>,
		currency: Array<[name: string, amount: number]>,
	];
	confirm: [tradeId: string, revision: number];
}

/** The name of a trade intent. */
export type TradeIntentName = keyof TradeIntentArgs;

/**
 * What the server sends a client on the `Update` remote, one message per call: the state of a
 * trade the player is in (after every change, to both parties), or the answer to one request
 * (accepted, or refused with a reason; nothing changed then).
 */
export type TradeUpdate =
	| { readonly k: "t"; readonly trade: Trade }
	| { readonly k: "a"; readonly req: number }
	| { readonly k: "r"; readonly req: number; readonly reason: TradeRejectReason };

/** Options of {@link bindTradeRemotes}. */
export interface TradeRemotesOptions {
	/** Where the remotes folder goes (default ReplicatedStorage). */
	readonly parent?: Instance;
	/** The folder's name (default `"HopsafeTrade"`). */
	readonly folderName?: string;
	/** Trade requests per player: a token bucket (default 10 a second, bursts of 20). */
	readonly rateLimit?: RateLimit;
}

/** What {@link bindTradeRemotes} set up. */
export interface TradeRemotes {
	readonly folder: Folder;
	/** Client → server: `(requestId, intent, ...args)`. */
	readonly request: RemoteEvent;
	/** Server → client: one {@link TradeUpdate} per call. */
	readonly update: RemoteEvent;
	/** A request was refused (for monitoring; the client was told). */
	readonly rejected: InventorySignal<
		[player: Player, intent: TradeIntentName | undefined, reason: TradeRejectReason]
	>;
	/** Removes the remotes. */
	destroy(): void;
}
