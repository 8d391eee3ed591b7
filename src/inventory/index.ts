// The inventory core: pure, deterministic, engine-independent. Everything the rest of the
// library (the service, remotes, replication, trades) needs from it goes through this index.
export { defineCatalog } from "./catalog/defineCatalog";
export { ITEM_RARITIES, rarityRank } from "./catalog/rarity";
export type { Catalog, ItemDef, ItemDefInput, ItemRarity } from "./catalog/types";
export { DropRegistry } from "./drops/DropRegistry";
export type { WorldDrop } from "./drops/types";
export { MAX_SAFE_INTEGER, isCount, isSafeInteger } from "./integers";
export { checkInventory } from "./invariants";
export { addItem } from "./operations/addItem";
export { adjustCurrency } from "./operations/adjustCurrency";
export { applyChange } from "./operations/applyChange";
export { MAX_STEPS, applySteps } from "./operations/applySteps";
export type { InventoryStep, StepRejection, StepsResult } from "./operations/applySteps";
export type {
	CurrencyChange,
	EquipChange,
	InventoryChange,
	InventoryEvent,
	InventoryOk,
	InventoryResult,
	SlotChange,
} from "./operations/change";
export { consumeItem } from "./operations/consumeItem";
export { dropItem } from "./operations/dropItem";
export { equipItem } from "./operations/equipItem";
export { mergeStacks } from "./operations/mergeStacks";
export { moveItem } from "./operations/moveItem";
export { pickUpDrop } from "./operations/pickUpDrop";
export { REJECT_REASONS, isRejectReason, reject } from "./operations/reasons";
export type { RejectReason } from "./operations/reasons";
export { removeItem } from "./operations/removeItem";
export { splitStack } from "./operations/splitStack";
export { unequipItem } from "./operations/unequipItem";
export { cloneInventory } from "./state/cloneInventory";
export { MAX_CAPACITY, createInventory } from "./state/createInventory";
export { mintItemId } from "./state/mintItemId";
export type { InventoryState, ItemAttrValue, ItemAttrs, ItemStack } from "./state/types";
