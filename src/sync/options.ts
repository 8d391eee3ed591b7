import { makeError, type HopsafeError } from "../core/errors";

/**
 * What each numeric option of `createSync` must be. `seconds` and `rate`: a finite number above
 * zero (a zero request budget never refills, a zero interval spins, an infinite one never comes);
 * `count`: a whole number from zero (the retries before a dead letter).
 */
const NUMBERS: ReadonlyArray<[string, "positive" | "count"]> = [
	["flushInterval", "positive"],
	["pullInterval", "positive"],
	["maxRequestsPerMinute", "positive"],
	["maxRetries", "count"],
	["retryBaseDelay", "positive"],
	["retryMaxDelay", "positive"],
	["requestTimeout", "positive"],
	["flushDeadline", "positive"],
	["deadLetterRetryInterval", "positive"],
];

/** Options that must be non-empty strings when given (`baseUrl` always). */
const STRINGS = ["baseUrl", "secretName", "topicPrefix"];

/** Options that must be functions when given (`select` always). */
const FUNCTIONS = ["select", "migrate", "decideDoc", "newKey"];

function finite(value: number): boolean {
	return value === value && value > -math.huge && value < math.huge;
}

function invalid(argument: string, must: string, value: unknown): HopsafeError {
	return makeError("InvalidArgument", `createSync: ${argument} must be ${must} (got ${tostring(value)})`, {
		argument,
	});
}

/**
 * Why `createSync` cannot work with these options, if it cannot: checked at creation, so that a
 * wrong value fails at once instead of stalling every request later.
 */
export function checkSyncOptions(options: unknown): HopsafeError | undefined {
	if (!typeIs(options, "table")) return invalid("options", "a table", options);
	const fields = options as Record<string, unknown>;
	for (const [name, rule] of NUMBERS) {
		const value = fields[name];
		if (value === undefined) continue;
		if (rule === "positive" && !(typeIs(value, "number") && finite(value) && value > 0)) {
			return invalid(name, "a finite number above 0", value);
		}
		if (rule === "count" && !(typeIs(value, "number") && finite(value) && value >= 0 && value % 1 === 0)) {
			return invalid(name, "a whole number from 0", value);
		}
	}
	for (const name of STRINGS) {
		const value = fields[name];
		if ((value !== undefined || name === "baseUrl") && !(typeIs(value, "string") && value !== "")) {
			return invalid(name, "a non-empty string", value);
		}
	}
	for (const name of FUNCTIONS) {
		const value = fields[name];
		if ((value !== undefined || name === "select") && !typeIs(value, "function")) {
			return invalid(name, "a function", value);
		}
	}
	const onUnreachable = fields.onUnreachable;
	if (onUnreachable !== undefined && onUnreachable !== "hold" && onUnreachable !== "cached") {
		return invalid("onUnreachable", `"hold" or "cached"`, onUnreachable);
	}
	if (fields.platform !== undefined && !typeIs(fields.platform, "table")) {
		return invalid("platform", "a table", fields.platform);
	}
	return undefined;
}
