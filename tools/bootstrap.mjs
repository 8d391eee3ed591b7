// Installs what the tests need when it is missing: npm dependencies (root and server),
// Lune and Rojo at their pinned versions. Safe to run repeatedly; a second run does nothing.
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { ensureNpmDependencies } from "./lib/npm.mjs";
import { ensureTool } from "./lib/tools.mjs";
import { step } from "./lib/run.mjs";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Returns the paths of the pinned tools after making sure everything is installed. */
export async function bootstrap({ server = true } = {}) {
	step("Dependencies");
	await ensureNpmDependencies(root, "the library");
	if (server) await ensureNpmDependencies(join(root, "server"), "the save API");
	const lune = await ensureTool("lune");
	const rojo = await ensureTool("rojo");
	console.log(`lune: ${lune}\nrojo: ${rojo}`);
	return { lune, rojo };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	bootstrap().catch((error) => {
		console.error(error.message);
		process.exit(1);
	});
}
