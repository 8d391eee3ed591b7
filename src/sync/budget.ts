/**
 * A token bucket over HTTP requests: `perMinute` tokens a minute, at most `burst` saved up.
 * Every request to the save API takes one (writes, pulls and reads share it), so a server stays
 * under its cap whatever happens, a retry storm included. Time comes from `clock` (seconds).
 */
export class RequestBudget {
	private tokens: number;
	private updatedAt: number;

	constructor(
		private readonly perMinute: number,
		private readonly burst: number,
		private readonly clock: () => number,
	) {
		this.tokens = burst;
		this.updatedAt = clock();
	}

	private refill(): void {
		const now = this.clock();
		this.tokens = math.min(this.burst, this.tokens + ((now - this.updatedAt) * this.perMinute) / 60);
		this.updatedAt = now;
	}

	/** Takes a token if one is there; returns whether it did. */
	tryTake(): boolean {
		this.refill();
		if (this.tokens < 1) return false;
		this.tokens -= 1;
		return true;
	}

	/** Seconds until a token is there (0 when one is). */
	waitTime(): number {
		this.refill();
		return this.tokens >= 1 ? 0 : ((1 - this.tokens) * 60) / this.perMinute;
	}

	/** Takes a token, waiting for one if needed; returns whether it had to wait. */
	take(sleep: (seconds: number) => void): boolean {
		let waited = false;
		while (!this.tryTake()) {
			waited = true;
			sleep(math.max(this.waitTime(), 0.01));
		}
		return waited;
	}
}
