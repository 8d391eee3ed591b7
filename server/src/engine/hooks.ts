import type { Queryable } from "../db/types.js";

/**
 * Test-only fault injection. Set only by code that builds the app in-process; nothing reachable
 * over HTTP can set it.
 */
export interface FaultHooks {
	/** Runs after all writes of a request and before COMMIT; throwing (or failing a query) aborts it. */
	beforeCommit?: (tx: Queryable) => Promise<void> | void;
}
