import { Ajv, type ErrorObject } from "ajv";

import { ApiError } from "../errors.js";
import {
	compactJsonExceeds,
	hasPrototypeKey,
	jsonBodyError,
	jsonProblem,
	MAX_BODY_BYTES,
	prototypeKeyError,
} from "../jsonGuard.js";
import { userIdSchema, versionSchema } from "../schemas/common.js";
import type { Op } from "../schemas/ops.js";
import { transactionBodySchema } from "../schemas/transaction.js";

/** One entry of a batch: a transaction call with its path and headers carried in the body. */
export interface BatchEntry {
	userId: number;
	idempotencyKey?: string;
	ifMatch?: number | string;
	ops: Op[];
	reason?: string;
}

// The options the app gives Fastify's validator (see app.ts), so an entry is refused with the
// same messages as its own transaction call.
const ajv = new Ajv({
	coerceTypes: false,
	removeAdditional: false,
	useDefaults: false,
	allErrors: false,
	discriminator: true,
});
const checkUserId = ajv.compile(userIdSchema);
const checkVersion = ajv.compile(versionSchema);
const checkBody = ajv.compile(transactionBodySchema);
const FIELDS = new Set(["userId", "idempotencyKey", "ifMatch", "ops", "reason"]);

function invalid(where: "params" | "body", errors: ErrorObject[] | null | undefined, prefix = ""): ApiError {
	const list = (errors ?? [])
		.slice(0, 10)
		.map((issue) => ({ path: prefix + issue.instancePath, message: issue.message }));
	return new ApiError("invalid_request", `Invalid ${where}.`, { in: where, errors: list });
}

/**
 * Checks one batch entry as its own transaction call is checked (its body's size and JSON, the
 * user id of its path, then its body's schema), throwing the same 400, so a malformed entry is refused on its own while the others
 * run. The Idempotency-Key and If-Match are read afterwards as the call's headers are.
 */
export function checkBatchEntry(entry: unknown): BatchEntry {
	if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
		throw new ApiError("invalid_request", "A batch entry must be an object.", { in: "entry" });
	}
	const fields = entry as Record<string, unknown>;
	const unknown = Object.keys(fields).filter((name) => !FIELDS.has(name));
	if (unknown.length > 0) {
		throw new ApiError("invalid_request", "A batch entry has unknown fields.", {
			in: "entry",
			unknown: unknown.slice(0, 10),
		});
	}
	const body = fields.reason === undefined ? { ops: fields.ops } : { ops: fields.ops, reason: fields.reason };
	// Its own call refuses a body over the limit (measured here as compact JSON), then one its JSON
	// parser refuses, then one that cannot be stored, before anything is validated.
	if (compactJsonExceeds(body, MAX_BODY_BYTES)) throw new ApiError("payload_too_large");
	if (hasPrototypeKey(body)) throw prototypeKeyError();
	const problem = jsonProblem(body);
	if (problem) throw jsonBodyError(problem);
	if (!checkUserId(fields.userId)) throw invalid("params", checkUserId.errors, "/userId");
	if (!checkBody(body)) throw invalid("body", checkBody.errors);
	const { idempotencyKey, ifMatch } = fields;
	if (idempotencyKey !== undefined && typeof idempotencyKey !== "string") {
		throw new ApiError("invalid_request", "idempotencyKey must be a string.", { header: "Idempotency-Key" });
	}
	const readable =
		ifMatch === undefined || (typeof ifMatch === "string" && ifMatch.length <= 40) || checkVersion(ifMatch);
	if (!readable)
		throw new ApiError("invalid_request", 'If-Match must be the player version, e.g. "5"', { header: "If-Match" });
	return entry as BatchEntry;
}
