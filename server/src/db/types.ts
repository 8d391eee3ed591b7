/** A statement with a stable name, so PostgreSQL parses and plans it once per connection. */
export interface Statement {
	readonly name: string;
	readonly text: string;
}

/** Something that runs queries: the pool, or one transaction's connection. */
export interface Queryable {
	/** Runs one statement with positional parameters and returns its rows. */
	query: <R = Record<string, unknown>>(statement: Statement | string, values?: readonly unknown[]) => Promise<R[]>;
	/** Runs a script of several statements without parameters (migrations). */
	exec: (script: string) => Promise<void>;
}

/** A database handle: PostgreSQL through `pg`, or embedded PGlite. */
export interface Db extends Queryable {
	readonly kind: "postgres" | "pglite";
	/** Runs `fn` in one transaction: commits when it resolves, rolls back when it throws. */
	transaction: <T>(fn: (tx: Queryable) => Promise<T>) => Promise<T>;
	close: () => Promise<void>;
}

/** Declares a named statement; the name is what PostgreSQL caches the prepared plan under. */
export function sql(name: string, text: string): Statement {
	return { name, text };
}
