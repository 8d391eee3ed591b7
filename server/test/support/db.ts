import { randomBytes } from "node:crypto";

import pg from "pg";

import { openPostgres } from "../../src/db/pg.js";
import { openPglite } from "../../src/db/pglite.js";
import type { Db } from "../../src/db/types.js";

/** Which database this run targets: TEST_DB=pglite (default) or postgres (with TEST_DATABASE_URL). */
export const DB_KIND: "pglite" | "postgres" = process.env.TEST_DB === "postgres" ? "postgres" : "pglite";

/** Creates a fresh, empty PostgreSQL database on the test cluster and returns its URL. */
export async function createPostgresDatabase(): Promise<string> {
	const admin = process.env.TEST_DATABASE_URL;
	if (!admin) throw new Error("TEST_DB=postgres needs TEST_DATABASE_URL (npm test sets both)");
	const name = `hs_${randomBytes(6).toString("hex")}`;
	const client = new pg.Client({ connectionString: admin });
	await client.connect();
	try {
		await client.query(`CREATE DATABASE ${name}`);
	} finally {
		await client.end();
	}
	const url = new URL(admin);
	url.pathname = `/${name}`;
	return url.toString();
}

/** A fresh database of the kind under test (one per test file). */
export async function openTestDb(poolSize = 20): Promise<Db> {
	return DB_KIND === "postgres" ? openPostgres(await createPostgresDatabase(), poolSize) : openPglite();
}
