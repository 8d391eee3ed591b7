/** Answers whether a caller may make one more request now, and if not, when to retry. */
export type RateLimiter = (scope: string) => { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * A token bucket per scope (per replica): `perSecond` refill, `burst` capacity. 0 disables it. At most
 * `maxTracked` scopes are kept; past that the least recently seen goes (it would have refilled the
 * longest), never a scope that is being limited right now.
 */
export function createRateLimiter(
	perSecond: number,
	burst: number,
	now: () => number = Date.now,
	maxTracked = 100_000,
): RateLimiter {
	if (perSecond <= 0) return () => ({ allowed: true });
	const capacity = Math.max(burst, perSecond);
	// Insertion order is recency order: a scope is re-inserted each time it is seen.
	const buckets = new Map<string, { tokens: number; at: number }>();
	return (scope) => {
		const time = now();
		let bucket = buckets.get(scope);
		if (bucket) {
			buckets.delete(scope);
		} else {
			if (buckets.size >= maxTracked) buckets.delete(buckets.keys().next().value!);
			bucket = { tokens: capacity, at: time };
		}
		buckets.set(scope, bucket);
		bucket.tokens = Math.min(capacity, bucket.tokens + ((time - bucket.at) / 1000) * perSecond);
		bucket.at = time;
		if (bucket.tokens >= 1) {
			bucket.tokens -= 1;
			return { allowed: true };
		}
		return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)) };
	};
}
