// The users' own path, with real components: the library packed as npm publishes it, installed
// into a fresh roblox-ts game project, compiled with rbxtsc, built with Rojo and played in the
// simulator (join, load, change, save, hop, load again); and the same for a plain Luau Rojo
// project using the bundled model. Every failure names the step that failed.
// HOPSAFE_KEEP_CONSUMER=1 keeps the temporary projects for a look after a failure.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const fixtures = join(root, "tools", "test", "consumer");
const lune = process.env.HOPSAFE_LUNE ?? "lune";
const rojo = process.env.HOPSAFE_ROJO ?? "rojo";
const rootPackage = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
// The toolchain a game project pins, at the versions this repository pins.
const TOOLCHAIN = ["roblox-ts", "typescript", "@rbxts/types", "@rbxts/compiler-types"];

let work;
let tarball;

/** Runs a step's command; a failure names the step and shows the command's output. */
function runStep(stepName, command, args, cwd) {
	const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 300_000 });
	const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
	assert.equal(
		result.error,
		undefined,
		`step '${stepName}': ${command} could not run: ${result.error?.message}\n${output}`,
	);
	assert.equal(result.status, 0, `step '${stepName}' failed (exit ${result.status}):\n${output}`);
	return result.stdout;
}

function readJson(path) {
	return JSON.parse(readFileSync(path, "utf8"));
}

/** The version of a package in this repository's node_modules, checked against a pin. */
function installedVersion(name, pinned) {
	const path = join(root, "node_modules", name, "package.json");
	assert.ok(existsSync(path), `step 'install': ${name} is not installed in this repository (run npm ci)`);
	const { version } = readJson(path);
	assert.equal(version, pinned, `step 'install': ${name} ${pinned} is pinned but ${version} is installed`);
	return version;
}

before(() => {
	work = mkdtempSync(join(tmpdir(), "hopsafe-consumer-"));
	// The package build and the Luau bundle, as `npm publish` and a release would make them.
	runStep("package build", join(root, "node_modules", ".bin", "rbxtsc"), ["-p", "tsconfig.json"], root);
	const packed = JSON.parse(runStep("npm pack", "npm", ["pack", "--json", "--pack-destination", work], root));
	tarball = join(work, packed[0].filename);
	const files = packed[0].files.map((file) => file.path);
	for (const required of [rootPackage.main, rootPackage.types]) {
		assert.ok(files.includes(required), `step 'npm pack': the tarball lacks ${required} (package.json main/types)`);
	}
	const specs = files.filter((file) => /\.spec\.|tsbuildinfo/.test(file));
	assert.deepEqual(specs, [], "step 'npm pack': the tarball holds spec or build-info files");
	runStep("Luau bundle build", rojo, ["build", "luau.project.json", "-o", join(work, "hopsafe.rbxm")], root);
});

/**
 * Installs the packed tarball into `project` the way npm lays it out, without the network: the
 * tarball is unpacked into node_modules/@rbxts/hopsafe, each dependency it declares is copied
 * from this repository's node_modules (at the version it declares), and the toolchain is
 * linked from there.
 */
function install(project) {
	const modules = join(project, "node_modules");
	const target = join(modules, "@rbxts", "hopsafe");
	mkdirSync(target, { recursive: true });
	runStep("install: unpack the tarball", "tar", ["-xzf", tarball, "-C", target, "--strip-components=1"], project);
	const packed = readJson(join(target, "package.json"));
	for (const [name, range] of Object.entries(packed.dependencies ?? {})) {
		installedVersion(name, range);
		cpSync(join(root, "node_modules", name), join(modules, name), { recursive: true, dereference: true });
	}
	for (const name of TOOLCHAIN) {
		installedVersion(name, rootPackage.devDependencies[name]);
		mkdirSync(dirname(join(modules, name)), { recursive: true });
		// A junction on Windows needs no privilege; elsewhere the type is ignored.
		symlinkSync(join(root, "node_modules", name), join(modules, name), "junction");
	}
	const devDependencies = Object.fromEntries(TOOLCHAIN.map((name) => [name, rootPackage.devDependencies[name]]));
	writeFileSync(
		join(project, "package.json"),
		JSON.stringify(
			{
				name: "consumer-game",
				private: true,
				dependencies: { "@rbxts/hopsafe": `file:${tarball}` },
				devDependencies,
			},
			undefined,
			"\t",
		),
	);
}

/** Plays `place` in the simulator with the consumer driver; the driver names a failed step. */
function play(place, userId) {
	const stdout = runStep(
		"simulator",
		lune,
		["run", "sim/cli.luau", "--", "--place", place, "tools/test/consumer/driver.luau", String(userId)],
		root,
	);
	assert.match(stdout, new RegExp(`consumer place ok: player ${userId} loaded`));
}

test("a roblox-ts game installs the packed library, compiles, builds and keeps a player's data across a hop", () => {
	const project = join(work, "game");
	cpSync(join(fixtures, "game"), project, { recursive: true });
	install(project);
	const rbxtsc = join(project, "node_modules", "roblox-ts", "out", "CLI", "cli.js");
	runStep("rbxtsc", "node", [rbxtsc], project);
	for (const script of ["server/main.server.luau", "client/main.client.luau"]) {
		assert.ok(existsSync(join(project, "out", script)), `step 'rbxtsc': no out/${script}`);
	}
	assert.ok(existsSync(join(project, "include", "RuntimeLib.lua")), "step 'rbxtsc': no include/RuntimeLib.lua");
	const place = join(work, "game.rbxl");
	runStep("rojo build", rojo, ["build", "default.project.json", "-o", place], project);
	play(place, 983001);
});

test("a plain Luau Rojo project using the bundled model keeps a player's data across a hop", () => {
	const project = join(work, "luau");
	cpSync(join(fixtures, "luau"), project, { recursive: true });
	cpSync(join(work, "hopsafe.rbxm"), join(project, "hopsafe.rbxm"));
	const place = join(work, "luau.rbxl");
	runStep("rojo build", rojo, ["build", "default.project.json", "-o", place], project);
	play(place, 983002);
});

process.on("exit", () => {
	if (work && !process.env.HOPSAFE_KEEP_CONSUMER) rmSync(work, { recursive: true, force: true });
});
