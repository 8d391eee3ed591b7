import cluster from "node:cluster";

import { ConfigError, loadConfig } from "./config.js";
import { startServer } from "./server.js";

function fail(message: string): never {
	process.stderr.write(`${message}\n`);
	process.exit(2);
}

function config() {
	try {
		return loadConfig();
	} catch (error) {
		if (error instanceof ConfigError) fail(error.message);
		throw error;
	}
}

function runPrimary(workers: number): void {
	let stopping = false;
	for (let i = 0; i < workers; i++) cluster.fork();
	cluster.on("exit", (worker, code, signal) => {
		if (stopping) return;
		process.stderr.write(`worker ${worker.process.pid} exited (${signal ?? code}); stopping\n`);
		process.exitCode = 1;
		stopping = true;
		for (const other of Object.values(cluster.workers ?? {})) other?.kill("SIGTERM");
	});
	const stop = () => {
		stopping = true;
		for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGTERM");
	};
	process.once("SIGTERM", stop);
	process.once("SIGINT", stop);
}

async function runWorker(): Promise<void> {
	const settings = config();
	const server = await startServer(settings);
	const log = server.app.server.log;
	process.on("unhandledRejection", (reason) => log.error({ err: reason }, "unhandled rejection"));
	const stop = (signal: string) => {
		log.info({ signal }, "shutting down");
		server.stop().then(
			() => process.exit(0),
			(error: unknown) => {
				log.error({ err: error }, "shutdown failed");
				process.exit(1);
			},
		);
	};
	process.once("SIGTERM", () => stop("SIGTERM"));
	process.once("SIGINT", () => stop("SIGINT"));
}

const settings = config();
if (settings.workers > 1 && cluster.isPrimary) {
	runPrimary(settings.workers);
} else {
	await runWorker();
}
