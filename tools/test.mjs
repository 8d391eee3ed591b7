// `npm test`: installs what is missing, lints, builds, runs every suite (TestEZ specs under
// Lune, the tooling's node tests, the save API's tests on PGlite and PostgreSQL) and ends
// with one line counting everything that ran: `N passed, N failed`.
//
//   npm test                      everything
//   npm test -- --suite specs     one suite: lint, examples, specs, tooling, server
//   npm test -- --filter TEXT     only TestEZ specs whose name contains TEXT
import { join } from "node:path";
import { bootstrap, root } from "./bootstrap.mjs";
import { buildPackage, buildTestPlace } from "./build.mjs";
import { parseCounts, run, runCaptured, step } from "./lib/run.mjs";

const args = process.argv.slice(2);
const option = (name) => {
	const index = args.indexOf(name);
	return index >= 0 ? args[index + 1] : undefined;
};
const only = option("--suite");
const filter = option("--filter");
const wanted = (suite) => only === undefined || only === suite;

const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];

function record(name, counts) {
	totals.passed += counts.passed;
	totals.failed += counts.failed;
	totals.skipped += counts.skipped ?? 0;
	lines.push(`${name}: ${counts.passed} passed, ${counts.failed} failed`);
}

// A gate (lint, build) is not a test: it adds nothing when it passes, one failure when not.
async function gate(name, action) {
	try {
		const ok = await action();
		if (ok === false) throw new Error(`${name} failed`);
		lines.push(`${name}: ok`);
		return true;
	} catch (error) {
		console.error(`${name}: ${error.message}`);
		record(name, { passed: 0, failed: 1 });
		return false;
	}
}

async function suite(name, command, commandArgs, options) {
	step(name);
	const { code, output } = await runCaptured(command, commandArgs, { cwd: root, ...options });
	const counts = parseCounts(output);
	if (!counts) {
		record(name, { passed: 0, failed: 1 });
		console.error(`${name}: no "N passed, N failed" line in its output (exit ${code})`);
		return;
	}
	if (code !== 0 && counts.failed === 0) counts.failed = 1;
	record(name, counts);
}

async function main() {
	let tools;
	try {
		tools = await bootstrap({ server: wanted("server") });
	} catch (error) {
		console.error(error.message);
		console.log("0 passed, 1 failed");
		process.exit(1);
	}

	if (wanted("lint")) {
		step("Lint");
		const bin = (name) => join(root, "node_modules", ".bin", name);
		await gate("eslint", async () => (await run(bin("eslint"), ["src", "test", "tools"], { cwd: root })) === 0);
		await gate(
			"prettier",
			async () => (await run(bin("prettier"), ["--check", "src", "test", "tools"], { cwd: root })) === 0,
		);
		await gate(
			"stylua",
			async () => (await run(bin("stylua"), ["--check", "sim", "bench", "scenarios"], { cwd: root })) === 0,
		);
	}

	if (wanted("examples")) {
		step("Doc comment examples compile");
		await gate("examples", async () => (await run("node", ["tools/check-examples.mjs"], { cwd: root })) === 0);
	}

	if (wanted("specs")) {
		const built =
			(await gate("package build", () => buildPackage())) &&
			(await gate("test place build", () => buildTestPlace(tools.rojo)));
		if (built) {
			const runnerArgs = ["run", "sim/runner/testez.luau", "--", "build/test-place.rbxl"];
			if (filter) runnerArgs.push("--filter", filter);
			await suite("TestEZ specs (Lune)", tools.lune, runnerArgs);
		}
	}

	if (wanted("tooling")) {
		await suite("tooling (node --test)", "node", ["tools/test/run-node-tests.mjs"], {
			env: { ...process.env, HOPSAFE_LUNE: tools.lune, HOPSAFE_ROJO: tools.rojo },
		});
	}

	if (wanted("server")) {
		await suite("save API (PGlite + PostgreSQL)", "npm", ["--prefix", "server", "test"]);
	}

	console.log("\nSummary");
	for (const line of lines) console.log(`  ${line}`);
	const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : "";
	console.log(`${totals.passed} passed, ${totals.failed} failed${skipped}`);
	process.exit(totals.failed > 0 ? 1 : 0);
}

await main();
