/** Whether two plain data values (tables of tables, no cycles) hold the same contents. */
export function deepEqual(a: unknown, b: unknown): boolean {
	if (!typeIs(a, "table") || !typeIs(b, "table")) return a === b;
	const x = a as Map<unknown, unknown>;
	const y = b as Map<unknown, unknown>;
	for (const [key, value] of pairs(x)) {
		if (!deepEqual(value, y.get(key))) return false;
	}
	for (const [key] of pairs(y)) if (x.get(key) === undefined) return false;
	return true;
}
