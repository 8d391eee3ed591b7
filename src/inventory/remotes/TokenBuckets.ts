/** A token bucket: `burst` requests at once, refilled at `rate` per second. */
export interface RateLimit {
	readonly rate: number;
	readonly burst: number;
}

interface Bucket {
	tokens: number;
	at: number;
}

/** One token bucket per player, on an injected clock. Internal to the remotes. */
export class TokenBuckets {
	private readonly buckets = new Map<number, Bucket>();

	public constructor(
		private readonly limit: RateLimit,
		private readonly clock: () => number,
	) {}

	/** Takes a token for `userId`; false when the bucket is empty. */
	public take(userId: number): boolean {
		const now = this.clock();
		const { rate, burst } = this.limit;
		let bucket = this.buckets.get(userId);
		if (bucket === undefined) {
			bucket = { tokens: burst, at: now };
			this.buckets.set(userId, bucket);
		} else {
			bucket.tokens = math.min(burst, bucket.tokens + (now - bucket.at) * rate);
			bucket.at = now;
		}
		if (bucket.tokens < 1) return false;
		bucket.tokens -= 1;
		return true;
	}

	public forget(userId: number): void {
		this.buckets.delete(userId);
	}
}
