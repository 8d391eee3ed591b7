import type { GlobalUpdates } from "@rbxts/profileservice/globals";
import type { Envelope } from "./envelope";
import type { Session } from "./types";

/**
 * A message posted to a player's profile from anywhere: another server, a tool, or while the
 * player is offline. It is delivered to the server holding the player (or at their next
 * load) and applied exactly once: its id is remembered in the profile in the same save that
 * stores what the handler changed.
 */
export interface VaultMessage {
	/** Unique per message; posting the same id twice delivers it once. */
	readonly id: string;
	readonly kind: string;
	readonly body: unknown;
}

/**
 * Applies one message to the player's data: return `false` to leave it waiting, anything else
 * (including nothing) to mark it applied.
 */
export type MessageHandler<T extends object> = (session: Session<T>, message: VaultMessage) => boolean | void;

/** Days a processed message id is remembered (a repost older than this would apply again). */
const PROCESSED_RETENTION_DAYS = 60;

export function isVaultMessage(value: unknown): value is VaultMessage {
	if (!typeIs(value, "table")) return false;
	const candidate = value as Partial<VaultMessage>;
	return typeIs(candidate.id, "string") && typeIs(candidate.kind, "string");
}

/** Whether a message with `id` is waiting in the profile's global updates (active or locked). */
export function hasPending(updates: GlobalUpdates, id: string): boolean {
	for (const [, data] of updates.GetActiveUpdates()) {
		if ((data as unknown as Partial<VaultMessage>).id === id) return true;
	}
	for (const [, data] of updates.GetLockedUpdates()) {
		if ((data as unknown as Partial<VaultMessage>).id === id) return true;
	}
	return false;
}

/** The processed-message ids kept in the envelope, pruned of ones past retention. */
export function processedIds(envelope: Envelope, now: number): Record<string, number> {
	let processed = envelope.processed;
	if (processed === undefined) {
		processed = {};
		envelope.processed = processed;
	}
	const cutoff = now - PROCESSED_RETENTION_DAYS * 86400;
	for (const [id, at] of pairs(processed)) {
		if (at < cutoff) delete processed[id];
	}
	return processed;
}
