// Starts the reference save API (server/) as a child process for the simulator's specs and
// scenarios: on PGlite in memory, or on a private PostgreSQL started with server/scripts/pg.ts;
// on a free port, with generated keys, its push invalidations aimed at the Open Cloud endpoint a
// simulated world will serve on `openCloudPort`. It is always stopped afterwards: by `stop()`,
// and also at process exit or on SIGINT/SIGTERM.
//
//   const api = await startSaveApi({ database: "pglite" });
//   spawn(lune, [...], { env: { ...process.env, ...api.env } });
//   await api.stop();
//
// `api.env` is what the simulator reads (sim.env in specs, process.env in scenario scripts):
//   HOPSAFE_API_URL            http://127.0.0.1:<port>
//   HOPSAFE_API_SERVER_KEY     bearer key of game servers (put it in a simulated Secret)
//   HOPSAFE_API_ADMIN_KEY      admin key (companion tokens, audit log)
//   HOPSAFE_API_DATABASE       "pglite" or "postgres"
//   HOPSAFE_OPEN_CLOUD_PORT    the port world:startOpenCloud({ port }) must serve on
//   HOPSAFE_OPEN_CLOUD_KEY     the x-api-key the API publishes with (give it to startOpenCloud)
//   HOPSAFE_UNIVERSE_ID        the universe the API publishes to (the simulator's gameId, 4242)
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { root } from "../bootstrap.mjs";

const serverDir = join(root, "server");
/** The simulator's default `gameId` (sim/settings/world.luau), which Open Cloud calls the universe. */
export const SIM_UNIVERSE_ID = "4242";

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const address = server.address();
			server.close(() =>
				address && typeof address === "object" ? resolve(address.port) : reject(new Error("no port")),
			);
		});
	});
}

/** Whether `port` on 127.0.0.1 can be listened on now. */
function canListen(port) {
	return new Promise((resolve) => {
		const server = createServer();
		server.once("error", () => resolve(false));
		server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
	});
}

/**
 * A free port for the worlds' Open Cloud endpoint. Each spec's world serves on it and stops, so
 * it is unbound between specs: it must lie below the kernel's range of ephemeral ports (32768 and
 * up on Linux), or an outgoing connection (to the API, to PostgreSQL) could take it as its local
 * port in such a gap and keep it, and every later world would fail to serve. It is also below the
 * ranges the simulator picks ports from on its own (47100 and 49200 up).
 */
async function openCloudFreePort() {
	for (let attempt = 0; attempt < 200; attempt++) {
		const port = 20000 + Math.floor(Math.random() * 12000);
		if (await canListen(port)) return port;
	}
	throw new Error("no free port for the Open Cloud endpoint in 20000-31999");
}

const key = (prefix) => `${prefix}-${randomBytes(18).toString("hex")}`;

/**
 * A preload for the API process: its outgoing requests (the Open Cloud publishes) open a new
 * connection each time. Every test builds a world of its own, whose Open Cloud endpoint serves on
 * the same port after the previous world's was stopped; a kept-alive connection would still
 * reach the stopped endpoint (which answers 503) instead of the new one.
 */
function noKeepAlive() {
	const undici = pathToFileURL(join(serverDir, "node_modules", "undici", "index.js")).href;
	const code =
		`const undici = await import(${JSON.stringify(undici)});` +
		"const agent = new undici.Agent({ pipelining: 0 });" +
		"undici.setGlobalDispatcher(agent);" +
		"globalThis.fetch = (input, init) => undici.fetch(input, { ...init, dispatcher: agent });";
	return `data:text/javascript,${encodeURIComponent(code)}`;
}

