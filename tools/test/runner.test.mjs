// The headless runner's failure paths: each fixture folder of sim/runner/fixtures must make
// the run exit non-zero with a line naming the cause, and end with the counts line.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const lune = process.env.HOPSAFE_LUNE ?? "lune";
const rojo = process.env.HOPSAFE_ROJO ?? "rojo";
let place;

before(() => {
	place = join(mkdtempSync(join(tmpdir(), "hopsafe-fixtures-")), "fixtures.rbxl");
	const built = spawnSync(rojo, ["build", "sim/runner/fixtures/fixtures.project.json", "-o", place], {
		cwd: root,
		encoding: "utf8",
	});
	assert.equal(built.status, 0, built.stderr);
});

function runFixture(name, extra = []) {
	const result = spawnSync(
		lune,
		["run", "sim/runner/testez.luau", "--", place, "--root", `ServerScriptService.${name}`, ...extra],
		{ cwd: root, encoding: "utf8", timeout: 60_000 },
	);
	const lines = result.stdout.trimEnd().split("\n");
	return { status: result.status, stdout: result.stdout, last: lines.at(-1) };
}

test("a passing folder exits 0 and counts every spec", () => {
	const run = runFixture("passing");
	assert.equal(run.status, 0, run.stdout);
	assert.equal(run.last, "2 passed, 0 failed, 0 skipped");
});

test("a failing assertion exits non-zero and names the test and the expectation", () => {
	const run = runFixture("failing-assertion");
	assert.notEqual(run.status, 0);
	assert.match(run.stdout, /^FAIL failing-assertion > math > compares two numbers wrongly$/m);
	assert.match(run.stdout, /Expected value "3" \(number\), got "2" \(number\) instead/);
	assert.equal(run.last, "1 passed, 1 failed, 0 skipped");
});

test("a spec that errors at load is a failing spec named after its module; the others still run", () => {
	const run = runFixture("load-error");
	assert.notEqual(run.status, 0);
	assert.match(
		run.stdout,
		/^LOAD ERROR ServerScriptService\.load-error\.broken\.spec: .*attempt to index nil with 'field'$/m,
	);
	assert.equal(run.last, "1 passed, 1 failed, 0 skipped");
});

test("an uncaught error in a spawned thread fails the run and names the test it happened in", () => {
	const run = runFixture("uncaught-thread");
	assert.notEqual(run.status, 0);
	assert.match(
		run.stdout,
		/^UNCAUGHT ERROR in a spawned thread on test-host during uncaught-thread > spawn > spawns a thread that errors later:$/m,
	);
	assert.match(run.stdout, /exploded in a spawned thread/);
	assert.equal(run.last, "1 passed, 1 failed, 0 skipped");
});

test("a wait nothing can ever end is reported as a deadlock at once", () => {
	const run = runFixture("deadlock-idle");
	assert.notEqual(run.status, 0);
	assert.match(
		run.stdout,
		/^DEADLOCK: every simulated thread is waiting and nothing is scheduled; the run stopped in: deadlock-idle > wait > waits for a signal nobody fires$/m,
	);
	assert.equal(run.last, "0 passed, 1 failed, 0 skipped");
});

test("a run that never finishes is stopped at the virtual-time limit and reported as a deadlock", () => {
	const run = runFixture("deadlock-timeout", ["--timeout", "600"]);
	assert.notEqual(run.status, 0);
	assert.match(
		run.stdout,
		/^DEADLOCK: the run did not finish within 600 virtual seconds; still running: deadlock-timeout > loop > polls forever$/m,
	);
	assert.equal(run.last, "0 passed, 1 failed, 0 skipped");
});
