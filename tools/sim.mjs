// `npm run sim -- FILE.luau [args]`: builds the test place (so FILE's servers can require the
// library), then runs FILE under Lune with the simulator module as its first vararg.
//   npm run sim -- --no-build FILE.luau    skip the build and use build/test-place.rbxl as it is
import { bootstrap, root } from "./bootstrap.mjs";
import { buildPackage, buildTestPlace, placePath } from "./build.mjs";
import { run } from "./lib/run.mjs";

const args = process.argv.slice(2);
const skipBuild = args[0] === "--no-build";
if (skipBuild) args.shift();
if (args.length === 0) {
	console.error("usage: npm run sim -- [--no-build] FILE.luau [args...]");
	process.exit(2);
}
const { lune, rojo } = await bootstrap({ server: false });
// The test place holds the Luau bundle, which is made of the package build.
if (!skipBuild) {
	await buildPackage();
	await buildTestPlace(rojo);
}
process.exit(await run(lune, ["run", "sim/cli.luau", "--", "--place", placePath, ...args], { cwd: root }));
