import { isCount, isSafeInteger } from "../inventory/integers";
import { checkOp, emptyState, isKey, isReason, isState } from "./state";
import type { OutboxEntry, SyncRecord } from "./types";

/**
 * A new, empty sync record for a profile template: nothing acknowledged yet (version 0), an empty
 * outbox. The record belongs to the reconciliation client; game code reads the player's state
 * through the client, never here.
 *
 * @example
 * ```ts
 * import { createSyncRecord, isSyncRecord, type SyncRecord } from "@rbxts/hopsafe";
 *
 * interface PlayerData {
 * 	sync: SyncRecord;
 * 	settings: { music: boolean };
 * }
 *
 * const template: PlayerData = { sync: createSyncRecord(), settings: { music: true } };
 * const schema = (value: unknown): value is PlayerData =>
 * 	typeIs(value, "table") && isSyncRecord((value as { sync?: unknown }).sync);
 * print(schema(template));
 * ```
 */
export function createSyncRecord(): SyncRecord {
	return { mirror: emptyState(), outbox: [], deadLetters: [] };
}

function isEntry(value: unknown): value is OutboxEntry {
	if (!typeIs(value, "table")) return false;
	const entry = value as Partial<Record<keyof OutboxEntry, unknown>>;
	if (!isKey(entry.key) || !typeIs(entry.ops, "table") || !isSafeInteger(entry.attempts)) return false;
	if (!isSafeInteger(entry.createdAt) || (entry.sentAt !== undefined && !isSafeInteger(entry.sentAt))) return false;
	if (!isCount(entry.parts) || (entry.reason !== undefined && !isReason(entry.reason))) return false;
	const ops = entry.ops as Array<unknown>;
	if (ops.size() === 0) return false;
	for (const op of ops) if (checkOp(op) !== undefined) return false;
	return true;
}

/**
 * Whether `value` is a well-formed sync record (use it in the vault's schema, so a damaged
 * record is refused at load instead of replayed).
 */
export function isSyncRecord(value: unknown): value is SyncRecord {
	if (!typeIs(value, "table")) return false;
	const record = value as Partial<Record<keyof SyncRecord, unknown>>;
	if (!isState(record.mirror) || !typeIs(record.outbox, "table") || !typeIs(record.deadLetters, "table"))
		return false;
	for (const entry of record.outbox as Array<unknown>) if (!isEntry(entry)) return false;
	for (const entry of record.deadLetters as Array<unknown>) if (!isEntry(entry)) return false;
	return true;
}
