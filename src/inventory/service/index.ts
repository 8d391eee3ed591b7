// The server service: applies inventory operations to loaded sessions. See createInventoryService.
export { createInventoryService } from "./createInventoryService";
export type {
	ConsumedEvent,
	Disconnectable,
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
} from "./types";
