// `npm run test:studio`: builds the test place and runs the specs in Roblox Studio through
// run-in-roblox (Windows or macOS with Studio installed; install run-in-roblox 0.3.0 with
// Rokit/Aftman or `cargo install run-in-roblox`). It cannot run on a machine without Studio.
import { bootstrap, root } from "./bootstrap.mjs";
import { buildPackage, buildTestPlace, placePath } from "./build.mjs";
import { probe, run } from "./lib/run.mjs";

if (!probe("run-in-roblox", ["--help"])) {
	console.error(
		"run-in-roblox was not found. It needs Roblox Studio (Windows or macOS): install it with\n" +
			"  rokit add rojo-rbx/run-in-roblox@0.3.0   (or: cargo install run-in-roblox --version 0.3.0)\n" +
			"The headless suite runs everywhere with `npm test`.",
	);
	process.exit(2);
}
const { rojo } = await bootstrap({ server: false });
await buildPackage();
await buildTestPlace(rojo);
process.exit(
	await run("run-in-roblox", ["--place", placePath, "--script", "tools/studio/run-tests.server.luau"], { cwd: root }),
);
