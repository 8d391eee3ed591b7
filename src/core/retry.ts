/** Backoff of `retry`: attempt `n` (from 1) waits `base * 2^(n-1)` seconds plus jitter. */
export interface RetryOptions {
	readonly attempts: number;
	readonly baseDelay: number;
	readonly maxDelay?: number;
	/** Draws jitter in [0, 1); defaults to math.random. */
	readonly random?: () => number;
}

/**
 * Calls `attempt` until it does not throw, at most `attempts` times, with exponential backoff
 * and jitter between tries. Returns `[true, value]` or `[false, lastError]`.
 */
export function retry<T>(options: RetryOptions, attempt: () => T): [true, T] | [false, unknown] {
	let lastError: unknown;
	for (let index = 1; index <= options.attempts; index++) {
		const [success, value] = pcall(attempt);
		if (success) return [true, value as T];
		lastError = value;
		if (index < options.attempts) {
			const backoff = math.min(options.baseDelay * 2 ** (index - 1), options.maxDelay ?? math.huge);
			const jitter = (options.random ?? math.random)() * backoff * 0.5;
			task.wait(backoff + jitter);
		}
	}
	return [false, lastError];
}
