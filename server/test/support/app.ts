import { type App, buildApp } from "../../src/app.js";
import { type Config, loadConfig } from "../../src/config.js";
import type { Db } from "../../src/db/types.js";
import type { FaultHooks } from "../../src/engine/hooks.js";
import { openTestDb } from "./db.js";

export const SERVER_KEY = "test-server-key-0123456789";
export const ADMIN_KEY = "test-admin-key-0123456789";

/** A test configuration (keys set, logging off), with overrides from `env`. */
export function testConfig(env: Record<string, string> = {}): Config {
	return loadConfig({ HOPSAFE_SERVER_KEY: SERVER_KEY, HOPSAFE_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: "silent", ...env });
}

/** An API listening on an ephemeral localhost port, over a fresh database. */
export interface TestApp {
	app: App;
	db: Db;
	base: string;
	close(): Promise<void>;
}

/** Builds the app in-process on a fresh database and listens on 127.0.0.1:0. */
export async function startTestApp(
	options: { hooks?: FaultHooks; env?: Record<string, string>; db?: Db } = {},
): Promise<TestApp> {
	const db = options.db ?? (await openTestDb());
	const app = await buildApp({ config: testConfig(options.env), db, hooks: options.hooks ?? {}, logger: false });
	await app.server.listen({ port: 0, host: "127.0.0.1" });
	const address = app.server.server.address();
	const port = typeof address === "object" && address ? address.port : 0;
	return {
		app,
		db,
		base: `http://127.0.0.1:${port}`,
		async close() {
			await app.close();
			await db.close();
		},
	};
}