async function waitForHealth(url, child, output, seconds) {
	const deadline = Date.now() + seconds * 1000;
	while (Date.now() < deadline) {
		if (child.exitCode !== null || child.signalCode !== null) {
			throw new Error(`the save API exited during startup (${child.exitCode ?? child.signalCode}):\n${output()}`);
		}
		try {
			const response = await fetch(`${url}/healthz`);
			if (response.ok) return;
		} catch {
			// Not listening yet.
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(`the save API did not answer ${url}/healthz within ${seconds} s:\n${output()}`);
}

/**
 * Starts the save API. Options: `database` ("pglite", the default, or "postgres": a private
 * cluster from server/scripts/pg.ts), `openCloudPort` (default: a free port), `outboxPollMs`
 * (default 20), `log` (a function for progress lines; default stderr). Resolves with
 * `{ url, serverKey, adminKey, openCloudPort, openCloudKey, universeId, database, env, stop() }`.
 */
export async function startSaveApi(options = {}) {
	const database = options.database ?? "pglite";
	const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
	const port = await freePort();
	const openCloudPort = options.openCloudPort ?? (await openCloudFreePort());
	const serverKey = key("hs-server");
	const adminKey = key("hs-admin");
	const openCloudKey = key("oc");

	let cluster;
	let databaseUrl;
	if (database === "postgres") {
		// server/scripts/pg.ts is TypeScript: load it through the server's own tsx.
		const tsx = await import(
			pathToFileURL(join(serverDir, "node_modules", "tsx", "dist", "esm", "api", "index.mjs")).href
		);
		const pg = await tsx.tsImport("./scripts/pg.ts", pathToFileURL(join(serverDir, "package.json")).href);
		cluster = await pg.startPostgres({ fsync: "off", synchronous_commit: "off", full_page_writes: "off" });
		databaseUrl = await cluster.createDatabase("hopsafe_sync");
	} else if (database !== "pglite") {
		throw new Error(`startSaveApi: database must be "pglite" or "postgres" (got "${database}")`);
	}

	const env = {
		...process.env,
		PORT: String(port),
		HOST: "127.0.0.1",
		HOPSAFE_SERVER_KEY: serverKey,
		HOPSAFE_ADMIN_KEY: adminKey,
		OPEN_CLOUD_BASE_URL: `http://127.0.0.1:${openCloudPort}`,
		OPEN_CLOUD_API_KEY: openCloudKey,
		UNIVERSE_ID: SIM_UNIVERSE_ID,
		OUTBOX_POLL_MS: String(options.outboxPollMs ?? 20),
		LOG_LEVEL: options.logLevel ?? "warn",
	};
	delete env.DATABASE_URL;
	delete env.PGLITE_DATA_DIR;
	delete env.HOPSAFE_DEV;
	if (databaseUrl) env.DATABASE_URL = databaseUrl;

	const child = spawn(process.execPath, ["--import", "tsx", "--import", noKeepAlive(), "src/main.ts"], {
		cwd: serverDir,
		env,
		stdio: ["ignore", "pipe", "pipe"],
	});
	let tail = "";
	const keep = (chunk) => {
		tail = (tail + chunk.toString()).slice(-8000);
	};
	child.stdout.on("data", keep);
	child.stderr.on("data", keep);

	let stopped = false;
	const killNow = () => {
		if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
	};
	const onExit = () => {
		killNow();
	};
	const onSignal = (signal) => {
		killNow();
		process.exit(signal === "SIGINT" ? 130 : 143);
	};
	process.once("exit", onExit);
	process.once("SIGINT", onSignal);
	process.once("SIGTERM", onSignal);

	const stop = async () => {
		if (stopped) return;
		stopped = true;
		process.removeListener("exit", onExit);
		process.removeListener("SIGINT", onSignal);
		process.removeListener("SIGTERM", onSignal);
		if (child.exitCode === null && child.signalCode === null) {
			const exited = new Promise((resolve) => child.once("exit", resolve));
			child.kill("SIGTERM");
			const timer = setTimeout(killNow, 5000);
			await exited;
			clearTimeout(timer);
		}
		if (cluster) await cluster.stop();
	};

	const url = `http://127.0.0.1:${port}`;
	try {
		await waitForHealth(url, child, () => tail, 90);
	} catch (error) {
		await stop();
		throw error;
	}
	log(`[save-api] ${database} API on ${url}; pushes to Open Cloud on port ${openCloudPort}`);
	return {
		url,
		serverKey,
		adminKey,
		openCloudPort,
		openCloudKey,
		universeId: SIM_UNIVERSE_ID,
		database,
		output: () => tail,
		env: {
			HOPSAFE_API_URL: url,
			HOPSAFE_API_SERVER_KEY: serverKey,
			HOPSAFE_API_ADMIN_KEY: adminKey,
			HOPSAFE_API_DATABASE: database,
			HOPSAFE_OPEN_CLOUD_PORT: String(openCloudPort),
			HOPSAFE_OPEN_CLOUD_KEY: openCloudKey,
			HOPSAFE_UNIVERSE_ID: SIM_UNIVERSE_ID,
		},
		stop,
	};
}
