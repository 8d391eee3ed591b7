// The pool pins READ COMMITTED whatever the database's default (PostgreSQL only: PGlite has one
// connection and its own defaults).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import pg from "pg";

import { openPostgres } from "../src/db/pg.js";
import type { Db } from "../src/db/types.js";
import { createPostgresDatabase } from "./support/db.js";

let db: Db;
before(async () => {
	const url = await createPostgresDatabase();
	const name = new URL(url).pathname.slice(1);
	const admin = new pg.Client({ connectionString: url });
	await admin.connect();
	try {
		await admin.query(`ALTER DATABASE ${name} SET default_transaction_isolation = 'serializable'`);
	} finally {
		await admin.end();
	}
	db = openPostgres(url, 2);
});
after(() => db?.close());

test("statements and transactions run at READ COMMITTED on a database that defaults to SERIALIZABLE", async () => {
	const level = "SELECT current_setting('transaction_isolation') AS level";
	assert.deepEqual(await db.query(level), [{ level: "read committed" }]);
	assert.deepEqual(await db.transaction((tx) => tx.query(level)), [{ level: "read committed" }]);
});
