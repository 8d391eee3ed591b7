import { ItemRarity } from "./types";

/** Every rarity, from most to least common. */
export const ITEM_RARITIES: ReadonlyArray<ItemRarity> = table.freeze([
	"common",
	"uncommon",
	"rare",
	"epic",
	"legendary",
]);

const RANKS: ReadonlyMap<string, number> = new Map(ITEM_RARITIES.map((rarity, index) => [rarity, index]));

/**
 * The rank of a rarity (0 for `"common"`), so a policy can ask "at least rare"; -1 for
 * anything that is not a rarity.
 *
 * @example
 * ```ts
 * import { rarityRank } from "@rbxts/hopsafe";
 *
 * const saveSoon = rarityRank("epic") >= rarityRank("rare");
 * print(saveSoon);
 * ```
 */
export function rarityRank(rarity: ItemRarity): number {
	return RANKS.get(rarity) ?? -1;
}
