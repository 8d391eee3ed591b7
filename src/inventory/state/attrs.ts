import type { ItemAttrValue } from "./types";

/** Whether `value` may be an item attribute's value: a string, a boolean or a finite number. */
export function isAttrValue(value: unknown): value is ItemAttrValue {
	return (
		typeIs(value, "string") ||
		typeIs(value, "boolean") ||
		(typeIs(value, "number") && value === value && math.abs(value) !== math.huge)
	);
}
