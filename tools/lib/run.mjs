// Small process helpers shared by the project's scripts (Node built-ins only, so they work
// before `npm ci` has run).
import { spawn, spawnSync } from "node:child_process";

/** Runs a command with inherited stdio; resolves with its exit code. */
export function run(command, args, options = {}) {
	return new Promise((resolve) => {
		const child = spawn(command, args, { stdio: "inherit", ...options });
		child.on("error", (error) => {
			console.error(`failed to start ${command}: ${error.message}`);
			resolve(127);
		});
		child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
	});
}

/** Runs a command, streaming its output while keeping a copy; resolves { code, output }. */
export function runCaptured(command, args, options = {}) {
	return new Promise((resolve) => {
		const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
		let output = "";
		const onData = (stream) => (chunk) => {
			const text = chunk.toString();
			output += text;
			stream.write(text);
		};
		child.stdout.on("data", onData(process.stdout));
		child.stderr.on("data", onData(process.stderr));
		child.on("error", (error) => {
			output += `failed to start ${command}: ${error.message}\n`;
			resolve({ code: 127, output });
		});
		child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
	});
}

/** Runs a command synchronously and returns its trimmed stdout, or undefined if it fails. */
export function probe(command, args) {
	const result = spawnSync(command, args, { encoding: "utf8" });
	if (result.error || result.status !== 0) return undefined;
	return result.stdout.trim();
}

/** Parses the last `N passed, N failed` line of a test run's output. */
export function parseCounts(output) {
	const matches = [...output.matchAll(/^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/gm)];
	const last = matches.at(-1);
	if (!last) return undefined;
	return { passed: Number(last[1]), failed: Number(last[2]), skipped: Number(last[3] ?? 0) };
}

/** Prints a step header so long runs show where they are. */
export function step(title) {
	console.log(`\n==> ${title}`);
}
