import type { FastifyInstance } from "fastify";

import { authorizeOps, authorizePlayer } from "../authorize.js";
import type { AppDeps } from "../deps.js";
import { fingerprint } from "../engine/fingerprint.js";
import { executeTransaction } from "../engine/transaction.js";
import { ApiError } from "../errors.js";
import {
	ANY_VERSION,
	expectedVersion,
	type IfMatch,
	parseIdempotencyKey,
	parseIfMatch,
	parsePush,
} from "../headers.js";
import { sendOutcome } from "../http.js";
import { errorResponses, userIdParamsSchema } from "../schemas/common.js";
import type { TransactionBody } from "../schemas/ops.js";
import { transactionBodySchema, transactionSuccessSchema } from "../schemas/transaction.js";
import { userIdFrom } from "./players.js";

/** The route template every transaction fingerprint names (batch entries use it too). */
export const TRANSACTION_ROUTE = "/v1/players/:userId/transactions";

export const transactionHeadersSchema = {
	type: "object",
	properties: {
		"idempotency-key": {
			type: "string",
			description: "Required, once. 1-255 characters of A-Z a-z 0-9 _ . : -",
		},
		"if-match": {
			type: "string",
			description:
				'Expected player version, e.g. "5" (412 when it differs). * matches any version. Required (a version, not *) when ops contain doc.set. ' +
				'A weak tag (W/"5") never matches: If-Match uses strong comparison (412). Sent twice or as a list: 400.',
		},
		"hopsafe-push": {
			type: "string",
			description:
				"off: do not announce this write through push invalidation (game servers only, for players they hold).",
		},
	},
} as const;

/** Throws 428 when a transaction writes a document without naming the version it read (`*` names none). */
export function requireIfMatchForDocs(body: TransactionBody, ifMatch: IfMatch): void {
	if (typeof ifMatch === "number" || !body.ops.some((op) => op.op === "doc.set")) return;
	if (ifMatch === ANY_VERSION) {
		throw new ApiError(
			"if_match_required",
			'doc.set needs the player version it read in If-Match (e.g. "5"); * names none.',
		);
	}
	throw new ApiError("if_match_required");
}

/** POST /v1/players/{userId}/transactions: up to 50 operations, all or nothing, idempotent. */
export function registerTransactionRoutes(app: FastifyInstance, deps: AppDeps): void {
	app.post(
		TRANSACTION_ROUTE,
		{
			config: { auth: ["server", "companion"] },
			schema: {
				summary: "Apply up to 50 operations to one player, all or nothing",
				description:
					"Idempotency-Key is required. A retry with the same key and request replays the stored status and body " +
					"with Idempotent-Replayed: true; the same key with a different request is 422. 409 rejections are stored " +
					"and replayed; 412, 428, 429 and 5xx are not stored.",
				params: userIdParamsSchema,
				headers: transactionHeadersSchema,
				body: transactionBodySchema,
				response: {
					201: transactionSuccessSchema,
					...errorResponses(400, 401, 403, 409, 412, 413, 415, 422, 428, 429, 500),
				},
			},
		},
		async (request, reply) => {
			const userId = userIdFrom(request.params);
			const body = request.body as TransactionBody;
			authorizePlayer(request.principal, userId);
			authorizeOps(request.principal, body.ops);
			const key = parseIdempotencyKey(request.headers["idempotency-key"]);
			const ifMatch = parseIfMatch(request.headers["if-match"]);
			requireIfMatchForDocs(body, ifMatch);
			const quiet = parsePush(request.headers["hopsafe-push"], request.principal);
			const outcome = await executeTransaction(deps, request.principal, {
				userId,
				key,
				ifMatch: expectedVersion(ifMatch),
				body,
				fingerprint: fingerprint("POST", TRANSACTION_ROUTE, userId, body),
				quiet,
			});
			return sendOutcome(reply, outcome);
		},
	);
}
