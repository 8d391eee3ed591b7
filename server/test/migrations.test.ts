import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { test } from "node:test";

import { migrate } from "../src/db/migrate.js";
import { openPostgres } from "../src/db/pg.js";
import { openPglite } from "../src/db/pglite.js";
import type { Db } from "../src/db/types.js";
import { createPostgresDatabase, DB_KIND } from "./support/db.js";

const SHIPPED = readdirSync(new URL("../migrations/", import.meta.url))
	.filter((file) => /^\d{4}_.*\.sql$/.test(file))
	.map((file) => Number(file.slice(0, 4)));

test("migrations are numbered 0001.. without gaps", () => {
	assert.deepEqual(
		SHIPPED,
		SHIPPED.map((_, i) => i + 1),
	);
});

test("several replicas migrating at once apply each migration exactly once", async () => {
	let handles: Db[];
	if (DB_KIND === "postgres") {
		const url = await createPostgresDatabase();
		handles = Array.from({ length: 4 }, () => openPostgres(url, 2));
	} else {
		const db = await openPglite();
		handles = [db, db, db, db];
	}
	try {
		const reports = await Promise.all(handles.map((db) => migrate(db)));
		const applied = reports.flatMap((report) => report.applied).sort((a, b) => a - b);
		assert.deepEqual(applied, SHIPPED, "each migration applied by exactly one runner");
		for (const report of reports) assert.equal(report.schemaVersion, SHIPPED.at(-1));
		const rows = await handles[0]!.query<{ id: number }>("SELECT id FROM hopsafe_migrations ORDER BY id");
		assert.deepEqual(
			rows.map((row) => row.id),
			SHIPPED,
		);
		const again = await migrate(handles[0]!);
		assert.deepEqual(again.applied, [], "a second run is a no-op");
	} finally {
		await Promise.all([...new Set(handles)].map((db) => db.close()));
	}
});

test("a database newer than the build is reported", async () => {
	const db = DB_KIND === "postgres" ? openPostgres(await createPostgresDatabase(), 2) : await openPglite();
	try {
		await migrate(db);
		await db.query("INSERT INTO hopsafe_migrations (id, name) VALUES (9999, '9999_future.sql')");
		const report = await migrate(db);
		assert.equal(report.schemaVersion, 9999);
		assert.ok(report.schemaVersion > report.knownVersion);
	} finally {
		await db.close();
	}
});
