import type { Authenticator } from "./auth.js";
import type { Config } from "./config.js";
import type { EngineDeps } from "./engine/deps.js";
import type { Principal } from "./engine/principal.js";
import type { RateLimiter } from "./rateLimit.js";

/** Everything route handlers need. */
export interface AppDeps extends EngineDeps {
	config: Config;
	authenticate: Authenticator;
	rateLimit: RateLimiter;
}

declare module "fastify" {
	interface FastifyContextConfig {
		/** Principal kinds allowed on the route; absent means no authentication (health, metrics, docs). */
		auth?: readonly Principal["kind"][];
	}
	interface FastifyRequest {
		principal: Principal;
	}
}
