import type { FastifyInstance } from "fastify";

import { authorizePlayer } from "../authorize.js";
import { journalSince } from "../db/journal.js";
import { readPlayer, readVersion } from "../db/players.js";
import type { Queryable } from "../db/types.js";
import type { AppDeps } from "../deps.js";
import { etag } from "../headers.js";
import { sendJson } from "../http.js";
import {
	errorResponses,
	playerStateSchema,
	userIdParamsSchema,
	userIdSchema,
	versionSchema,
} from "../schemas/common.js";
import { userIdFrom } from "./players.js";

/** Most changes returned before the feed answers with the full state instead. */
export const MAX_CHANGES = 200;

export const journalEntrySchema = {
	type: "object",
	additionalProperties: false,
	required: ["version", "kind", "actor", "reason", "ops", "at"],
	properties: {
		version: versionSchema,
		kind: { type: "string", enum: ["transaction", "transfer"] },
		actor: { type: "string", description: '"server", "companion:<tokenId>"' },
		reason: { type: ["string", "null"] },
		ops: {
			type: "array",
			description: "The applied operations, each with before and after values.",
			items: { type: "object", required: ["op", "before", "after"], properties: { op: { type: "string" } } },
		},
		at: { type: "string", format: "date-time" },
	},
} as const;

/** The body of one player's change feed (GET /v1/players/{userId}/changes, and each result of POST /v1/changes). */
export const changesSchema = {
	type: "object",
	additionalProperties: false,
	required: ["userId", "version", "complete", "changes"],
	properties: {
		userId: userIdSchema,
		version: versionSchema,
		complete: {
			type: "boolean",
			description:
				"true: changes holds every write after since, oldest first. false: since is too far behind (more than " +
				`${MAX_CHANGES} writes) or ahead of the server; state holds the full player state instead and changes is empty.`,
		},
		changes: { type: "array", items: journalEntrySchema },
		state: playerStateSchema,
	},
} as const;

/**
 * One player's change feed after `since`, read at `version` (the player's version, read first:
 * every journal row up to it committed with it, so the read is complete up to there). Answers the
 * full state instead when `since` is too far behind or ahead of the player.
 */
export async function changesSince(db: Queryable, userId: number, since: number, version: number) {
	const changes =
		since < version ? (await journalSince(db, userId, since, MAX_CHANGES + 1)).filter((c) => c.version <= version) : [];
	if (since <= version && changes.length === version - since && changes.length <= MAX_CHANGES) {
		return { userId, version, complete: true, changes };
	}
	const state = await readPlayer(db, userId);
	return { userId, version: state.version, complete: false, changes: [], state };
}

/** GET /v1/players/{userId}/changes?since=V: what changed after version V. */
export function registerChangesRoutes(app: FastifyInstance, deps: AppDeps): void {
	app.get(
		"/v1/players/:userId/changes",
		{
			config: { auth: ["server", "companion", "admin"] },
			schema: {
				summary: "Writes after a version (the reconciliation pull)",
				params: userIdParamsSchema,
				querystring: {
					type: "object",
					additionalProperties: false,
					required: ["since"],
					properties: { since: { type: "string", pattern: "^(0|[1-9][0-9]{0,15})$", description: "A version" } },
				},
				response: { 200: changesSchema, ...errorResponses(400, 401, 403, 429) },
			},
		},
		async (request, reply) => {
			const userId = userIdFrom(request.params);
			authorizePlayer(request.principal, userId);
			const since = Number((request.query as { since: string }).since);
			const body = await changesSince(deps.db, userId, since, await readVersion(deps.db, userId));
			reply.header("etag", etag(body.version));
			return sendJson(reply, 200, body);
		},
	);
}
