export type { ErrorDetailsByKind, ErrorKind, HopsafeError } from "./core/errors";
export { describeThrown, formatError, isErrorKind, isHopsafeError, makeError } from "./core/errors";
export type { Err, Ok, Result } from "./core/result";
export { err, mapResult, ok, tryCallback, unwrapOr } from "./core/result";
export type { Platform } from "./platform";
export { defaultPlatform } from "./platform";
export type {
	LoadFailure,
	LoadFailurePolicy,
	Migration,
	MigrationStep,
	OfflineEdit,
	ProfileVersion,
	ProfileView,
	ReleaseHook,
	ReleaseReason,
	Session,
	SessionHooks,
	Vault,
	VaultMessage,
	VaultOptions,
} from "./vault";
export { createVault } from "./vault";
// inventory: the pure core (src/inventory/index.ts). Values are exported from the files that
// declare them, where tools/check-examples.mjs finds their doc comments.
export type {
	Catalog,
	CurrencyChange,
	EquipChange,
	InventoryChange,
	InventoryEvent,
	InventoryOk,
	InventoryResult,
	InventoryState,
	ItemAttrValue,
	ItemAttrs,
	ItemDef,
	ItemDefInput,
	ItemRarity,
	ItemStack,
	RejectReason,
	SlotChange,
	WorldDrop,
} from "./inventory";
export { defineCatalog } from "./inventory/catalog/defineCatalog";
export { ITEM_RARITIES, rarityRank } from "./inventory/catalog/rarity";
export { DropRegistry } from "./inventory/drops/DropRegistry";
export { checkInventory } from "./inventory/invariants";
export { addItem } from "./inventory/operations/addItem";
export { adjustCurrency } from "./inventory/operations/adjustCurrency";
export { applyChange } from "./inventory/operations/applyChange";
export { MAX_STEPS, applySteps } from "./inventory/operations/applySteps";
export type { InventoryStep, StepRejection, StepsResult } from "./inventory/operations/applySteps";
export { consumeItem } from "./inventory/operations/consumeItem";
export { dropItem } from "./inventory/operations/dropItem";
export { equipItem } from "./inventory/operations/equipItem";
export { mergeStacks } from "./inventory/operations/mergeStacks";
export { moveItem } from "./inventory/operations/moveItem";
export { pickUpDrop } from "./inventory/operations/pickUpDrop";
export { REJECT_REASONS, isRejectReason } from "./inventory/operations/reasons";
export { removeItem } from "./inventory/operations/removeItem";
export { splitStack } from "./inventory/operations/splitStack";
export { unequipItem } from "./inventory/operations/unequipItem";
export { cloneInventory } from "./inventory/state/cloneInventory";
export { createInventory } from "./inventory/state/createInventory";
// inventory: the server service, remotes, replication and the protocol the client module shares.
// The client module itself is `@rbxts/hopsafe/out/client` (src/client), kept out of this index.
export type {
	ConsumedEvent,
	EarlySavePolicy,
	InventoryCensus,
	InventoryService,
	InventoryServiceOptions,
	ItemAuthority,
	PickedUpEvent,
	PlayerRef,
	ServiceResult,
	SessionSource,
	TransactOptions,
	TransactResult,
} from "./inventory/service";
export { createInventoryService } from "./inventory/service/createInventoryService";
export type { AuthorizeRequest, InventoryRemotes, InventoryRemotesOptions, RateLimit } from "./inventory/remotes";
export { bindInventoryRemotes } from "./inventory/remotes/bindInventoryRemotes";
export type {
	ClientRejectReason,
	DeltaMessage,
	IntentArgs,
	IntentName,
	InventorySignal,
	ProtocolReason,
	RejectMessage,
	RequestRejectReason,
	ServiceRejectReason,
	SignalConnection,
	SnapshotMessage,
	SyncMessage,
} from "./inventory/protocol";
export { PROTOCOL_REASONS, isClientRejectReason } from "./inventory/protocol/reasons";
export type { IntentResult, InventoryClient, InventoryClientOptions } from "./client";
// trade: same-server trades, gifts and cross-server trades, exactly once (src/trade).
export type {
	BundleTerms,
	CensusProfile,
	CrossServerSide,
	GiftRequest,
	GiveSpec,
	Leg,
	Offer,
	OfferClaim,
	OfferItem,
	Parcel,
	Trade,
	TradeCensus,
	TradeDecision,
	TradeEndReason,
	TradeIntentArgs,
	TradeIntentName,
	TradeLedger,
	TradeLimits,
	TradePhase,
	TradeProposal,
	TradeProtocolReason,
	TradeRejectReason,
	TradeRemotes,
	TradeRemotesOptions,
	TradeService,
	TradeServiceOptions,
	TradeSide,
	TradeStep,
	TradeUpdate,
	TransferOutcome,
} from "./trade";
export type { StackBundle, StackClaim } from "./inventory/service/transferStacks";
export { takeTradeCensus } from "./trade/census/takeTradeCensus";
export { checkTradeLedger } from "./trade/ledger/checkTradeLedger";
export { createTradeLedger } from "./trade/ledger/createTradeLedger";
export { summarizeTerms } from "./trade/ledger/summary";
export { TRADE_REASONS } from "./trade/reasons";
export { bindTradeRemotes } from "./trade/remotes/bindTradeRemotes";
export { createTradeService } from "./trade/service/createTradeService";
// sync: the reconciliation client of the external-authority mode (the save API is the truth).
export type {
	MutationOptions,
	OutboxEntry,
	Sync,
	SyncItem,
	SyncOp,
	SyncOptions,
	SyncPlayerRef,
	SyncRecord,
	SyncRejectReason,
	SyncRollback,
	SyncState,
	SyncStats,
	SyncTransferLeg,
	TransferReceipt,
	TransferSettlement,
} from "./sync";
export { createSync } from "./sync/sync";
export { createSyncRecord, isSyncRecord } from "./sync/record";
// purchases: developer products granted through the inventory, exactly once per purchase id.
export type { PurchaseLedger, PurchaseRefusal, Purchases, PurchasesOptions } from "./purchases";
export { bindPurchases } from "./purchases/bindPurchases";
export { createPurchaseLedger } from "./purchases/createPurchaseLedger";
