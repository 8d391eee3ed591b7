import type { FastifyInstance } from "fastify";

import type { AppDeps } from "../deps.js";
import { sendError, sendJson } from "../http.js";
import { errorResponses } from "../schemas/common.js";

/** /healthz and /metrics (no authentication: keep them on the internal network). */
export function registerSystemRoutes(app: FastifyInstance, deps: AppDeps): void {
	app.get(
		"/healthz",
		{
			schema: {
				summary: "Liveness and database reachability",
				response: {
					200: {
						type: "object",
						additionalProperties: false,
						required: ["status", "database"],
						properties: { status: { const: "ok" }, database: { type: "string", enum: ["postgres", "pglite"] } },
					},
					...errorResponses(503),
				},
			},
		},
		async (request, reply) => {
			try {
				await deps.db.query("SELECT 1");
				return sendJson(reply, 200, { status: "ok", database: deps.db.kind });
			} catch (error) {
				request.log.warn({ err: error }, "health check failed");
				return sendError(reply, "unavailable");
			}
		},
	);

	app.get(
		"/metrics",
		{
			schema: {
				summary: "Prometheus metrics (text format 0.0.4)",
				produces: ["text/plain"],
				response: { 200: { type: "string" } },
			},
		},
		async (_request, reply) => {
			try {
				const rows = await deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox");
				deps.metrics.set("hopsafe_outbox_pending", rows[0]?.n ?? 0);
			} catch {
				// Metrics stay available while the database is not.
			}
			return reply.code(200).type("text/plain; version=0.0.4; charset=utf-8").send(deps.metrics.render());
		},
	);
}
