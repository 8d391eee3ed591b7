import pg from "pg";

import type { Db, Queryable, Statement } from "./types.js";

const INT8_OID = 20;

// Every bigint we store is kept within 2^53 - 1 by CHECK constraints, so numbers are exact.
const types = new pg.TypeOverrides();
types.setTypeParser(INT8_OID, "text", (value: string) => Number(value));

function wrap(client: pg.PoolClient | pg.Pool): Queryable {
	return {
		async query<R>(statement: Statement | string, values: readonly unknown[] = []): Promise<R[]> {
			const config =
				typeof statement === "string"
					? { text: statement, values: values as unknown[] }
					: { name: statement.name, text: statement.text, values: values as unknown[] };
			const result = await client.query(config);
			return result.rows as R[];
		},
		async exec(script: string): Promise<void> {
			await client.query(script);
		},
	};
}

// Exactly-once rests on READ COMMITTED: a request that waited on its key's lock must see what the twin
// it waited for committed. A database or role defaulting to REPEATABLE READ or SERIALIZABLE would give
// the waiter a snapshot from before that commit, so every connection pins the level itself.
const ISOLATION = "-c default_transaction_isolation=read\\ committed";

/** Opens a `pg` pool on `connectionString`. */
export function openPostgres(connectionString: string, poolSize: number): Db {
	const pool = new pg.Pool({ connectionString, max: poolSize, types, options: ISOLATION });
	// An idle client that loses its connection must not crash the process.
	pool.on("error", () => {});
	const base = wrap(pool);
	return {
		kind: "postgres",
		query: base.query,
		exec: base.exec,
		async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
			const client = await pool.connect();
			let broken: Error | undefined;
			try {
				await client.query("BEGIN ISOLATION LEVEL READ COMMITTED");
				const result = await fn(wrap(client));
				await client.query("COMMIT");
				return result;
			} catch (error) {
				try {
					await client.query("ROLLBACK");
				} catch (rollbackError) {
					broken = rollbackError as Error;
				}
				throw error;
			} finally {
				// A connection whose rollback failed is in an unknown state: discard it.
				client.release(broken);
			}
		},
		async close(): Promise<void> {
			await pool.end();
		},
	};
}
