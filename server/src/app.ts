import Fastify, { type FastifyInstance } from "fastify";

import { createAuthenticator } from "./auth.js";
import type { Config } from "./config.js";
import { migrate, type MigrationReport } from "./db/migrate.js";
import { openPostgres } from "./db/pg.js";
import { openPglite } from "./db/pglite.js";
import type { Db } from "./db/types.js";
import type { AppDeps } from "./deps.js";
import type { FaultHooks } from "./engine/hooks.js";
import { ApiError } from "./errors.js";
import { addGuardedJsonParser, MAX_BODY_BYTES } from "./jsonGuard.js";
import { refuseWhileClosing } from "./closing.js";
import { handleClientError, handleError, handleFrameworkError } from "./errorHandler.js";
import { sendError, sendJson } from "./http.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { buildOpenApi, type RouteDoc, routeDoc } from "./openapi.js";
import { createRateLimiter } from "./rateLimit.js";
import { registerAuditRoutes } from "./routes/audit.js";
import { registerBatchRoutes } from "./routes/batch.js";
import { registerBulkChangesRoutes } from "./routes/bulkChanges.js";
import { registerChangesRoutes } from "./routes/changes.js";
import { registerPlayerRoutes } from "./routes/players.js";
import { registerSystemRoutes } from "./routes/system.js";
import { registerTokenRoutes } from "./routes/tokens.js";
import { registerTransactionStatusRoutes } from "./routes/transactionStatus.js";
import { registerTransactionRoutes } from "./routes/transactions.js";
import { registerTransferRoutes } from "./routes/transfers.js";

/** Options for building the API in-process. */
export interface AppOptions {
	config: Config;
	/** An open database; when absent one is opened from the config (and closed with the app). */
	db?: Db;
	/** Test-only fault injection; never reachable over HTTP. */
	hooks?: FaultHooks;
	/** Pino logger options, or false for silence. */
	logger?: boolean | Record<string, unknown>;
}

/** A built API: the HTTP server, its database and its metrics. */
export interface App {
	server: FastifyInstance;
	db: Db;
	deps: AppDeps;
	metrics: Metrics;
	migrations: MigrationReport;
	close(): Promise<void>;
}

function addAuthentication(app: FastifyInstance, deps: AppDeps): void {
	app.decorateRequest("principal", null as never);
	app.addHook("onRequest", async (request) => {
		const allowed = request.routeOptions.config.auth;
		if (!allowed) return;
		const principal = await deps.authenticate(request.headers.authorization);
		if (!principal) throw new ApiError("unauthorized");
		if (!allowed.includes(principal.kind)) {
			throw new ApiError("forbidden", `This route is not open to ${principal.kind} credentials.`);
		}
		if (principal.kind === "companion") {
			const verdict = deps.rateLimit(principal.scope);
			if (!verdict.allowed) {
				throw new ApiError("rate_limited", undefined, { retryAfterSeconds: verdict.retryAfterSeconds });
			}
		}
		request.principal = principal;
	});
}

function addMetrics(app: FastifyInstance, metrics: Metrics): void {
	app.addHook("onResponse", async (request, reply) => {
		const route = request.routeOptions.url ?? "unmatched";
		metrics.inc("hopsafe_http_requests_total", { route, method: request.method, status: reply.statusCode });
		metrics.observe("hopsafe_http_request_duration_seconds", reply.elapsedTime / 1000, { route });
		if (reply.getHeader("idempotent-replayed") === "true") metrics.inc("hopsafe_idempotent_replays_total");
	});
}

/** Builds the API: opens and migrates the database, registers every route. Call `listen` on `server`. */
export async function buildApp(options: AppOptions): Promise<App> {
	const { config } = options;
	const ownsDb = options.db === undefined;
	const db =
		options.db ??
		(config.databaseUrl ? openPostgres(config.databaseUrl, config.poolSize) : await openPglite(config.pgliteDataDir));
	const migrations = await migrate(db);
	const metrics = createMetrics();
	const deps: AppDeps = {
		db,
		config,
		metrics,
		hooks: options.hooks ?? {},
		authenticate: createAuthenticator(config.serverKey, config.adminKey, db),
		rateLimit: createRateLimiter(config.rateLimitPerSecond, config.rateLimitBurst),
	};

	const app = Fastify({
		logger: options.logger ?? { level: config.logLevel },
		bodyLimit: MAX_BODY_BYTES,
		// HEAD of every GET route (RFC 9110 §9.3.2: a general-purpose server answers HEAD), e.g. a load
		// balancer's HEAD /healthz; the OpenAPI document leaves these out (see routeDoc).
		exposeHeadRoutes: true,
		// Both answered in the API's error format instead of Fastify's: see refuseWhileClosing.
		return503OnClosing: false,
		clientErrorHandler: handleClientError,
		// Requests the router refuses before any route (a malformed percent-escape, a path parameter
		// over its length) get the API's error format too.
		frameworkErrors: handleFrameworkError,
		ajv: {
			customOptions: {
				coerceTypes: false,
				removeAdditional: false,
				useDefaults: false,
				allErrors: false,
				discriminator: true,
			},
		},
	});
	const routes: RouteDoc[] = [];
	app.addHook("onRoute", (route) => void routes.push(...routeDoc(route)));
	app.setErrorHandler(handleError);
	refuseWhileClosing(app);
	addGuardedJsonParser(app);
	app.setNotFoundHandler((request, reply) =>
		sendError(reply, "not_found", `No route ${request.method} ${request.url.split("?")[0]}.`),
	);
	addAuthentication(app, deps);
	addMetrics(app, metrics);

	registerSystemRoutes(app, deps);
	registerPlayerRoutes(app, deps);
	registerTransactionRoutes(app, deps);
	registerTransactionStatusRoutes(app, deps);
	registerBatchRoutes(app, deps);
	registerTransferRoutes(app, deps);
	registerChangesRoutes(app, deps);
	registerBulkChangesRoutes(app, deps);
	registerAuditRoutes(app, deps);
	registerTokenRoutes(app, deps);
	let document: Record<string, unknown> | undefined;
	app.get(
		"/openapi.json",
		{ schema: { summary: "This OpenAPI document", response: { 200: { type: "object" } } } },
		async (_request, reply) => sendJson(reply, 200, (document ??= buildOpenApi(routes))),
	);

	await app.ready();
	return {
		server: app,
		db,
		deps,
		metrics,
		migrations,
		async close() {
			await app.close();
			if (ownsDb) await db.close();
		},
	};
}
