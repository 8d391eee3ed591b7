// `npm test`: installs what is missing, lints, builds, runs every suite (TestEZ specs under
// Lune, the tooling's node tests, the save API's tests on PGlite and PostgreSQL) and ends
// with one line counting everything that ran: `N passed, N failed`.
//
//   npm test                      everything
//   npm test -- --suite specs     one suite: lint, examples, specs, tooling, server
//   npm test -- --filter TEXT     only TestEZ specs whose name contains TEXT
//
// The TestEZ run gets a save API (server/, on PGlite) started by tools/lib/saveApi.mjs, passed to
// the specs through HOPSAFE_* environment variables (sim.env); the sync specs (test/sim/sync)
// then run a second time against an API on a private PostgreSQL. Both runs count.
import { join } from "node:path";
import { bootstrap, root } from "./bootstrap.mjs";
import { buildPackage, buildTestPlace } from "./build.mjs";
import { parseCounts, run, runCaptured, step } from "./lib/run.mjs";
import { startSaveApi } from "./lib/saveApi.mjs";

const args = process.argv.slice(2);
const option = (name) => {
	const index = args.indexOf(name);
	return index >= 0 ? args[index + 1] : undefined;
};
const only = option("--suite");
const filter = option("--filter");
const wanted = (suite) => only === undefined || only === suite;
// The full name of every sync spec starts with its path: "ServerScriptService Tests sim sync ...".
const SYNC_SPECS = "Tests sim sync ";

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

async function suite(name, command, commandArgs, options, { countSkipped = true } = {}) {
	step(name);
	const { code, output } = await runCaptured(command, commandArgs, { cwd: root, ...options });
	const counts = parseCounts(output);
	// A filtered run skips every spec it does not select; those are not skips of the suite.
	if (counts && !countSkipped) counts.skipped = 0;
	if (!counts) {
		record(name, { passed: 0, failed: 1 });
		console.error(`${name}: no "N passed, N failed" line in its output (exit ${code})`);
		return;
	}
	if (code !== 0 && counts.failed === 0) counts.failed = 1;
	record(name, counts);
}

/**
 * Runs `action` with the environment of a save API started on `database` (stopped afterwards,
 * also on failure). A save API that cannot start counts as one failure; `action` then runs
 * without it only if `orWithout` (the sync specs fail, saying what is missing).
 */
async function withSaveApi(database, action, orWithout = false) {
	let api;
	try {
		step(`Save API on ${database === "pglite" ? "PGlite" : "PostgreSQL"} for the specs`);
		api = await startSaveApi({ database });
	} catch (error) {
		console.error(`save API (${database}): ${error.message}`);
		record(`save API (${database})`, { passed: 0, failed: 1 });
		if (orWithout) await action(process.env);
		return;
	}
	try {
		await action({ ...process.env, ...api.env });
	} finally {
		await api.stop();
	}
}

async function main() {
	let tools;
	try {
		tools = await bootstrap({ server: wanted("server") || wanted("specs") });
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
			async () =>
				(await run(bin("stylua"), ["--check", "sim", "bench", "scenarios", "tools/luau"], { cwd: root })) === 0,
		);
	}

	// The examples are extracted into test/, so the test place build below compiles them; run on
	// its own, this suite builds the test place itself, and the specs suite extracts them first.
	if (wanted("examples") || wanted("specs")) {
		step("Doc comment and README examples compile");
		const extracted = await gate(
			"examples",
			async () => (await run("node", ["tools/check-examples.mjs"], { cwd: root })) === 0,
		);
		if (extracted && !wanted("specs")) await gate("examples build", () => buildTestPlace(tools.rojo));
	}

	if (wanted("specs")) {
		const built =
			(await gate("package build", () => buildPackage())) &&
			(await gate("test place build", () => buildTestPlace(tools.rojo)));
		if (built) {
			const runnerArgs = ["run", "sim/runner/testez.luau", "--", "build/test-place.rbxl"];
			await withSaveApi(
				"pglite",
				async (env) => {
					await suite(
						"TestEZ specs (Lune)",
						tools.lune,
						filter ? [...runnerArgs, "--filter", filter] : runnerArgs,
						{
							env,
						},
					);
				},
				true,
			);
			// The sync specs again, against the API on PostgreSQL (row locks, real concurrency).
			if (filter === undefined || filter.includes("sync")) {
				await withSaveApi("postgres", async (env) => {
					await suite(
						"sync specs on PostgreSQL (Lune)",
						tools.lune,
						[...runnerArgs, "--filter", filter ?? SYNC_SPECS],
						{ env },
						{ countSkipped: false },
					);
				});
			}
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
