// Runs a Luau driver script (a benchmark or a scenario) on the simulator: builds the test
// place so the script's servers can require the library, then runs it under Lune with the
// simulator module as its first vararg and the remaining arguments as its second.
//   node tools/simscript.mjs bench hop --json
//   node tools/simscript.mjs scenario trades --seed 3 --json
// Scenarios that talk to the save API (NEEDS_SAVE_API, or any run with `--authority external`)
// get one started for the run by
// tools/lib/saveApi.mjs (PGlite in memory; `--database postgres` for a private PostgreSQL),
// reach it through HOPSAFE_* environment variables, and it is stopped afterwards.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { bootstrap, root } from "./bootstrap.mjs";
import { buildPackage, buildTestPlace, placePath } from "./build.mjs";
import { run } from "./lib/run.mjs";
import { startSaveApi } from "./lib/saveApi.mjs";

const NEEDS_SAVE_API = { scenario: new Set(["demo", "two-writers"]), bench: new Set() };

const [kind, name, ...args] = process.argv.slice(2);
const folders = { bench: "bench", scenario: "scenarios" };
if (!folders[kind] || !name) {
	console.error("usage: node tools/simscript.mjs <bench|scenario> <name> [args...]");
	process.exit(2);
}
const file = join(folders[kind], `${name}.luau`);
if (!existsSync(join(root, file))) {
	console.error(`no ${kind} named "${name}" (${file})`);
	process.exit(2);
}
const quiet = args.includes("--json");
// Progress goes to stderr when --json is given, so the last stdout line stays the JSON.
const log = (line) => (quiet ? console.error(line) : console.log(line));
log(`Preparing ${kind} ${name}...`);
const authorityAt = args.indexOf("--authority");
const needsApi = NEEDS_SAVE_API[kind].has(name) || (authorityAt >= 0 && args[authorityAt + 1] === "external");
const { lune, rojo } = await bootstrap({ server: needsApi });
await buildPackage();
await buildTestPlace(rojo);
let env = process.env;
let api;
if (needsApi) {
	const at = args.indexOf("--database");
	const database = at >= 0 ? args[at + 1] : "pglite";
	api = await startSaveApi({ database, log });
	env = { ...process.env, ...api.env };
}
let code;
try {
	code = await run(lune, ["run", "sim/cli.luau", "--", "--place", placePath, file, ...args], { cwd: root, env });
} finally {
	await api?.stop();
}
process.exit(code);
