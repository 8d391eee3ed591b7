import { isRetryable } from "../db/sqlstate.js";

const ATTEMPTS = 4;

/** Runs `fn`, retrying the whole transaction on deadlock or serialization failure. */
export async function withRetries<T>(fn: () => Promise<T>, onRetry: () => void = () => {}): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await fn();
		} catch (error) {
			if (attempt >= ATTEMPTS || !isRetryable(error)) throw error;
			onRetry();
			await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
		}
	}
}
