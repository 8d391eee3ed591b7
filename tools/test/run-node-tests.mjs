// Runs the tooling's node tests and prints their count in the project's closing format.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCaptured } from "../lib/run.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here)
	.filter((name) => name.endsWith(".test.mjs"))
	.map((name) => join(here, name));

const { code, output } = await runCaptured("node", ["--test", "--test-reporter=tap", ...files]);
const pass = Number(/^# pass (\d+)/m.exec(output)?.[1] ?? 0);
const fail = Number(/^# fail (\d+)/m.exec(output)?.[1] ?? (code === 0 ? 0 : 1));
console.log(`${pass} passed, ${fail} failed`);
process.exit(code === 0 && fail === 0 ? 0 : 1);
