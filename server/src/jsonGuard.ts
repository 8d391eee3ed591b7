import type { FastifyInstance } from "fastify";

import { ApiError } from "./errors.js";

/** Largest request body (bytes) of every route that sets no limit of its own. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Deepest JSON nesting a request may carry. */
export const MAX_JSON_DEPTH = 32;

function badString(value: string): boolean {
	// PostgreSQL text and jsonb cannot hold NUL, and jsonb refuses unpaired surrogates.
	return value.includes("\u0000") || !value.isWellFormed();
}

/**
 * Why a parsed JSON body cannot be stored as-is (too deep, NUL characters or unpaired surrogates in
 * any key or string), or undefined when it is fine. Refusing these up front keeps them a 400.
 */
export function jsonProblem(value: unknown, depth = 0): string | undefined {
	if (typeof value === "string")
		return badString(value) ? "strings must not contain NUL or unpaired surrogates" : undefined;
	if (value === null || typeof value !== "object") return undefined;
	if (depth >= MAX_JSON_DEPTH) return `JSON nesting deeper than ${MAX_JSON_DEPTH} levels`;
	if (Array.isArray(value)) {
		for (const element of value) {
			const problem = jsonProblem(element, depth + 1);
			if (problem) return problem;
		}
		return undefined;
	}
	for (const [key, element] of Object.entries(value)) {
		if (badString(key)) return "keys must not contain NUL or unpaired surrogates";
		const problem = jsonProblem(element, depth + 1);
		if (problem) return problem;
	}
	return undefined;
}

/** The 400 for a body {@link jsonProblem} objects to. */
export function jsonBodyError(problem: string): ApiError {
	return new ApiError("invalid_request", `Invalid JSON body: ${problem}.`);
}

/**
 * Routes whose body lists entries that are each checked on their own (`requests` of a batch, see
 * `checkBatchEntry`): one entry the guard objects to is refused in its own result, as its own call
 * would be, so only the rest of the body is guarded here.
 */
const ENTRY_LISTS = new Set(["/v1/batch"]);

function envelopeProblem(value: unknown): string | undefined {
	if (value === null || typeof value !== "object" || Array.isArray(value)) return jsonProblem(value);
	for (const [key, element] of Object.entries(value)) {
		if (badString(key)) return "keys must not contain NUL or unpaired surrogates";
		if (key === "requests" && Array.isArray(element)) continue;
		const problem = jsonProblem(element, 1);
		if (problem) return problem;
	}
	return undefined;
}

/** Replaces Fastify's JSON parser with one that also refuses bodies {@link jsonProblem} objects to. */
export function addGuardedJsonParser(app: FastifyInstance): void {
	const parseJson = app.getDefaultJsonParser("error", "error");
	app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
		void parseJson(request, body as string, (error, value) => {
			if (error) return done(error);
			const problem = ENTRY_LISTS.has(request.routeOptions.url ?? "") ? envelopeProblem(value) : jsonProblem(value);
			if (problem) return done(jsonBodyError(problem), undefined);
			done(null, value);
		});
	});
}
