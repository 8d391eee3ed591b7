// The save API's player model, in memory: validating and applying operations the way the API
// does (so the optimistic view agrees with what the API will answer), and applying the change
// feed's entries (their `after` values are the API's own). Pure: no services, no yielding.
import { deepCopy } from "../core/deepCopy";
import { deepEqual } from "../core/deepEqual";
import { isCount, isSafeInteger, MAX_SAFE_INTEGER } from "../inventory/integers";
import { isJsonObject } from "./json";
import type { SyncItem, SyncOp, SyncRejectReason, SyncState } from "./types";

/** Most operations one transaction may carry (the API's limit). */
export const MAX_OPS = 50;

/** A name (item id, definition, currency, document, progress): the API's alphabet, 1–64 characters. */
export function isName(value: unknown): value is string {
	return (
		typeIs(value, "string") &&
		value.size() >= 1 &&
		value.size() <= 64 &&
		value.match("^[%w][%w_%.:%-]*$")[0] !== undefined
	);
}

/** An audit reason: up to 200 letters, digits, spaces and `_ . : / # @ , + = ( ) -`. */
export function isReason(value: unknown): value is string {
	return typeIs(value, "string") && value.size() <= 200 && value.match("^[%w _%.:/#@,%+=%(%)%-]*$")[0] !== undefined;
}

/**
 * `text` as an idempotency key: every character a key cannot hold, and `_` itself, becomes `_`
 * and two hex digits, so different texts never share a key.
 */
export function keyOf(text: string): string {
	const [escaped] = text.gsub("[^%w%.:%-]", (c) => `_${"%02x".format(c.byte()[0])}`);
	return escaped;
}

/** An idempotency key: 1–255 letters, digits and `_ . : -`. */
export function isKey(value: unknown): value is string {
	return (
		typeIs(value, "string") &&
		value.size() >= 1 &&
		value.size() <= 255 &&
		value.match("^[%w_%.:%-]+$")[0] !== undefined
	);
}

/** A JSON object: a table whose keys are all strings (an empty table counts). */
export function isObject(value: unknown): value is Record<string, unknown> {
	if (!typeIs(value, "table")) return false;
	for (const [key] of pairs(value as object)) if (!typeIs(key, "string")) return false;
	return true;
}

/** A new empty state at version 0 (an unknown player, as the API reads it). */
export function emptyState(): SyncState {
	return { version: 0, currencies: {}, items: {}, docs: {}, progress: {} };
}

/** A deep copy of a state. */
export function cloneState(state: SyncState): SyncState {
	return deepCopy(state);
}

/** Whether `value` has the shape of an item. */
export function isItem(value: unknown): value is SyncItem {
	if (!typeIs(value, "table")) return false;
	const item = value as { id?: unknown; def?: unknown; count?: unknown; attrs?: unknown };
	return isName(item.id) && isName(item.def) && isCount(item.count) && isObject(item.attrs);
}

/** Why an operation is malformed (refused by the API as `invalid_request`), or undefined. */
export function checkOp(value: unknown): SyncRejectReason | undefined {
	if (!typeIs(value, "table")) return "invalid_request";
	const op = value as SyncOp;
	switch (op.op) {
		case "currency.add":
			return isName(op.currency) && isSafeInteger(op.amount) ? undefined : "invalid_request";
		case "item.grant":
			return isItem(op.item) && isJsonObject(op.item.attrs) ? undefined : "invalid_request";
		case "item.remove":
			return isName(op.id) && (op.count === undefined || isCount(op.count)) ? undefined : "invalid_request";
		case "item.update":
			return isName(op.id) && isJsonObject(op.attrs) ? undefined : "invalid_request";
		case "doc.set":
			return isName(op.name) && isJsonObject(op.value) ? undefined : "invalid_request";
		case "progress.advance":
			return isName(op.name) && isSafeInteger(op.to) && op.to >= 0 ? undefined : "invalid_request";
		default:
			return "invalid_request";
	}
}

