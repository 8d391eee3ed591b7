// The inventory protocol: what the server and the client module share (reasons, intents,
// messages, remote names, limits, the signal type). Loads nothing of the vault.
export { INTENT_ARGS, isIntentName } from "./intents";
export type { ArgKind, IntentArgs, IntentName } from "./intents";
export { MAX_COUNT, MAX_NAME_LENGTH, MAX_REQUEST_ID, MAX_SLOT } from "./limits";
export type { DeltaMessage, RejectMessage, SnapshotMessage, SyncMessage } from "./messages";
export { EQUIPPED_ATTRIBUTE_PREFIX, REMOTES_FOLDER, REQUEST_REMOTE, SYNC_REMOTE, equippedAttribute } from "./names";
export { PROTOCOL_REASONS, describeReason, isClientRejectReason, isRequestRejectReason } from "./reasons";
export type { ClientRejectReason, ProtocolReason, RequestRejectReason, ServiceRejectReason } from "./reasons";
export { HookSignal } from "./signal";
export type { InventorySignal, SignalConnection } from "./signal";
