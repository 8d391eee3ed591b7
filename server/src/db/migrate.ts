import { readdir, readFile } from "node:fs/promises";

import { SQLSTATE, sqlState } from "./sqlstate.js";
import type { Db } from "./types.js";

const MIGRATIONS_DIR = new URL("../../migrations/", import.meta.url);
const FILE_PATTERN = /^(\d{4})_[a-z0-9_]+\.sql$/;

interface Migration {
	id: number;
	name: string;
	script: string;
}

async function loadMigrations(): Promise<Migration[]> {
	const files = (await readdir(MIGRATIONS_DIR)).filter((file) => FILE_PATTERN.test(file)).sort();
	return Promise.all(
		files.map(async (name) => ({
			id: Number(FILE_PATTERN.exec(name)?.[1]),
			name,
			script: await readFile(new URL(name, MIGRATIONS_DIR), "utf8"),
		})),
	);
}

async function ensureMigrationsTable(db: Db): Promise<void> {
	try {
		await db.exec(
			"CREATE TABLE IF NOT EXISTS hopsafe_migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
		);
	} catch (error) {
		// Replicas racing on CREATE TABLE IF NOT EXISTS: the loser waits for the winner's commit on a
		// catalog index, then fails with one of these; the table exists by then.
		const state = sqlState(error);
		const raced: string[] = [SQLSTATE.uniqueViolation, SQLSTATE.duplicateTable, SQLSTATE.duplicateObject];
		if (state === undefined || !raced.includes(state)) throw error;
	}
}

/** What a migration run did. */
export interface MigrationReport {
	applied: number[];
	/** Highest migration recorded in the database. */
	schemaVersion: number;
	/** Highest migration this build ships. */
	knownVersion: number;
}

/**
 * Applies every numbered migration not yet recorded. Safe when several replicas start at once: each
 * migration runs in one transaction that inserts its row first, so a concurrent runner blocks on that
 * row and, once the winner commits, gets a unique violation and moves on.
 */
export async function migrate(db: Db): Promise<MigrationReport> {
	await ensureMigrationsTable(db);
	const migrations = await loadMigrations();
	const applied: number[] = [];
	for (const migration of migrations) {
		const done = await db.query<{ id: number }>("SELECT id FROM hopsafe_migrations WHERE id = $1", [migration.id]);
		if (done.length > 0) continue;
		try {
			await db.transaction(async (tx) => {
				await tx.query("INSERT INTO hopsafe_migrations (id, name) VALUES ($1, $2)", [migration.id, migration.name]);
				await tx.exec(migration.script);
			});
			applied.push(migration.id);
		} catch (error) {
			if (sqlState(error) !== SQLSTATE.uniqueViolation) throw error;
			// Someone else applied this migration; it is committed by now.
		}
	}
	const newest = await db.query<{ id: number | null }>("SELECT max(id) AS id FROM hopsafe_migrations");
	return { applied, schemaVersion: newest[0]?.id ?? 0, knownVersion: migrations.at(-1)?.id ?? 0 };
}
