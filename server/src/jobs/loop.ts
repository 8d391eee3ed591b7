import type { FastifyBaseLogger } from "fastify";

/** A background loop that can be stopped and awaited. */
export interface Loop {
	stop(): Promise<void>;
}

/**
 * Runs `step` repeatedly: again at once while it reports more work, else after `idleMs`. Errors are
 * logged and the loop goes on; it never leaves an unhandled rejection.
 */
export function startLoop(name: string, step: () => Promise<boolean>, idleMs: number, log: FastifyBaseLogger): Loop {
	let running = true;
	let wake: (() => void) | undefined;
	const sleep = (ms: number) =>
		new Promise<void>((resolve) => {
			const timer = setTimeout(resolve, ms);
			wake = () => {
				clearTimeout(timer);
				resolve();
			};
		});
	const done = (async () => {
		while (running) {
			let more = false;
			try {
				more = await step();
			} catch (error) {
				log.warn({ err: error, loop: name }, "background step failed");
			}
			if (running && !more) await sleep(idleMs);
		}
	})();
	return {
		async stop() {
			running = false;
			wake?.();
			await done;
		},
	};
}
