// Builds the published package (package mode, out/), the test place (game mode, out-test/,
// then `rojo build` to build/test-place.rbxl) and the Luau bundle (build/hopsafe.rbxm).
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { bootstrap, root } from "./bootstrap.mjs";
import { run, step } from "./lib/run.mjs";

const rbxtsc = join(root, "node_modules", ".bin", "rbxtsc");
export const placePath = join(root, "build", "test-place.rbxl");
export const bundlePath = join(root, "build", "hopsafe.rbxm");

export async function buildPackage() {
	step("Build the package (roblox-ts, package mode)");
	const code = await run(rbxtsc, ["-p", "tsconfig.json"], { cwd: root });
	if (code !== 0) throw new Error("the package build failed");
	removeStaleOutput(join(root, "out"), (path) => [join(root, "src"), path]);
	if (!existsSync(join(root, "out", "index.d.ts"))) throw new Error("the package build emitted no out/index.d.ts");
}

// roblox-ts leaves the output of deleted or moved sources behind: a stale spec would still run,
// and a stale module would still be packed (package.json ships all of out/). `sourceDir` maps a
// file's path under `outDir` (without its extension) to the directory its source lives in.
function removeStaleOutput(outDir, sourceDir) {
	const walk = (dir) =>
		existsSync(dir)
			? readdirSync(dir).flatMap((name) => {
					const path = join(dir, name);
					return statSync(path).isDirectory() ? walk(path) : [path];
				})
			: [];
	for (const file of walk(outDir)) {
		const match = /^(.*)\.(luau|d\.ts)$/.exec(relative(outDir, file).replace(/\\/g, "/"));
		const located = match && sourceDir(match[1]);
		if (!located) continue;
		const [dir, path] = located;
		const base = join(dir, path.replace(/(^|\/)init$/, "$1index"));
		if (![".ts", ".tsx", ".d.ts"].some((ext) => existsSync(base + ext)) && !existsSync(join(dir, path + ".ts"))) {
			rmSync(file);
		}
	}
}

export async function buildTestPlace(rojo) {
	step("Build the test place (roblox-ts, game mode) and rojo build it");
	let code = await run(
		rbxtsc,
		["--type", "game", "--rojo", "test.project.json", "-i", "include", "-p", "tsconfig.test.json"],
		{ cwd: root },
	);
	if (code !== 0) throw new Error("the test place build failed");
	removeStaleOutput(join(root, "out-test"), (path) => {
		const match = /^(src|test)\/(.*)$/.exec(path);
		return match && [join(root, match[1]), match[2]];
	});
	mkdirSync(join(root, "build"), { recursive: true });
	code = await run(rojo, ["build", "test.project.json", "-o", placePath], { cwd: root });
	if (code !== 0) throw new Error("rojo build of the test place failed");
	return placePath;
}

// The package for Luau users: one model holding the package build, the roblox-ts runtime and the
// package's dependencies, with a loader, so `require(model)` works without roblox-ts.
export async function buildLuauBundle(rojo) {
	step("Build the Luau bundle (build/hopsafe.rbxm)");
	mkdirSync(join(root, "build"), { recursive: true });
	const code = await run(rojo, ["build", "luau.project.json", "-o", bundlePath], { cwd: root });
	if (code !== 0) throw new Error("rojo build of the Luau bundle failed");
	return bundlePath;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const { rojo } = await bootstrap({ server: false });
	try {
		await buildPackage();
		await buildTestPlace(rojo);
		await buildLuauBundle(rojo);
	} catch (error) {
		console.error(error.message);
		process.exit(1);
	}
}
