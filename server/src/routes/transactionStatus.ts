import type { FastifyInstance } from "fastify";

import { authorizePlayer } from "../authorize.js";
import { lockKey, readKey } from "../db/idempotency.js";
import { transactionVersion } from "../db/journal.js";
import type { AppDeps } from "../deps.js";
import { reusedDetails } from "../engine/replay.js";
import { ApiError } from "../errors.js";
import { sendJson } from "../http.js";
import { errorResponses, errorSchema, idempotencyKeySchema, userIdSchema, versionSchema } from "../schemas/common.js";
import { userIdFrom } from "./players.js";
import { TRANSACTION_ROUTE } from "./transactions.js";

/** What became of a player's transaction sent with a key. */
type TransactionStatus =
	{ status: "applied"; version: number } | { status: "refused"; error: unknown } | { status: "unused" };

const paramsSchema = {
	type: "object",
	additionalProperties: false,
	required: ["userId", "key"],
	properties: {
		userId: { type: "string", pattern: "^[1-9][0-9]{0,15}$", description: "Roblox UserId" },
		key: { ...idempotencyKeySchema, description: "The Idempotency-Key the transaction was sent with" },
	},
} as const;

const statusSchema = {
	type: "object",
	additionalProperties: false,
	required: ["userId", "key", "status"],
	properties: {
		userId: userIdSchema,
		key: idempotencyKeySchema,
		status: { type: "string", enum: ["applied", "refused", "unused"] },
		version: versionSchema,
		error: errorSchema.properties.error,
	},
} as const;

/**
 * GET /v1/players/{userId}/transactions/{key}: whether the player's transaction with this key
 * applied (its version), was refused (the stored error), or never took the key. Read under the
 * key's lock, so a request still writing with the key is waited for. A sender that lost its
 * answer learns whether to count the transaction without sending it again.
 */
export function registerTransactionStatusRoutes(app: FastifyInstance, deps: AppDeps): void {
	app.get(
		`${TRANSACTION_ROUTE}/:key`,
		{
			config: { auth: ["server", "companion"] },
			schema: {
				summary: "What became of a player's transaction sent with an idempotency key",
				description:
					"applied: the transaction applied, at `version` (also once its stored answer was pruned: the journal " +
					"keeps it). refused: a retry with the key would be refused with `error` (the stored 409, or 422 " +
					"idempotency_key_reused when the key took another request). unused: nothing applied or was refused " +
					"under the key; a request still writing with it was waited for. Keys are scoped like the " +
					"transaction's own (game servers' together, a companion's to its player).",
				params: paramsSchema,
				response: { 200: statusSchema, ...errorResponses(400, 401, 403, 429) },
			},
		},
		async (request, reply) => {
			const userId = userIdFrom(request.params);
			authorizePlayer(request.principal, userId);
			const key = (request.params as { key: string }).key;
			const scope = request.principal.scope;
			const found = await deps.db.transaction(async (tx): Promise<TransactionStatus> => {
				await lockKey(tx, scope, key);
				const version = await transactionVersion(tx, userId, scope, key);
				if (version !== undefined) return { status: "applied", version };
				const stored = await readKey(tx, scope, key);
				if (stored === undefined) return { status: "unused" };
				if (stored.status >= 400) {
					return { status: "refused", error: (JSON.parse(stored.response) as { error: unknown }).error };
				}
				// Applied, but not as this player's transaction: its retry would be 422.
				const reused = new ApiError("idempotency_key_reused", undefined, reusedDetails(key, stored));
				return { status: "refused", error: reused.toBody().error };
			});
			return sendJson(reply, 200, { userId, key, ...found });
		},
	);
}
