import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";

import { ConfigError, loadConfig } from "../src/config.js";

const KEYS = { HOPSAFE_SERVER_KEY: "s".repeat(20), HOPSAFE_ADMIN_KEY: "a".repeat(20) };

test("missing keys are refused with a message naming each, unless HOPSAFE_DEV=1", () => {
	assert.throws(
		() => loadConfig({}),
		(error: Error) =>
			error instanceof ConfigError &&
			/HOPSAFE_SERVER_KEY/.test(error.message) &&
			/HOPSAFE_ADMIN_KEY/.test(error.message),
	);
	const dev = loadConfig({ HOPSAFE_DEV: "1" });
	assert.equal(dev.dev, true);
	assert.ok(dev.serverKey.length >= 16 && dev.serverKey !== dev.adminKey);
	assert.throws(() => loadConfig({ HOPSAFE_DEV: "true" }), ConfigError, "only an explicit 1 enables dev defaults");
});

test("defaults follow DESIGN §10", () => {
	const config = loadConfig(KEYS);
	assert.equal(config.port, 8080);
	assert.equal(config.databaseUrl, undefined, "no DATABASE_URL means PGlite");
	assert.equal(config.pgliteDataDir, undefined, "in memory");
	assert.equal(config.openCloud, undefined, "the drainer is off without OPEN_CLOUD_BASE_URL");
	assert.equal(config.idempotencyRetentionHours, 168);
});

test("bad settings are refused", () => {
	for (const env of [
		{ ...KEYS, HOPSAFE_SERVER_KEY: "short" },
		{ ...KEYS, HOPSAFE_ADMIN_KEY: KEYS.HOPSAFE_SERVER_KEY },
		{ ...KEYS, PORT: "http" },
		{ ...KEYS, PORT: "70000" },
		{ ...KEYS, IDEMPOTENCY_RETENTION_HOURS: "1" },
		{ ...KEYS, OPEN_CLOUD_BASE_URL: "http://127.0.0.1:9" },
		{ ...KEYS, OPEN_CLOUD_BASE_URL: "not a url", OPEN_CLOUD_API_KEY: "k", UNIVERSE_ID: "1" },
		{ ...KEYS, HOPSAFE_WORKERS: "2" },
	]) {
		assert.throws(() => loadConfig(env), ConfigError, JSON.stringify(env));
	}
});

test("Open Cloud settings: base URL trimmed, topic prefix defaulted", () => {
	const config = loadConfig({
		...KEYS,
		OPEN_CLOUD_BASE_URL: "http://127.0.0.1:9/",
		OPEN_CLOUD_API_KEY: "k",
		UNIVERSE_ID: "77",
	});
	assert.deepEqual(config.openCloud, {
		baseUrl: "http://127.0.0.1:9",
		apiKey: "k",
		universeId: "77",
		topicPrefix: "hopsafe-player-",
	});
});

test("npm start refuses to start without keys and says why", async () => {
	const env = { ...process.env };
	delete env.HOPSAFE_SERVER_KEY;
	delete env.HOPSAFE_ADMIN_KEY;
	delete env.HOPSAFE_DEV;
	const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
		cwd: new URL("..", import.meta.url),
		env,
	});
	let stderr = "";
	child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
	const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
	assert.equal(code, 2);
	assert.match(stderr, /HOPSAFE_SERVER_KEY is required/);
});
