// Runs a Luau driver script (a benchmark or a scenario) on the simulator: builds the test
// place so the script's servers can require the library, then runs it under Lune with the
// simulator module as its first vararg and the remaining arguments as its second.
//   node tools/simscript.mjs bench hop --json
//   node tools/simscript.mjs scenario trades --seed 3 --json
import { existsSync } from "node:fs";
import { join } from "node:path";
import { bootstrap, root } from "./bootstrap.mjs";
import { buildPackage, buildTestPlace, placePath } from "./build.mjs";
import { run } from "./lib/run.mjs";

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
const { lune, rojo } = await bootstrap({ server: false });
await buildPackage();
await buildTestPlace(rojo);
process.exit(await run(lune, ["run", "sim/cli.luau", "--", "--place", placePath, file, ...args], { cwd: root }));
