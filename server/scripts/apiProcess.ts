// The save API in a process of its own on a free local port, for the benchmark and the
// multi-process tests: started from the sources with tsx, ready once /healthz answers.
import { type ChildProcess, spawn } from "node:child_process";

import { freePort } from "./pg.js";

const serverDir = new URL("..", import.meta.url);

export interface ApiProcess {
	readonly base: string;
	readonly child: ChildProcess;
}

/** Starts the API against `databaseUrl` with `env` added; resolves once it is healthy. */
export async function startApiProcess(databaseUrl: string, env: Record<string, string>): Promise<ApiProcess> {
	const port = await freePort();
	const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
		cwd: serverDir,
		stdio: ["ignore", "ignore", "inherit"],
		env: {
			...process.env,
			PORT: String(port),
			HOST: "127.0.0.1",
			DATABASE_URL: databaseUrl,
			LOG_LEVEL: "warn",
			...env,
		},
	});
	const base = `http://127.0.0.1:${port}`;
	try {
		await waitHealthy(base, child);
	} catch (error) {
		await stopApiProcess(child);
		throw error;
	}
	return { base, child };
}

/** Stops an API process (SIGTERM) and resolves once it has exited. */
export async function stopApiProcess(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((resolve) => child.once("exit", resolve));
	child.kill("SIGTERM");
	await exited;
}

async function waitHealthy(base: string, child: ChildProcess): Promise<void> {
	const deadline = Date.now() + 30_000;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`the API at ${base} exited with code ${child.exitCode}`);
		try {
			if ((await fetch(`${base}/healthz`)).ok) return;
		} catch {
			// not listening yet
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(`the API at ${base} did not become healthy within 30 s`);
}
