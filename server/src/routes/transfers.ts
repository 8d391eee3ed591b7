import type { FastifyInstance } from "fastify";

import { authorizeOps } from "../authorize.js";
import type { AppDeps } from "../deps.js";
import { fingerprint } from "../engine/fingerprint.js";
import { executeTransfer } from "../engine/transfer.js";
import { ApiError } from "../errors.js";
import { parseIdempotencyKey } from "../headers.js";
import { sendOutcome } from "../http.js";
import { errorResponses } from "../schemas/common.js";
import type { TransferBody } from "../schemas/ops.js";
import { transferBodySchema, transferSuccessSchema } from "../schemas/transfer.js";

const ROUTE = "/v1/transfers";

function checkLegs(body: TransferBody): void {
	for (const [legIndex, leg] of body.legs.entries()) {
		if (leg.from === leg.to)
			throw new ApiError("invalid_request", "A leg must move between two players.", { legIndex });
		if ((leg.items?.length ?? 0) === 0 && Object.keys(leg.currencies ?? {}).length === 0) {
			throw new ApiError("invalid_request", "A leg must move at least one item or currency.", { legIndex });
		}
	}
}

/** POST /v1/transfers: items and currency between players, all legs in one transaction. */
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
				authorizeOps(principal, ["transfer"]);
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
}
