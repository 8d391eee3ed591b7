// What a request body can carry. HttpService:JSONEncode writes NaN and infinities as words no JSON
// parser reads, raises on functions, Instances and cycles, and drops what does not fit an array
// (string keys beside numbered ones, items after a hole). One such value in a batch made the API
// refuse the whole batch, so the writes of every player in it failed with it.

/** Whether `value` is a JSON value: a string, a boolean, a finite number, an array or an object. */
function isJsonValue(value: unknown, ancestors: Set<object>): boolean {
	if (typeIs(value, "string") || typeIs(value, "boolean")) return true;
	if (typeIs(value, "number")) return value === value && math.abs(value) !== math.huge;
	if (!typeIs(value, "table") || ancestors.has(value)) return false;
	ancestors.add(value);
	let strings = 0;
	let numbers = 0;
	let largest = 0;
	let fine = true;
	for (const [key, item] of pairs(value as Map<unknown, unknown>)) {
		if (typeIs(key, "string")) strings += 1;
		else if (typeIs(key, "number") && key >= 1 && key % 1 === 0) {
			numbers += 1;
			largest = math.max(largest, key);
		} else fine = false;
		if (!fine || !isJsonValue(item, ancestors)) {
			fine = false;
			break;
		}
	}
	ancestors.delete(value);
	// An array is 1..n with no hole; an object has string keys only.
	return fine && (numbers === 0 || (strings === 0 && largest === numbers));
}

/**
 * Whether `value` is a JSON object whose every value JSON carries as it is (item attributes, a
 * document's value): string keys, and nested strings, booleans, finite numbers, arrays without
 * holes and objects, with no cycle.
 */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
	if (!typeIs(value, "table")) return false;
	for (const [key] of pairs(value as object)) if (!typeIs(key, "string")) return false;
	return isJsonValue(value, new Set());
}
