/**
 * Answers whether a caller may spend `cost` requests (default one) now, and if not, when to retry. A
 * refusal spends nothing. `burst` is the most one call can ever spend (Infinity when disabled).
 */
export interface RateLimiter {
	(scope: string, cost?: number): { allowed: true } | { allowed: false; retryAfterSeconds: number };
	readonly burst: number;
}

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
	if (perSecond <= 0) return Object.assign(() => ({ allowed: true }) as const, { burst: Infinity });
	const capacity = Math.max(burst, perSecond);
	// Insertion order is recency order: a scope is re-inserted each time it is seen.
	const buckets = new Map<string, { tokens: number; at: number }>();
	const limit = (scope: string, cost = 1): ReturnType<RateLimiter> => {
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
		if (bucket.tokens >= cost) {
			bucket.tokens -= cost;
			return { allowed: true };
		}
		return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((cost - bucket.tokens) / perSecond)) };
	};
	return Object.assign(limit, { burst: capacity });
}
