/**
 * What a client may ask of the server, and the arguments each intent takes after the request
 * id and the intent name: `Request:FireServer(requestId, intent, ...args)`. Slots are numbered
 * from 0; an item is always named by the slot the client believes holds it *and* its id, so a
 * stale or spoofed claim is refused (`item_mismatch`) instead of acting on another item.
 */
export interface IntentArgs {
	consume: [slot: number, itemId: string, count: number];
	move: [from: number, itemId: string, to: number];
	split: [from: number, itemId: string, count: number, to: number];
	merge: [from: number, fromId: string, to: number, toId: string];
	equip: [slot: number, itemId: string, equipSlot: string];
	unequip: [equipSlot: string, itemId: string];
	drop: [slot: number, itemId: string, count: number];
	pickUp: [token: string];
	/** Asks for a fresh snapshot (after a sequence gap). */
	resync: [];
}

/** The name of an intent. */
export type IntentName = keyof IntentArgs;

/** The kind of one intent argument, which decides how the middleware validates it. */
export type ArgKind = "slot" | "itemId" | "count" | "equipSlot" | "token";

/** Every intent's argument kinds, in order: the exact arity the middleware enforces. */
export const INTENT_ARGS: Readonly<Record<IntentName, ReadonlyArray<ArgKind>>> = table.freeze({
	consume: ["slot", "itemId", "count"],
	move: ["slot", "itemId", "slot"],
	split: ["slot", "itemId", "count", "slot"],
	merge: ["slot", "itemId", "slot", "itemId"],
	equip: ["slot", "itemId", "equipSlot"],
	unequip: ["equipSlot", "itemId"],
	drop: ["slot", "itemId", "count"],
	pickUp: ["token"],
	resync: [],
});

/** Whether `value` names an intent. */
export function isIntentName(value: unknown): value is IntentName {
	return (
		typeIs(value, "string") &&
		(INTENT_ARGS as Record<string, ReadonlyArray<ArgKind> | undefined>)[value] !== undefined
	);
}
