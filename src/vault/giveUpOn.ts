import { ImmediateSignal } from "../core/signal";

/** How often a wait checks whether to give up (seconds). */
const CHECK_INTERVAL = 1;

/**
 * Runs `work` on its own thread and waits for it, checking `giveUp` every second. A call that
 * cannot be stopped (ProfileService's LoadProfileAsync retries a failed lock write for as long
 * as the server runs) then no longer holds its caller: it goes on alone, and what it returns
 * later is handed to `discard`. Returns `[true, value]`, or `[false]` once given up; what
 * `work` throws is thrown here.
 */
export function giveUpOn<T>(work: () => T, giveUp: () => boolean, discard: (late: T) => void): [true, T] | [false] {
	const finished = new ImmediateSignal();
	let outcome: [boolean, unknown] | undefined;
	let abandoned = false;
	task.spawn(() => {
		const [success, result] = pcall(work);
		if (abandoned) {
			if (success) discard(result as T);
			return;
		}
		outcome = [success, result];
		finished.Fire();
	});
	while (outcome === undefined) {
		if (giveUp()) {
			abandoned = true;
			return [false];
		}
		const tick = task.delay(CHECK_INTERVAL, () => finished.Fire());
		finished.Wait();
		if (coroutine.status(tick) === "suspended") task.cancel(tick);
	}
	const [success, result] = outcome;
	if (!success) throw result;
	return [true, result as T];
}
