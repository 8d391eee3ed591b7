// Starts a private, throwaway PostgreSQL cluster from the Debian binaries for tests and benchmarks:
// temp data directory, free port on 127.0.0.1, run as an unprivileged user when we are root, and
// always stopped and removed afterwards (also on failure or interrupt).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import pg from "pg";

const PG_ROOT = "/usr/lib/postgresql";
const PG_USER = "hopsafe-pg";

/** A running private PostgreSQL. */
export interface PgCluster {
	/** Superuser URL of the `postgres` database (TCP on 127.0.0.1). */
	url: string;
	/** Directory of the cluster's Unix socket. */
	socketDir: string;
	port: number;
	binDir: string;
	/** Creates an empty database and returns its URL. */
	createDatabase(name: string): Promise<string>;
	stop(): Promise<void>;
}

function log(message: string): void {
	process.stderr.write(`[pg] ${message}\n`);
}

function findBinDir(): string | undefined {
	if (!existsSync(PG_ROOT)) return undefined;
	const versions = readdirSync(PG_ROOT)
		.filter((version) => existsSync(join(PG_ROOT, version, "bin", "initdb")))
		.sort((a, b) => Number(b) - Number(a));
	return versions[0] === undefined ? undefined : join(PG_ROOT, versions[0], "bin");
}

function run(command: string, args: string[]): void {
	const result = spawnSync(command, args, { stdio: ["ignore", process.stderr, process.stderr] });
	if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status ?? result.signal})`);
}

/** The PostgreSQL bin directory, installing Debian's postgresql package if no server is present. */
export function ensurePostgresInstalled(): string {
	const found = findBinDir();
	if (found) return found;
	log("PostgreSQL binaries not found; installing Debian's postgresql package (progress below)");
	run("apt-get", ["update"]);
	run("apt-get", ["install", "-y", "postgresql"]);
	const installed = findBinDir();
	if (!installed) throw new Error(`apt-get installed postgresql but no ${PG_ROOT}/*/bin/initdb was found`);
	return installed;
}

function idOf(flag: "-u" | "-g", user: string): number | undefined {
	try {
		return Number(execFileSync("id", [flag, user], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
	} catch {
		return undefined;
	}
}

/** initdb refuses to run as root: pick (or create) an unprivileged user to own the cluster. */
function runAsUser(): { uid: number; gid: number } | undefined {
	if (process.getuid?.() !== 0) return undefined;
	if (idOf("-u", PG_USER) === undefined) {
		spawnSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_USER], {
			stdio: "ignore",
		});
	}
	for (const user of [PG_USER, "nobody"]) {
		const uid = idOf("-u", user);
		const gid = idOf("-g", user);
		if (uid !== undefined && gid !== undefined && uid !== 0) return { uid, gid };
	}
	throw new Error(`running as root and could not create or find an unprivileged user (${PG_USER} or nobody)`);
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const address = server.address();
			server.close(() =>
				typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
			);
		});
	});
}

function exec(
	binary: string,
	args: string[],
	user: { uid: number; gid: number } | undefined,
	cwd: string,
): Promise<void> {
	return new Promise((resolve, reject) => {
		const child = spawn(binary, args, {
			cwd,
			env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8", LC_ALL: "C.UTF-8" },
			stdio: ["ignore", "pipe", "pipe"],
			...(user ?? {}),
		});
		let output = "";
		child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
		child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
		child.once("error", reject);
		child.once("exit", (code) =>
			code === 0 ? resolve() : reject(new Error(`${binary} exited with ${code}:\n${output.slice(-4000)}`)),
		);
	});
}

/**
 * Starts a private cluster. `settings` become `-c name=value` server options (e.g. fsync=off for tests).
 * The cluster is stopped and its directory removed by `stop()`, or at process exit or on SIGINT/SIGTERM.
 */
export async function startPostgres(settings: Record<string, string> = {}): Promise<PgCluster> {
	const binDir = ensurePostgresInstalled();
	const user = runAsUser();
	const root = mkdtempSync(join(tmpdir(), "hopsafe-pg-"));
	chmodSync(root, 0o700);
	if (user) chownSync(root, user.uid, user.gid);
	const dataDir = join(root, "data");
	const port = await freePort();

	let stopped = false;
	const stopSync = () => {
		if (stopped) return;
		stopped = true;
		spawnSync(join(binDir, "pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"], {
			stdio: "ignore",
			cwd: root,
			...(user ?? {}),
		});
		rmSync(root, { recursive: true, force: true });
	};
	const onSignal = (signal: NodeJS.Signals) => {
		stopSync();
		process.exit(signal === "SIGINT" ? 130 : 143);
	};
	process.once("exit", stopSync);
	process.once("SIGINT", onSignal);
	process.once("SIGTERM", onSignal);

	try {
		await exec(
			join(binDir, "initdb"),
			["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
			user,
			root,
		);
		const options = [`-p ${port}`, `-k ${root}`, "-c listen_addresses=127.0.0.1"];
		for (const [name, value] of Object.entries(settings)) options.push(`-c ${name}=${value}`);
		await exec(
			join(binDir, "pg_ctl"),
			["-D", dataDir, "-l", join(root, "server.log"), "-w", "-t", "60", "-o", options.join(" "), "start"],
			user,
			root,
		);
	} catch (error) {
		stopSync();
		throw error;
	}
	const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
	log(`PostgreSQL (${binDir}) running on port ${port}`);
	return {
		url,
		port,
		binDir,
		socketDir: root,
		async createDatabase(name: string) {
			const client = new pg.Client({ connectionString: url });
			await client.connect();
			try {
				await client.query(`CREATE DATABASE "${name.replace(/[^a-z0-9_]/g, "")}"`);
			} finally {
				await client.end();
			}
			return `postgres://postgres@127.0.0.1:${port}/${name}`;
		},
		async stop() {
			process.removeListener("SIGINT", onSignal);
			process.removeListener("SIGTERM", onSignal);
			process.removeListener("exit", stopSync);
			if (stopped) return;
			stopped = true;
			await exec(join(binDir, "pg_ctl"), ["-D", dataDir, "-m", "fast", "-w", "stop"], user, root).catch(
				(error: unknown) => log(`pg_ctl stop failed: ${(error as Error).message}`),
			);
			rmSync(root, { recursive: true, force: true });
		},
	};
}
