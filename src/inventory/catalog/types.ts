/**
 * How rare an item is, from most to least common. The service's early-save policy keys on it:
 * a rare item is saved soon after it is granted instead of waiting for the next auto-save.
 */
export type ItemRarity = "common" | "uncommon" | "rare" | "epic" | "legendary";

/** An item definition as the catalog holds it: validated, with every default filled in, frozen. */
export interface ItemDef {
	/** The catalog key, stored in every stack of this item (`ItemStack.def`). */
	readonly key: string;
	/** Stackable items share a stack up to `maxStack`; unique items are always a stack of 1. */
	readonly stackable: boolean;
	/** The most one stack may hold; 1 for unique items. */
	readonly maxStack: number;
	/** The equip slots the item may go into (`"weapon"`, `"head"`, ...); empty if it cannot be equipped. */
	readonly equipSlots: ReadonlyArray<string>;
	/** Whether the item may leave its owner: dropped into the world, traded or gifted. */
	readonly tradeable: boolean;
	/** Whether `consumeItem` accepts it. */
	readonly consumable: boolean;
	readonly rarity: ItemRarity;
	/** Whether other players see the item while it is equipped (replication decides how). */
	readonly visibleWhenEquipped: boolean;
}

/** An item definition as a game writes it; omitted fields take the defaults shown. */
export interface ItemDefInput {
	readonly key: string;
	/** Default `false` (unique). */
	readonly stackable?: boolean;
	/** Required when `stackable`; must be omitted or 1 otherwise. */
	readonly maxStack?: number;
	/** Default: none (not equippable). */
	readonly equipSlots?: ReadonlyArray<string>;
	/** Default `true`. */
	readonly tradeable?: boolean;
	/** Default `false`. */
	readonly consumable?: boolean;
	/** Default `"common"`. */
	readonly rarity?: ItemRarity;
	/** Default `false`. */
	readonly visibleWhenEquipped?: boolean;
}

/** A validated, frozen catalog: item definitions by key and the currencies a wallet may hold. */
export interface Catalog {
	/** Definitions by key (O(1) lookup). */
	readonly items: ReadonlyMap<string, ItemDef>;
	/** Definitions in the order they were given. */
	readonly list: ReadonlyArray<ItemDef>;
	/** Every equip slot some definition names. */
	readonly equipSlots: ReadonlySet<string>;
	/** The currencies `adjustCurrency` accepts. */
	readonly currencies: ReadonlySet<string>;
}
