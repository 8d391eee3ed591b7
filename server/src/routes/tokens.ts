import type { FastifyInstance } from "fastify";

import { hashToken, newToken } from "../auth.js";
import { insertToken } from "../db/tokens.js";
import type { AppDeps } from "../deps.js";
import { sendJson } from "../http.js";
import { errorResponses, userIdSchema } from "../schemas/common.js";
import { OP_KINDS } from "../schemas/transaction.js";

/**
 * What a companion token can be scoped to: operation kinds; `currency.spend`, debits only (a
 * `currency.add` with a negative amount); and sending transfers from its player.
 */
export const TOKEN_SCOPES = [...OP_KINDS, "currency.spend", "transfer"] as const;

/** POST /v1/companion/tokens (admin key): a token scoped to one player and a set of operations. */
export function registerTokenRoutes(app: FastifyInstance, deps: AppDeps): void {
	const maxTtl = deps.config.companionTokenTtlSeconds;
	app.post(
		"/v1/companion/tokens",
		{
			bodyLimit: 4096,
			config: { auth: ["admin"] },
			schema: {
				summary: "Issue a companion token for one player and a set of operations (admin key)",
				description:
					"The token is returned once; only its hash is stored. It may read its own player and its changes, and " +
					"write only the listed operation kinds to that player.",
				body: {
					type: "object",
					additionalProperties: false,
					required: ["userId", "ops"],
					properties: {
						userId: userIdSchema,
						ops: { type: "array", minItems: 1, uniqueItems: true, items: { type: "string", enum: TOKEN_SCOPES } },
						ttlSeconds: { type: "integer", minimum: 60, maximum: maxTtl, description: `Default and maximum ${maxTtl}` },
					},
				},
				response: {
					201: {
						type: "object",
						additionalProperties: false,
						required: ["token", "expiresAt", "userId", "ops"],
						properties: {
							token: { type: "string" },
							expiresAt: { type: "string", format: "date-time" },
							userId: userIdSchema,
							ops: { type: "array", items: { type: "string" } },
						},
					},
					...errorResponses(400, 401, 403, 413, 415),
				},
			},
		},
		async (request, reply) => {
			const body = request.body as { userId: number; ops: string[]; ttlSeconds?: number };
			const token = newToken();
			const { expiresAt } = await insertToken(
				deps.db,
				hashToken(token),
				body.userId,
				body.ops,
				body.ttlSeconds ?? maxTtl,
			);
			return sendJson(reply, 201, { token, expiresAt, userId: body.userId, ops: body.ops });
		},
	);
}
