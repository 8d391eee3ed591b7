// `npm test`: lint, format check and type-check, then the whole suite on PGlite and on a private
// PostgreSQL started (and always stopped) here. The last stdout line is "N passed, N failed".
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { startPostgres } from "./pg.js";

interface Totals {
	passed: number;
	failed: number;
	skipped: number;
}

const root = new URL("..", import.meta.url).pathname;
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const scratch = mkdtempSync(join(tmpdir(), "hopsafe-test-"));
const totals: Totals = { passed: 0, failed: 0, skipped: 0 };

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<number> {
	return new Promise((resolve) => {
		const child = spawn(command, args, {
			cwd: root,
			stdio: ["ignore", "inherit", "inherit"],
			env: { ...process.env, ...env },
		});
		child.once("error", () => resolve(127));
		child.once("exit", (code) => resolve(code ?? 1));
	});
}

async function check(name: string, command: string, args: string[]): Promise<void> {
	console.log(`\n== ${name}`);
	const code = await run(command, args);
	if (code !== 0) {
		console.log(`${name} FAILED`);
		totals.failed++;
	}
}

function testFiles(includePostgresOnly: boolean): string[] {
	return readdirSync(join(root, "test"))
		.filter((file) => file.endsWith(".test.ts") && (includePostgresOnly || !file.endsWith(".pg.test.ts")))
		.sort()
		.map((file) => join("test", file));
}

async function suite(label: string, files: string[], env: Record<string, string>): Promise<void> {
	console.log(`\n== tests on ${label} (${files.length} files)`);
	const counts = join(scratch, `${label}.json`);
	const code = await run(
		process.execPath,
		[
			"--import",
			"tsx",
			"--test",
			"--test-concurrency=2",
			"--test-reporter=spec",
			"--test-reporter-destination=stdout",
			`--test-reporter=${join(root, "scripts", "count-reporter.mjs")}`,
			`--test-reporter-destination=${counts}`,
			...files,
		],
		env,
	);
	let result: Totals = { passed: 0, failed: 1, skipped: 0 };
	try {
		result = JSON.parse(readFileSync(counts, "utf8")) as Totals;
	} catch {
		console.log(`no test counts from the ${label} run`);
	}
	if (code !== 0 && result.failed === 0) result.failed = 1;
	console.log(`${label}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`);
	totals.passed += result.passed;
	totals.failed += result.failed;
	totals.skipped += result.skipped;
}

async function main(): Promise<void> {
	const only = process.argv.slice(2);
	if (only.length === 0) {
		await check("eslint", bin("eslint"), ["--max-warnings", "0", "."]);
		await check("prettier", bin("prettier"), ["--check", "."]);
		await check("tsc", bin("tsc"), ["--noEmit"]);
	}
	const pick = (files: string[]) =>
		only.length === 0 ? files : files.filter((file) => only.some((name) => file.includes(name)));
	await suite("pglite", pick(testFiles(false)), { TEST_DB: "pglite" });
	const cluster = await startPostgres({
		fsync: "off",
		synchronous_commit: "off",
		full_page_writes: "off",
		max_connections: "300",
	});
	try {
		await suite("postgres", pick(testFiles(true)), { TEST_DB: "postgres", TEST_DATABASE_URL: cluster.url });
	} finally {
		await cluster.stop();
		rmSync(scratch, { recursive: true, force: true });
	}
}

main().then(
	() => {
		console.log(
			`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ""}`,
		);
		process.exit(totals.failed > 0 ? 1 : 0);
	},
	(error: unknown) => {
		console.error(error);
		console.log(`${totals.passed} passed, ${totals.failed + 1} failed`);
		process.exit(1);
	},
);