/**
 * Whether an operation can be coalesced with others into one transaction without changing what
 * the API answers: it cannot be refused in practice (credits, progress, and grants when their
 * ids are `fresh`, never used before).
 */
export function isCoalescable(op: SyncOp, fresh: boolean): boolean {
	return (
		(op.op === "currency.add" && op.amount >= 0) ||
		op.op === "progress.advance" ||
		(op.op === "item.grant" && fresh)
	);
}

type Undo = () => void;

function setCurrency(state: SyncState, currency: string, amount: number | undefined): void {
	(state.currencies as Record<string, number | undefined>)[currency] = amount;
}

function setItem(state: SyncState, id: string, item: SyncItem | undefined): void {
	(state.items as Record<string, SyncItem | undefined>)[id] = item;
}

function setDoc(state: SyncState, name: string, value: Record<string, unknown> | undefined): void {
	(state.docs as Record<string, Record<string, unknown> | undefined>)[name] = value;
}

function setProgress(state: SyncState, name: string, value: number | undefined): void {
	(state.progress as Record<string, number | undefined>)[name] = value;
}

/** Applies one operation as the API would; returns the refusal reason, or an undo function. */
function applyOne(state: SyncState, op: SyncOp): SyncRejectReason | Undo {
	switch (op.op) {
		case "currency.add": {
			const before = state.currencies[op.currency] as number | undefined;
			const after = (before ?? 0) + op.amount;
			if (after < 0) return "insufficient_funds";
			if (after > MAX_SAFE_INTEGER) return "limit_exceeded";
			setCurrency(state, op.currency, after);
			return () => setCurrency(state, op.currency, before);
		}
		case "item.grant": {
			if (state.items[op.item.id] !== undefined) return "item_exists";
			setItem(state, op.item.id, deepCopy(op.item));
			return () => setItem(state, op.item.id, undefined);
		}
		case "item.remove": {
			const before = state.items[op.id] as SyncItem | undefined;
			const count = op.count ?? 1;
			if (before === undefined || before.count < count) return "item_not_owned";
			setItem(
				state,
				op.id,
				before.count === count
					? undefined
					: { id: before.id, def: before.def, count: before.count - count, attrs: before.attrs },
			);
			return () => setItem(state, op.id, before);
		}
		case "item.update": {
			const before = state.items[op.id] as SyncItem | undefined;
			if (before === undefined) return "item_not_owned";
			setItem(state, op.id, { id: before.id, def: before.def, count: before.count, attrs: deepCopy(op.attrs) });
			return () => setItem(state, op.id, before);
		}
		case "doc.set": {
			const before = state.docs[op.name] as Record<string, unknown> | undefined;
			setDoc(state, op.name, deepCopy(op.value));
			return () => setDoc(state, op.name, before);
		}
		case "progress.advance": {
			const before = state.progress[op.name] as number | undefined;
			if (before === undefined || before < op.to) setProgress(state, op.name, op.to);
			return () => setProgress(state, op.name, before);
		}
	}
}

/**
 * Applies a transaction's operations to `state` the way the API does: all of them, or (when one
 * is refused) none. Returns the refusal reason, or undefined when applied. The version is not
 * touched.
 */
export function applyOps(state: SyncState, ops: ReadonlyArray<SyncOp>): SyncRejectReason | undefined {
	const undos = new Array<Undo>();
	for (const op of ops) {
		const outcome = applyOne(state, op);
		if (!typeIs(outcome, "function")) {
			for (let index = undos.size() - 1; index >= 0; index--) undos[index]();
			return outcome;
		}
		undos.push(outcome);
	}
	return undefined;
}

/** One operation of a change-feed entry: the API's own `before` and `after` values. */
export interface ChangeOp {
	readonly op: string;
	readonly currency?: string;
	readonly id?: string;
	readonly name?: string;
	readonly after?: unknown;
}

/**
 * Applies one operation of a change-feed entry (`changes?since=`): sets what it changed to its
 * `after` value. Covers transactions (`currency.add`, `item.*`, `doc.set`, `progress.advance`)
 * and transfers (`transfer.in` / `transfer.out` of a currency or an item). Returns false when the
 * entry is not understood (the caller then reads the full state).
 */
