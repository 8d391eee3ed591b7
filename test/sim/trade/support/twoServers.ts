import type { TradeLimits } from "../../../../src/trade/service/types";
import { coinsSaved, grantSaved, joinReady, tradeWorld, type TradeServer, type TradeWorld } from "./tradeWorld";

// The two-server world of the cross-server specs and what is traded in it. Stored states are
// `storedPair` strings: "<player 1> <player 2>".

/**
 * Two servers; player 1 on the first with a sword and 50 coins, player 2 on the second with ten
 * potions. `limits` are added to a decision timeout of 120 s and a save timeout of 10 s.
 */
export function twoServers(
	seed: number,
	limits: TradeLimits = {},
	settings?: Record<string, unknown>,
): { setup: TradeWorld; one: TradeServer; two: TradeServer } {
	const setup = tradeWorld({ seed, servers: 2, limits: { decisionTimeout: 120, saveTimeout: 10, ...limits }, settings });
	const [one, two] = setup.servers;
	joinReady(setup, one, 1);
	joinReady(setup, two, 2);
	grantSaved(one, 1, "sword");
	coinsSaved(one, 1, 50);
	grantSaved(two, 2, "potion", 10);
	setup.world.advance(10);
	return { setup, one, two };
}

/** Player 1 gives the sword and 20 coins to player 2. */
export const GIFT = { id: "gift-1", from: 1, to: 2, items: [{ id: "1-1", count: 1 }], currency: { coins: 20 } };
/** The stored state once {@link GIFT} was applied. */
export const GIFT_SENT = "|30 1-1x1,2-1x10|20";

/** The id of the cross-server trade of {@link sideOne} and {@link sideTwo}. */
export const X = "cross-1";
/** The stored state once that trade was applied. */
export const SWAPPED = "2-1x10|0 1-1x1|50";
/** Player 1's side: the sword and 50 coins for `receive` potions. */
export const sideOne = (receive = 10) => ({
	trade: X,
	player: 1,
	partner: 2,
	items: [{ id: "1-1", count: 1 }],
	currency: { coins: 50 },
	receive: { items: [{ def: "potion", count: receive }] },
});
/** Player 2's side: the ten potions for the sword and 50 coins. */
export const sideTwo = () => ({
	trade: X,
	player: 2,
	partner: 1,
	items: [{ id: "2-1", count: 10 }],
	receive: { items: [{ def: "sword", count: 1 }], currency: { coins: 50 } },
});
