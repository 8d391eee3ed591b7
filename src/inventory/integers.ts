/** The largest integer a double holds exactly (2^53 - 1). */
export const MAX_SAFE_INTEGER = 9007199254740991;

/**
 * Whether `value` is an integer a double holds exactly. Values may come from a client through
 * several layers, so the type is checked too; NaN fails `value === value`.
 */
export function isSafeInteger(value: unknown): value is number {
	return (
		typeIs(value, "number") &&
		value === value &&
		value % 1 === 0 &&
		value >= -MAX_SAFE_INTEGER &&
		value <= MAX_SAFE_INTEGER
	);
}

/** Whether `value` is a count: an integer in 1..2^53-1. */
export function isCount(value: unknown): value is number {
	return typeIs(value, "number") && value % 1 === 0 && value >= 1 && value <= MAX_SAFE_INTEGER;
}
