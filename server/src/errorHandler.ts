import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";

import { ApiError, type ErrorCode } from "./errors.js";
import { sendError } from "./http.js";

/**
 * Maps every failure to the error format: registered ApiErrors as they are, schema validation and
 * other client mistakes to 4xx, anything else to 500 `internal` (logged; nothing was stored).
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
	if (error instanceof ApiError) {
		const retry = error.details.retryAfterSeconds;
		if (error.code === "rate_limited") reply.header("retry-after", typeof retry === "number" ? String(retry) : "1");
		return sendError(reply, error.code, error.message, error.details);
	}
	if (error.validation) {
		const errors = error.validation.slice(0, 10).map((issue) => ({ path: issue.instancePath, message: issue.message }));
		return sendError(reply, "invalid_request", `Invalid ${error.validationContext ?? "request"}.`, {
			in: error.validationContext,
			errors,
		});
	}
	const status = error.statusCode ?? 500;
	if (status === 413) return sendError(reply, "payload_too_large");
	if (status === 415) return sendError(reply, "unsupported_media_type");
	if (status >= 400 && status < 500) return sendError(reply, "invalid_request", error.message, { reason: error.code });
	request.log.error({ err: error }, "request failed");
	return sendError(reply, "internal");
}

const FRAMEWORK_MESSAGES: Record<string, string> = {
	FST_ERR_BAD_URL: "The URL has a malformed percent-escape.",
	FST_ERR_MAX_PARAM_LENGTH: "A path parameter is too long.",
};

/** Requests the router refuses before reaching any route, in the same error format (400 `invalid_request`). */
export function handleFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
	void sendError(reply, "invalid_request", FRAMEWORK_MESSAGES[error.code] ?? error.message, { reason: error.code });
}

const CLIENT_ERRORS: Record<string, ErrorCode> = {
	ERR_HTTP_REQUEST_TIMEOUT: "request_timeout",
	HPE_HEADER_OVERFLOW: "headers_too_large",
};

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (malformed HTTP, headers over the
 * size limit, a request not received in time), answered on the socket in the same error format.
 */
export function handleClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
	// A reset connection has nobody to answer.
	if (error.code === "ECONNRESET" || socket.destroyed) return;
	if (socket.writable) {
		const known = CLIENT_ERRORS[error.code ?? ""];
		const refusal = known
			? new ApiError(known)
			: new ApiError("invalid_request", "The request is not valid HTTP.", { reason: error.code });
		const body = JSON.stringify(refusal.toBody());
		const status = `${refusal.status} ${STATUS_CODES[refusal.status] ?? ""}`;
		socket.write(
			`HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\n` +
				`Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
		);
	}
	socket.destroy(error);
}
