import type { RetryOptions } from "./retry";

/**
 * Whether a DataStore error says "not now": the server's request budget or throttle queue was
 * full (codes 301–306, `<Type>GameServerThrottled`, `<Type>ExperienceThrottled`), or a key or
 * store is over its throughput (`KeyThrottled`, `DatastoreThrottled`). The engine asks for these
 * to be retried with backoff; the request changed nothing.
 */
export function isThrottleError(thrown: unknown): boolean {
	const text = tostring(thrown);
	const code = tonumber(text.match("^%s*(%d+)%s*:")[0]);
	if (code !== undefined) return code >= 301 && code <= 306;
	return text.lower().find("throttl", 1, true)[0] !== undefined;
}

/** The numeric code at the start of an engine error (`"301: GetAsync request dropped..."`), if any. */
export function errorCode(thrown: unknown): number | undefined {
	return tonumber(tostring(thrown).match("^%s*(%d+)%s*:")[0]);
}

/** Longest wait between tries of a throttled request (seconds): a freed budget is used soon. */
const THROTTLE_MAX_BACKOFF = 8;

/**
 * How a DataStore request is retried: other failures `attempts` times in all, a throttled one
 * (it changed nothing) again after 1, 2, 4, then at most 8 seconds (plus jitter) for as long as
 * the whole call has taken at most `patience` seconds (none: like any other failure), or until
 * `abandon` says the caller no longer wants it.
 */
export function throttledRetry(attempts: number, patience?: number, abandon?: () => boolean): RetryOptions {
	return { attempts, baseDelay: 1, maxDelay: THROTTLE_MAX_BACKOFF, isTransient: isThrottleError, patience, abandon };
}
