import type { Db } from "../db/types.js";
import type { Metrics } from "../metrics.js";
import type { FaultHooks } from "./hooks.js";

/** What the request engine needs. */
export interface EngineDeps {
	db: Db;
	hooks: FaultHooks;
	metrics: Metrics;
}
