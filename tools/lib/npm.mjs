// Installs a package's npm dependencies when its lockfile changed since the last install.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./run.mjs";

const STAMP = ".hopsafe-lock-hash";

/** Runs `npm ci` in `dir` when node_modules is missing or older than package-lock.json. */
export async function ensureNpmDependencies(dir, label) {
	const lockfile = join(dir, "package-lock.json");
	if (!existsSync(lockfile)) throw new Error(`${lockfile} is missing`);
	const hash = createHash("sha256").update(readFileSync(lockfile)).digest("hex");
	const stamp = join(dir, "node_modules", STAMP);
	if (existsSync(stamp) && readFileSync(stamp, "utf8") === hash) return;
	console.log(`Installing npm dependencies for ${label} (npm ci)...`);
	const code = await run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: dir });
	if (code !== 0) throw new Error(`npm ci failed in ${dir} (exit ${code})`);
	writeFileSync(stamp, hash);
}
