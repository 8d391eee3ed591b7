/**
 * A deep copy of plain data (tables of tables, no cycles). Migrations run on copies so that a
 * failing step cannot leave half-migrated data behind.
 */
export function deepCopy<T>(value: T): T {
	if (!typeIs(value, "table")) return value;
	const copy = new Map<unknown, unknown>();
	for (const [key, item] of pairs(value as unknown as Map<unknown, unknown>)) {
		copy.set(key, deepCopy(item));
	}
	return copy as unknown as T;
}
