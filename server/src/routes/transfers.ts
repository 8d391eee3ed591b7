import type { FastifyInstance } from "fastify";

import { authorizeTransfer } from "../authorize.js";
import type { AppDeps } from "../deps.js";
import { fingerprint } from "../engine/fingerprint.js";
import { executeTransfer } from "../engine/transfer.js";
import { voidTransfer } from "../engine/transferVoid.js";
import { ApiError } from "../errors.js";
import { parseIdempotencyKey } from "../headers.js";
import { sendOutcome } from "../http.js";
import { errorResponses } from "../schemas/common.js";
import type { TransferBody, TransferVoidBody } from "../schemas/ops.js";
import {
	transferBodySchema,
	transferSuccessSchema,
	transferVoidBodySchema,
	transferVoidResultSchema,
} from "../schemas/transfer.js";

const ROUTE = "/v1/transfers";
const VOID_ROUTE = "/v1/transfers/void";

function checkLegs(body: TransferBody): void {
	for (const [legIndex, leg] of body.legs.entries()) {
		if (leg.from === leg.to)
			throw new ApiError("invalid_request", "A leg must move between two players.", { legIndex });
		if ((leg.items?.length ?? 0) === 0 && Object.keys(leg.currencies ?? {}).length === 0) {
			throw new ApiError("invalid_request", "A leg must move at least one item or currency.", { legIndex });
		}
	}
}

/**
 * POST /v1/transfers: items and currency between players, all legs in one transaction.
 * POST /v1/transfers/void: settles a transfer key for good (game servers only).
 */
export function registerTransferRoutes(app: FastifyInstance, deps: AppDeps): void {
	app.post(
		ROUTE,
		{
			config: { auth: ["server", "companion"] },
			schema: {
				summary: "Move items and currency between players atomically (a trade is two legs)",
				description:
					"Idempotency-Key is required; replay rules as for transactions. Player rows are locked in ascending id order. " +
					"An item keeps its id when its whole stack moves; moving part of a stack needs newId for the moved part. " +
					"A companion token needs the 'transfer' scope and may only send from its own player.",
				headers: {
					type: "object",
					properties: { "idempotency-key": { type: "string", description: "Required." } },
				},
				body: transferBodySchema,
				response: { 201: transferSuccessSchema, ...errorResponses(400, 401, 403, 409, 413, 415, 422, 429, 500) },
			},
		},
		async (request, reply) => {
			const body = request.body as TransferBody;
			checkLegs(body);
			const principal = request.principal;
			if (principal.kind === "companion") {
				authorizeTransfer(principal);
				if (body.legs.some((leg) => leg.from !== principal.userId)) {
					throw new ApiError("forbidden", "A companion may only send from its own player.");
				}
			}
			const key = parseIdempotencyKey(request.headers["idempotency-key"]);
			const outcome = await executeTransfer(deps, principal, {
				key,
				body,
				fingerprint: fingerprint("POST", ROUTE, null, body),
			});
			return sendOutcome(reply, outcome);
		},
	);
	app.post(
		VOID_ROUTE,
		{
			config: { auth: ["server"] },
			schema: {
				summary: "Settle a transfer key: whether its transfer applied, or void it so that it never applies",
				description:
					"For a participant whose transfer's sender went away. Under the key's lock, in one transaction: the outcome " +
					"stored under the key (applied with the versions of its 201, or refused with its stored error), else the " +
					"transfer's journal rows for the listed players (applied), else a void is stored under the key (voided): " +
					"every later request with the key gets 409 transfer_voided, replayed. Voids, and refusals a void answered, " +
					"are never pruned. Game servers only.",
				body: transferVoidBodySchema,
				response: { 200: transferVoidResultSchema, ...errorResponses(400, 401, 403, 413, 415, 500) },
			},
		},
		async (request, reply) => {
			const body = request.body as TransferVoidBody;
			const key = parseIdempotencyKey(body.idempotencyKey);
			return sendOutcome(reply, await voidTransfer(deps, request.principal, { key, players: body.players }));
		},
	);
}
