/** Backoff of `retry`: attempt `n` (from 1) waits `base * 2^(n-1)` seconds plus jitter. */
export interface RetryOptions {
	readonly attempts: number;
	readonly baseDelay: number;
	readonly maxDelay?: number;
	/** Draws jitter in [0, 1); defaults to math.random. */
	readonly random?: () => number;
	/**
	 * Failures that only ask the caller to come back later (throttling): they do not count
	 * among `attempts` and are retried with the same growing backoff while the whole call has
	 * taken at most `patience` seconds.
	 */
	readonly isTransient?: (thrown: unknown) => boolean;
	readonly patience?: number;
	/** Checked before each wait: true ends the retries with the last error. */
	readonly abandon?: () => boolean;
}

/**
 * Calls `attempt` until it does not throw, at most `attempts` times, with exponential backoff
 * and jitter between tries. Returns `[true, value]` or `[false, lastError]`.
 */
export function retry<T>(options: RetryOptions, attempt: () => T): [true, T] | [false, unknown] {
	const started = os.clock();
	let lastError: unknown;
	let failures = 0;
	for (let tries = 1; ; tries++) {
		const [success, value] = pcall(attempt);
		if (success) return [true, value as T];
		lastError = value;
		const transient = options.patience !== undefined && options.isTransient?.(value) === true;
		if (!transient) failures += 1;
		if (failures >= options.attempts) break;
		const backoff = math.min(options.baseDelay * 2 ** (tries - 1), options.maxDelay ?? math.huge);
		let delay = backoff + (options.random ?? math.random)() * backoff * 0.5;
		if (transient) {
			// The last try comes at the end of the patience, not a backoff early.
			const remaining = options.patience! - (os.clock() - started);
			if (remaining <= 0) break;
			delay = math.min(delay, remaining);
		}
		if (options.abandon?.()) break;
		task.wait(delay);
	}
	return [false, lastError];
}
