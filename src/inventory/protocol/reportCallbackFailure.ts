import { describeThrown, makeError, type HopsafeError } from "../../core/errors";
import type { HookSignal } from "./signal";

/**
 * Reports a game callback that threw: through the service's `callbackFailed` signal when someone
 * listens, else as a warning, so the failure is never silent and never reaches the engine.
 */
export function reportCallbackFailure(
	signal: HookSignal<[failure: HopsafeError<"CallbackFailed">]>,
	callback: string,
	thrown: unknown,
): void {
	const failure = makeError("CallbackFailed", `${callback} threw: ${describeThrown(thrown)}`, { callback }, thrown);
	if (signal.listening) signal.Fire(failure);
	else warn(`[hopsafe] ${failure.message}`);
}
