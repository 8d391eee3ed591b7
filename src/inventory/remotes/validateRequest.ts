import { t } from "@rbxts/t";
import { INTENT_ARGS, isIntentName, type ArgKind, type IntentName } from "../protocol/intents";
import { MAX_COUNT, MAX_NAME_LENGTH, MAX_REQUEST_ID, MAX_SLOT } from "../protocol/limits";

const isName = t.intersection(t.string, (value: unknown): value is string => {
	const text = value as string;
	return text.size() >= 1 && text.size() <= MAX_NAME_LENGTH;
});

/** How each argument kind is checked: types and ranges, with `@rbxts/t`. */
const ARG_CHECKS: Readonly<Record<ArgKind, (value: unknown) => boolean>> = {
	slot: t.intersection(t.integer, t.numberConstrained(0, MAX_SLOT)),
	count: t.intersection(t.integer, t.numberConstrained(1, MAX_COUNT)),
	itemId: isName,
	equipSlot: isName,
	token: isName,
};

const isRequestId = t.intersection(t.integer, t.numberConstrained(1, MAX_REQUEST_ID));

/** The request id of a raw request if it is valid, else 0 (a rejection then carries 0). */
export function requestIdOf(args: ReadonlyArray<unknown>): number {
	const id = args[0];
	return isRequestId(id) ? (id as number) : 0;
}

/**
 * How many arguments a request really carries: the highest position holding a value (-1 for a
 * table with non-numeric keys). A nil in the middle is a missing argument; trailing nils are the
 * same as absent ones.
 */
export function argumentCount(args: ReadonlyArray<unknown>): number {
	let count = 0;
	// Raw Luau keys (1-based): the args table as the engine built it, holes and all.
	for (const [index] of pairs(args as unknown as Map<unknown, unknown>)) {
		if (!typeIs(index, "number")) return -1;
		if (index > count) count = index;
	}
	return count;
}

/**
 * Checks a raw request `(requestId, intent, ...args)` as it came off the network: exact arity,
 * every argument's type and range (integers that are finite and not NaN, counts of at least 1,
 * bounded strings, no tables or other values). Returns the intent, or undefined for a
 * `bad_request`.
 */
export function validateRequest(args: ReadonlyArray<unknown>): IntentName | undefined {
	const intent = args[1];
	if (!isRequestId(args[0]) || !isIntentName(intent)) return undefined;
	const kinds = INTENT_ARGS[intent];
	if (argumentCount(args) !== kinds.size() + 2) return undefined;
	for (let index = 0; index < kinds.size(); index++) {
		if (!ARG_CHECKS[kinds[index]](args[index + 2])) return undefined;
	}
	return intent;
}
