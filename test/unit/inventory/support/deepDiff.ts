// Structural comparison for specs: the first difference between two values as a readable path,
// or undefined when they are deep-equal. Tables compare by raw keys, so an array with a hole,
// a stray key or a numeric key turned into a string all show up.

function describe(value: unknown): string {
	return typeIs(value, "string") ? `"${value}"` : tostring(value);
}

export function deepDiff(actual: unknown, expected: unknown, path = "$"): string | undefined {
	if (actual === expected) return undefined;
	if (!typeIs(actual, "table") || !typeIs(expected, "table")) {
		// NaN is the one value unequal to itself; treat two NaNs as equal.
		if (typeIs(actual, "number") && typeIs(expected, "number") && actual !== actual && expected !== expected) {
			return undefined;
		}
		return `${path}: ${describe(actual)} ~= ${describe(expected)}`;
	}
	for (const [key, value] of pairs(actual)) {
		const difference = deepDiff(
			value,
			(expected as Record<string, unknown>)[key as string],
			`${path}.${tostring(key)}`,
		);
		if (difference !== undefined) return difference;
	}
	for (const [key] of pairs(expected)) {
		if ((actual as Record<string, unknown>)[key as string] === undefined) {
			return `${path}.${tostring(key)}: missing (expected ${describe((expected as Record<string, unknown>)[key as string])})`;
		}
	}
	return undefined;
}

/** A deep copy sharing no table with `value` (what a RemoteEvent or a DataStore hands back). */
export function deepCopy<T>(value: T): T {
	if (!typeIs(value, "table")) return value;
	const copy: Record<string, unknown> = {};
	for (const [key, item] of pairs(value)) copy[key as string] = deepCopy(item);
	return copy as T;
}
