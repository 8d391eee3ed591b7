import type { FastifyInstance } from "fastify";

import { sql } from "../db/types.js";
import type { AppDeps } from "../deps.js";
import { sendJson } from "../http.js";
import { errorResponses, resultsSchema, userIdSchema, versionSchema } from "../schemas/common.js";
import { changesSchema, changesSince } from "./changes.js";

/** Most players one bulk read may name. */
export const MAX_BULK_PLAYERS = 200;

const VERSIONS = sql("player_versions", "SELECT id, version FROM players WHERE id = ANY ($1::bigint[])");

/**
 * POST /v1/changes: the change feed of many players in one request, so that a game server can
 * pull every player it holds on a timer (push invalidation is best effort) in one HTTP request
 * instead of one per player. Game servers and the admin only.
 */
export function registerBulkChangesRoutes(app: FastifyInstance, deps: AppDeps): void {
	app.post(
		"/v1/changes",
		{
			config: { auth: ["server", "admin"] },
			schema: {
				summary: "Writes after a version, for many players (the timer pull of a game server)",
				description:
					"Each result is exactly the body GET /v1/players/{userId}/changes?since=V returns for its entry, in the " +
					"order of the request. A player with no write after since answers complete with no changes.",
				body: {
					type: "object",
					additionalProperties: false,
					required: ["players"],
					properties: {
						players: {
							type: "array",
							minItems: 1,
							maxItems: MAX_BULK_PLAYERS,
							items: {
								type: "object",
								additionalProperties: false,
								required: ["userId", "since"],
								properties: { userId: userIdSchema, since: versionSchema },
							},
						},
					},
				},
				response: {
					200: resultsSchema(changesSchema),
					...errorResponses(400, 401, 403, 413, 415, 429),
				},
			},
		},
		async (request, reply) => {
			const { players } = request.body as { players: { userId: number; since: number }[] };
			const rows = await deps.db.query<{ id: number | string; version: number | string }>(VERSIONS, [
				[...new Set(players.map((entry) => entry.userId))],
			]);
			const versions = new Map(rows.map((row) => [Number(row.id), Number(row.version)]));
			const results: unknown[] = [];
			for (const entry of players) {
				results.push(await changesSince(deps.db, entry.userId, entry.since, versions.get(entry.userId) ?? 0));
			}
			return sendJson(reply, 200, { results });
		},
	);
}
