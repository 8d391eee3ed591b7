import type { FastifyReply } from "fastify";

import type { Outcome } from "./engine/outcome.js";
import { ApiError, type ErrorCode } from "./errors.js";
import { etag } from "./headers.js";

const JSON_TYPE = "application/json; charset=utf-8";

/** Sends a value as JSON text (never through a response serializer, so stored bodies stay byte-exact). */
export function sendJson(reply: FastifyReply, status: number, value: unknown): FastifyReply {
	return reply.code(status).type(JSON_TYPE).send(JSON.stringify(value));
}

/** Sends an engine outcome with its replay and ETag headers. */
export function sendOutcome(reply: FastifyReply, outcome: Outcome): FastifyReply {
	if (outcome.replayed) reply.header("idempotent-replayed", "true");
	if (outcome.etag !== undefined) reply.header("etag", etag(outcome.etag));
	return reply.code(outcome.status).type(JSON_TYPE).send(outcome.body);
}

/** Sends a registered error. */
export function sendError(
	reply: FastifyReply,
	code: ErrorCode,
	message?: string,
	details?: Record<string, unknown>,
): FastifyReply {
	const error = new ApiError(code, message, details);
	return reply.code(error.status).type(JSON_TYPE).send(JSON.stringify(error.toBody()));
}