export function applyChangeOp(state: SyncState, op: ChangeOp): boolean {
	const after = op.after;
	if (op.currency !== undefined) {
		if (!isSafeInteger(after)) return false;
		setCurrency(state, op.currency, after);
		return true;
	}
	if (op.op === "doc.set" && op.name !== undefined) {
		if (after !== undefined && !isObject(after)) return false;
		setDoc(state, op.name, after === undefined ? undefined : deepCopy(after));
		return true;
	}
	if (op.op === "progress.advance" && op.name !== undefined) {
		if (!isSafeInteger(after)) return false;
		setProgress(state, op.name, after);
		return true;
	}
	if (op.op.sub(1, 4) === "item" || op.op.sub(1, 8) === "transfer") {
		if (after === undefined) {
			if (op.id === undefined) return false;
			setItem(state, op.id, undefined);
			return true;
		}
		if (!isItem(after)) return false;
		setItem(state, after.id, deepCopy(after));
		return true;
	}
	return false;
}

/**
 * Whether `value` is a state the profile can keep: what the API could hold (names, counts and
 * balances never negative). Anything the API answers is checked with it before it is adopted,
 * so a malformed answer never reaches the profile (where it would fail the record's check at
 * the next load).
 */
export function isState(value: unknown): value is SyncState {
	if (!typeIs(value, "table")) return false;
	const state = value as Partial<Record<keyof SyncState, unknown>>;
	if (!isSafeInteger(state.version) || state.version < 0) return false;
	for (const field of ["currencies", "items", "docs", "progress"] as const) {
		if (!isObject(state[field])) return false;
	}
	for (const [currency, amount] of pairs(state.currencies as object)) {
		if (!isName(currency) || !isSafeInteger(amount) || amount < 0) return false;
	}
	for (const [id, item] of pairs(state.items as object)) if (!isItem(item) || item.id !== id) return false;
	for (const [name, doc] of pairs(state.docs as object)) if (!isName(name) || !isObject(doc)) return false;
	for (const [name, step] of pairs(state.progress as object)) {
		if (!isName(name) || !isSafeInteger(step) || step < 0) return false;
	}
	return true;
}

/** A state from the API's player body (`GET /v1/players/{id}`), or undefined when malformed. */
export function stateFromWire(body: unknown): SyncState | undefined {
	if (!typeIs(body, "table")) return undefined;
	const wire = body as {
		version?: unknown;
		currencies?: unknown;
		items?: unknown;
		docs?: unknown;
		progress?: unknown;
	};
	if (!isSafeInteger(wire.version) || !typeIs(wire.currencies, "table") || !typeIs(wire.items, "table"))
		return undefined;
	const state = emptyState();
	state.version = wire.version;
	for (const [currency, amount] of pairs(wire.currencies as object)) {
		if (!isName(currency) || !isSafeInteger(amount)) return undefined;
		setCurrency(state, currency, amount);
	}
	for (const item of wire.items as Array<unknown>) {
		if (!isItem(item)) return undefined;
		setItem(state, item.id, deepCopy(item));
	}
	if (typeIs(wire.docs, "table")) {
		for (const [name, value] of pairs(wire.docs as object)) {
			if (!isName(name) || !isObject(value)) return undefined;
			setDoc(state, name, deepCopy(value));
		}
	}
	if (typeIs(wire.progress, "table")) {
		for (const [name, value] of pairs(wire.progress as object)) {
			if (!isName(name) || !isSafeInteger(value)) return undefined;
			setProgress(state, name, value);
		}
	}
	return isState(state) ? state : undefined;
}

/** Whether two states hold the same progress (versions aside). */
export function sameContents(a: SyncState, b: SyncState): boolean {
	return (
		deepEqual(a.currencies, b.currencies) &&
		deepEqual(a.items, b.items) &&
		deepEqual(a.docs, b.docs) &&
		deepEqual(a.progress, b.progress)
	);
}
