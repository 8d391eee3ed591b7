// The client module: import it as `@rbxts/hopsafe/out/client`. It loads the pure inventory core
// and the protocol only (never src/index.ts or the vault), so it is safe on a client. Shared
// code can define the catalog with the `defineCatalog` exported here.
export { createInventoryClient } from "./createInventoryClient";
export type { IntentResult, InventoryClient, InventoryClientOptions } from "./InventoryClient";
export { defineCatalog } from "../inventory/catalog/defineCatalog";
export { ITEM_RARITIES, rarityRank } from "../inventory/catalog/rarity";
export type { Catalog, ItemDef, ItemDefInput, ItemRarity } from "../inventory/catalog/types";
export { applyChange } from "../inventory/operations/applyChange";
export type { InventoryChange, InventoryEvent } from "../inventory/operations/change";
export { REJECT_REASONS } from "../inventory/operations/reasons";
export type { RejectReason } from "../inventory/operations/reasons";
export { cloneInventory } from "../inventory/state/cloneInventory";
export type { InventoryState, ItemStack } from "../inventory/state/types";
export {
	EQUIPPED_ATTRIBUTE_PREFIX,
	PROTOCOL_REASONS,
	describeReason,
	equippedAttribute,
	isClientRejectReason,
} from "../inventory/protocol";
export type { ClientRejectReason, IntentName, InventorySignal, SyncMessage } from "../inventory/protocol";
