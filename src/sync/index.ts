export type {
	MutationOptions,
	OutboxEntry,
	PlayerRef as SyncPlayerRef,
	SyncItem,
	SyncOp,
	SyncOptions,
	SyncRecord,
	SyncRejectReason,
	SyncRollback,
	SyncState,
	SyncStats,
	SyncTransferLeg,
	TransferReceipt,
	TransferSettlement,
} from "./types";
export type { Sync } from "./sync";
export { createSync } from "./sync";
export { createSyncRecord, isSyncRecord } from "./record";
