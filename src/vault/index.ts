export type {
	LoadFailure,
	LoadFailurePolicy,
	Migration,
	MigrationStep,
	ReleaseReason,
	Session,
	SessionHooks,
	VaultOptions,
} from "./types";
export type { MessageHandler, VaultMessage } from "./messages";
export type { OfflineEdit } from "./offlineEdit";
export type { ReleaseHook, Vault } from "./vault";
export type { ProfileVersion, ProfileView } from "./view";
export { createVault } from "./vault";
