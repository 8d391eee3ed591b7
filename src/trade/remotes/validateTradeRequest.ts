import { t } from "@rbxts/t";
import { MAX_SAFE_INTEGER } from "../../inventory/integers";
import { MAX_COUNT, MAX_NAME_LENGTH, MAX_REQUEST_ID, MAX_SLOT } from "../../inventory/protocol/limits";
import { argumentCount } from "../../inventory/remotes/validateRequest";
import type { TradeIntentName } from "./types";

type Check = (value: unknown) => boolean;

const isName: Check = (value) => typeIs(value, "string") && value.size() >= 1 && value.size() <= MAX_NAME_LENGTH;
const integerIn = (min: number, max: number): Check => t.intersection(t.integer, t.numberConstrained(min, max));
const isSlot = integerIn(0, MAX_SLOT);
const isCount = integerIn(1, MAX_COUNT);

/** A list of at most `max` entries, each passing `check`, and nothing else in the table. */
function listOf(max: number, check: Check): Check {
	const isArray = t.array(check as t.check<unknown>);
	return (value) => {
		if (!typeIs(value, "table")) return false;
		let size = 0;
		for (const [_key] of pairs(value)) {
			size += 1;
			if (size > max) return false;
		}
		return isArray(value);
	};
}

/** Every intent's argument checks, in order: the exact arity the middleware enforces. */
export function intentChecks(
	maxStacks: number,
	maxCurrencies: number,
): Readonly<Record<TradeIntentName, ReadonlyArray<Check>>> {
	return {
		invite: [integerIn(1, MAX_SAFE_INTEGER)],
		accept: [isName],
		decline: [isName],
		cancel: [isName],
		offer: [
			isName,
			listOf(
				maxStacks,
				t.strictArray(isSlot as t.check<number>, isName as t.check<string>, isCount as t.check<number>),
			),
			listOf(maxCurrencies, t.strictArray(isName as t.check<string>, isCount as t.check<number>)),
		],
		confirm: [isName, integerIn(0, MAX_REQUEST_ID)],
	};
}

/**
 * Checks a raw request `(requestId, intent, ...args)` off the network: a valid request id, a
 * known intent, the exact arity, and every argument's type and range. Returns the intent, or
 * undefined for a `bad_request`.
 */
export function validateTradeRequest(
	checks: Readonly<Record<TradeIntentName, ReadonlyArray<Check>>>,
	args: ReadonlyArray<unknown>,
): TradeIntentName | undefined {
	const intent = args[1];
	if (!integerIn(1, MAX_REQUEST_ID)(args[0]) || !typeIs(intent, "string")) return undefined;
	const argChecks = (checks as Record<string, ReadonlyArray<Check> | undefined>)[intent];
	if (argChecks === undefined) return undefined;
	if (argumentCount(args) !== argChecks.size() + 2) return undefined;
	for (let index = 0; index < argChecks.size(); index++) {
		if (!argChecks[index](args[index + 2])) return undefined;
	}
	return intent as TradeIntentName;
}
