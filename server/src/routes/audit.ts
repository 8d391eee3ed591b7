import type { FastifyInstance } from "fastify";

import { journalBefore } from "../db/journal.js";
import type { AppDeps } from "../deps.js";
import { sendJson } from "../http.js";
import { errorResponses, MAX_INT, userIdParamsSchema, userIdSchema, versionSchema } from "../schemas/common.js";
import { journalEntrySchema } from "./changes.js";
import { userIdFrom } from "./players.js";

const PAGE = 100;

/** GET /v1/players/{userId}/audit: the append-only audit log, newest first (admin key). */
export function registerAuditRoutes(app: FastifyInstance, deps: AppDeps): void {
	app.get(
		"/v1/players/:userId/audit",
		{
			config: { auth: ["admin"] },
			schema: {
				summary: "Audit history: actor, time, operation, before and after (admin key)",
				params: userIdParamsSchema,
				querystring: {
					type: "object",
					additionalProperties: false,
					properties: {
						before: { type: "string", pattern: "^[1-9][0-9]{0,15}$", description: "Entries below this version" },
						limit: { type: "string", pattern: "^([1-9]|[1-9][0-9]|100)$", description: `1-${PAGE}, default ${PAGE}` },
					},
				},
				response: {
					200: {
						type: "object",
						additionalProperties: false,
						required: ["userId", "entries", "next"],
						properties: {
							userId: userIdSchema,
							entries: { type: "array", items: journalEntrySchema },
							next: { anyOf: [versionSchema, { type: "null" }], description: "Pass as before for the next page" },
						},
					},
					...errorResponses(400, 401, 403),
				},
			},
		},
		async (request, reply) => {
			const userId = userIdFrom(request.params);
			const query = request.query as { before?: string; limit?: string };
			const limit = query.limit === undefined ? PAGE : Number(query.limit);
			const before = query.before === undefined ? MAX_INT : Number(query.before);
			const entries = await journalBefore(deps.db, userId, before, limit + 1);
			const page = entries.slice(0, limit);
			const next = entries.length > limit ? (page.at(-1)?.version ?? null) : null;
			return sendJson(reply, 200, { userId, entries: page, next });
		},
	);
}
