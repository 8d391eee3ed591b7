/** Answers whether a caller may make one more request now, and if not, when to retry. */
export type RateLimiter = (scope: string) => { allowed: true } | { allowed: false; retryAfterSeconds: number };

const MAX_TRACKED = 100_000;

/** A token bucket per scope (per replica): `perSecond` refill, `burst` capacity. 0 disables it. */
export function createRateLimiter(perSecond: number, burst: number, now: () => number = Date.now): RateLimiter {
	if (perSecond <= 0) return () => ({ allowed: true });
	const capacity = Math.max(burst, perSecond);
	const buckets = new Map<string, { tokens: number; at: number }>();
	return (scope) => {
		const time = now();
		let bucket = buckets.get(scope);
		if (!bucket) {
			if (buckets.size >= MAX_TRACKED) buckets.clear();
			bucket = { tokens: capacity, at: time };
			buckets.set(scope, bucket);
		}
		bucket.tokens = Math.min(capacity, bucket.tokens + ((time - bucket.at) / 1000) * perSecond);
		bucket.at = time;
		if (bucket.tokens >= 1) {
			bucket.tokens -= 1;
			return { allowed: true };
		}
		return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)) };
	};
}
