// The simulator's command line (sim/cli.luau): a driver script that fails ends the process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const lune = process.env.HOPSAFE_LUNE ?? "lune";

test("a driver that fails with a world still serving Open Cloud exits non-zero and names the error", () => {
	const result = spawnSync(lune, ["run", "sim/cli.luau", "--", "tools/test/fixtures/failing-driver.luau"], {
		cwd: root,
		encoding: "utf8",
		timeout: 60_000,
	});
	assert.equal(result.error, undefined, "the process did not end on its own");
	assert.notEqual(result.status, 0);
	assert.match(result.stderr, /the driver failed/);
});
