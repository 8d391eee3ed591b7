import { PGlite, type Transaction } from "@electric-sql/pglite";

import type { Db, Queryable, Statement } from "./types.js";

function wrap(target: PGlite | Transaction): Queryable {
	return {
		async query<R>(statement: Statement | string, values: readonly unknown[] = []): Promise<R[]> {
			const text = typeof statement === "string" ? statement : statement.text;
			const result = await target.query<R>(text, values as unknown[]);
			return result.rows;
		},
		async exec(script: string): Promise<void> {
			await target.exec(script);
		},
	};
}

/** Opens embedded PGlite: in memory when `dataDir` is absent, else persisted in that directory. */
export async function openPglite(dataDir?: string): Promise<Db> {
	const pglite = dataDir ? new PGlite(dataDir) : new PGlite();
	await pglite.waitReady;
	const base = wrap(pglite);
	return {
		kind: "pglite",
		query: base.query,
		exec: base.exec,
		// PGlite is one connection behind a mutex: transactions run one at a time, never interleaved.
		transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
			return pglite.transaction((tx) => fn(wrap(tx)));
		},
		async close(): Promise<void> {
			await pglite.close();
		},
	};
}
