import type { FastifyInstance } from "fastify";

import { authorizePlayer } from "../authorize.js";
import { readPlayer } from "../db/players.js";
import type { AppDeps } from "../deps.js";
import { ApiError } from "../errors.js";
import { etag, ifNoneMatchHits } from "../headers.js";
import { sendJson } from "../http.js";
import { errorResponses, parseUserId, playerStateSchema, userIdParamsSchema } from "../schemas/common.js";

/** Parses the `userId` path parameter or throws 400. */
export function userIdFrom(params: unknown): number {
	const userId = parseUserId((params as { userId: string }).userId);
	if (userId === undefined) throw new ApiError("invalid_request", "userId must be at most 2^53 - 1", { in: "params" });
	return userId;
}

/** GET /v1/players/{userId}: state and version; an unknown player reads as empty at version 0. */
export function registerPlayerRoutes(app: FastifyInstance, deps: AppDeps): void {
	app.get(
		"/v1/players/:userId",
		{
			config: { auth: ["server", "companion", "admin"] },
			schema: {
				summary: "Read a player's state and version",
				description:
					"The ETag is the version. If-None-Match naming the current ETag (weak comparison, lists, `*`) answers 304.",
				params: userIdParamsSchema,
				response: {
					200: playerStateSchema,
					304: { type: "null", description: "Not modified" },
					...errorResponses(400, 401, 403, 429),
				},
			},
		},
		async (request, reply) => {
			const userId = userIdFrom(request.params);
			authorizePlayer(request.principal, userId);
			const state = await readPlayer(deps.db, userId);
			const tag = etag(state.version);
			reply.header("etag", tag);
			if (ifNoneMatchHits(request.headers["if-none-match"], state.version)) return reply.code(304).send();
			return sendJson(reply, 200, state);
		},
	);
}
