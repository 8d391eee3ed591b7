import type { FastifyBaseLogger, FastifyInstance } from "fastify";

import { authorizeOps, authorizePlayer } from "../authorize.js";
import type { AppDeps } from "../deps.js";
import { fingerprint } from "../engine/fingerprint.js";
import { errorOutcome, type Outcome, outcomeOf } from "../engine/outcome.js";
import type { Principal } from "../engine/principal.js";
import { executeTransaction } from "../engine/transaction.js";
import { ApiError } from "../errors.js";
import { expectedVersion, parseIdempotencyKey, parseIfMatch, parsePush } from "../headers.js";
import { errorResponses, errorSchema, resultsSchema } from "../schemas/common.js";
import { batchEntrySchema, transactionSuccessSchema } from "../schemas/transaction.js";
import { checkBatchEntry } from "./batchEntry.js";
import { requireIfMatchForDocs, TRANSACTION_ROUTE } from "./transactions.js";

/** Most entries in one batch. */
export const MAX_BATCH = 100;
const BATCH_BODY_LIMIT = 1024 * 1024;

/** Runs one entry exactly as its own transaction call would, answering its outcome. */
async function runEntry(
	deps: AppDeps,
	principal: Principal,
	raw: unknown,
	quiet: boolean,
	log: FastifyBaseLogger,
): Promise<Outcome> {
	try {
		const entry = checkBatchEntry(raw);
		const body = entry.reason === undefined ? { ops: entry.ops } : { ops: entry.ops, reason: entry.reason };
		authorizePlayer(principal, entry.userId);
		authorizeOps(principal, body.ops);
		const key = parseIdempotencyKey(entry.idempotencyKey);
		const ifMatch = parseIfMatch(entry.ifMatch);
		requireIfMatchForDocs(body, ifMatch);
		return await executeTransaction(deps, principal, {
			userId: entry.userId,
			key,
			ifMatch: expectedVersion(ifMatch),
			body,
			fingerprint: fingerprint("POST", TRANSACTION_ROUTE, entry.userId, body),
			quiet,
		});
	} catch (error) {
		if (error instanceof ApiError) return outcomeOf(error);
		log.error({ err: error }, "batch entry failed");
		return errorOutcome("internal");
	}
}

/**
 * A companion's batch costs one request per entry (the first was charged on arrival), so batching
 * is no way around its rate limit. Refused before any entry runs.
 */
function chargeCompanionEntries(deps: AppDeps, principal: Principal, entries: number): void {
	if (principal.kind !== "companion" || entries <= 1) return;
	if (entries > deps.rateLimit.burst) {
		throw new ApiError("invalid_request", "This batch has more entries than a companion's rate limit allows at once.", {
			entries,
			most: deps.rateLimit.burst,
		});
	}
	const verdict = deps.rateLimit(principal.scope, entries - 1);
	if (!verdict.allowed) throw new ApiError("rate_limited", undefined, { retryAfterSeconds: verdict.retryAfterSeconds });
}

/** The user id an entry names, if it is a number (a malformed one is refused by its own checks). */
function entryUserId(raw: unknown): number | undefined {
	const userId = typeof raw === "object" && raw !== null ? (raw as { userId?: unknown }).userId : undefined;
	return typeof userId === "number" ? userId : undefined;
}

/**
 * The answer of an entry not run because an earlier entry of its player failed without a
 * definitive answer: run, it could apply before that one does (its retry), out of the order the
 * sender made them.
 */
function notRunOutcome(): Outcome {
	return errorOutcome(
		"internal",
		"An earlier entry of this player failed; this one was not run. Retry both, in order, with the same keys.",
		{ notRun: true },
	);
}

function batchBodySchema<T extends object>(entry: T) {
	return {
		type: "object",
		additionalProperties: false,
		required: ["requests"],
		properties: { requests: { type: "array", minItems: 1, maxItems: MAX_BATCH, items: entry } },
	} as const;
}

/** POST /v1/batch: many players' transactions in one HTTP request, each atomic on its own. */
export function registerBatchRoutes(app: FastifyInstance, deps: AppDeps): void {
	app.post(
		"/v1/batch",
		{
			bodyLimit: BATCH_BODY_LIMIT,
			config: { auth: ["server", "companion"] },
			schema: {
				summary: "Run many transactions (one per entry) in one request",
				description:
					"Entries run in order, each in its own database transaction. Each result holds exactly the status and body " +
					"its own POST /v1/players/{userId}/transactions call would return; replayed marks Idempotent-Replayed. An " +
					"entry that does not match its schema is answered 400 in its own result, and the others still run. " +
					"After an entry answered 500, the later entries of the same player are not run (500 internal, " +
					"details.notRun), so none applies ahead of it: retry them in order with the same keys. " +
					"Hopsafe-Push: off (game servers only) writes every entry without a push announcement.",
				headers: {
					type: "object",
					properties: {
						"hopsafe-push": {
							type: "string",
							description: "off: do not announce these writes through push invalidation (game servers only).",
						},
					},
				},
				// Each entry is checked on its own (checkBatchEntry); the documented body names its schema.
				body: batchBodySchema({}),
				documentedBody: batchBodySchema(batchEntrySchema),
				response: {
					200: resultsSchema({
						type: "object",
						additionalProperties: false,
						required: ["status", "replayed", "body"],
						properties: {
							status: { type: "integer" },
							replayed: { type: "boolean" },
							body: { anyOf: [transactionSuccessSchema, errorSchema] },
						},
					}),
					...errorResponses(400, 401, 403, 413, 415, 429),
				},
			},
		},
		async (request, reply) => {
			const { requests } = request.body as { requests: unknown[] };
			chargeCompanionEntries(deps, request.principal, requests.length);
			const quiet = parsePush(request.headers["hopsafe-push"], request.principal);
			const parts: string[] = [];
			// Players with an entry that failed with a 5xx (nothing stored, to be retried).
			const failed = new Set<number>();
			for (const entry of requests) {
				const userId = entryUserId(entry);
				const outcome =
					userId !== undefined && failed.has(userId)
						? notRunOutcome()
						: await runEntry(deps, request.principal, entry, quiet, request.log);
				if (userId !== undefined && outcome.status >= 500) failed.add(userId);
				if (outcome.replayed) deps.metrics.inc("hopsafe_idempotent_replays_total");
				parts.push(`{"status":${outcome.status},"replayed":${outcome.replayed},"body":${outcome.body}}`);
			}
			// Stored bodies are spliced in verbatim, so each entry is byte-identical to its own call.
			return reply
				.code(200)
				.type("application/json; charset=utf-8")
				.send(`{"results":[${parts.join(",")}]}`);
		},
	);
}
