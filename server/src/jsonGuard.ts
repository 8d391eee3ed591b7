import { errorCodes, type FastifyInstance } from "fastify";

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
 * any key or string, a number beyond the double range), or undefined when it is fine. Refusing these
 * up front keeps them a 400.
 */
export function jsonProblem(value: unknown, depth = 0): string | undefined {
	if (typeof value === "string")
		return badString(value) ? "strings must not contain NUL or unpaired surrogates" : undefined;
	// JSON.parse reads 1e400 as Infinity, which JSON.stringify would store as null.
	if (typeof value === "number") return Number.isFinite(value) ? undefined : "numbers must be finite";
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

/**
 * Whether parsed JSON, written compactly, is longer than `limit` bytes. Iterative, and it stops
 * once past the limit: JSON.stringify recurses, and overflows the stack on a body nested some
 * thousands deep (which fits a batch's megabyte).
 */
export function compactJsonExceeds(value: unknown, limit: number): boolean {
	let bytes = 0;
	const pending = [value];
	while (pending.length > 0 && bytes <= limit) {
		const node = pending.pop();
		if (node === null || typeof node !== "object") {
			bytes += Buffer.byteLength(JSON.stringify(node));
			continue;
		}
		const entries = Array.isArray(node)
			? node.map((child): [string | undefined, unknown] => [undefined, child])
			: Object.entries(node);
		// Brackets, and a comma between two children.
		bytes += 2 + Math.max(entries.length - 1, 0);
		for (const [key, child] of entries) {
			if (key !== undefined) bytes += Buffer.byteLength(JSON.stringify(key)) + 1;
			pending.push(child);
		}
	}
	return bytes > limit;
}

/** Whether an object's own keys would reach a prototype if merged by assignment. */
function poisonsPrototype(node: object): boolean {
	if (Object.hasOwn(node, "__proto__")) return true;
	const ctor: unknown = Object.hasOwn(node, "constructor") ? (node as { constructor: unknown }).constructor : null;
	return typeof ctor === "object" && ctor !== null && Object.hasOwn(ctor, "prototype");
}

/**
 * Whether any object in a parsed body has a `__proto__` key, or a `constructor` object with a
 * `prototype` key: what Fastify's own JSON parser refuses. Bodies are parsed without that check (as
 * JSON.parse does, these are plain own keys), so a batch can refuse just the entry holding one.
 * Iterative, as the body is not yet known to be shallow.
 */
export function hasPrototypeKey(value: unknown): boolean {
	const pending = [value];
	while (pending.length > 0) {
		const node = pending.pop();
		if (node === null || typeof node !== "object") continue;
		if (!Array.isArray(node) && poisonsPrototype(node)) return true;
		// One push per child: spreading a long array into push would overflow the call stack.
		for (const child of Object.values(node)) if (child !== null && typeof child === "object") pending.push(child);
	}
	return false;
}

/** The 400 for a body {@link hasPrototypeKey} objects to, worded as Fastify's parser words it. */
export function prototypeKeyError(): ApiError {
	const error = new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY();
	return new ApiError("invalid_request", error.message, { reason: error.code });
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

/** {@link hasPrototypeKey} for a batch's body, leaving out its entries. */
function envelopeHasPrototypeKey(value: unknown): boolean {
	if (value === null || typeof value !== "object" || Array.isArray(value)) return hasPrototypeKey(value);
	if (poisonsPrototype(value)) return true;
	return Object.entries(value).some(
		([key, element]) => !(key === "requests" && Array.isArray(element)) && hasPrototypeKey(element),
	);
}

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

/**
 * Replaces Fastify's JSON parser with one that refuses prototype keys ({@link hasPrototypeKey}) as
 * Fastify's does, except inside a batch's entries, and bodies {@link jsonProblem} objects to; drops
 * its text parser, so every body but JSON is 415, as is every compressed body.
 */
export function addGuardedJsonParser(app: FastifyInstance): void {
	// Bodies are read as sent: a compressed one (HttpService's `Compress` sends gzip) would be
	// refused as malformed JSON, pointing the client at its JSON instead of its encoding.
	app.addHook("preParsing", async (request, _reply, payload) => {
		const encoding = request.headers["content-encoding"]?.trim().toLowerCase();
		const hasBody =
			request.headers["content-length"] !== undefined || request.headers["transfer-encoding"] !== undefined;
		if (hasBody && encoding !== undefined && encoding !== "" && encoding !== "identity") {
			throw new ApiError(
				"unsupported_media_type",
				`Content-Encoding ${encoding.slice(0, 40)} is not supported: send the body uncompressed.`,
				{ contentEncoding: encoding.slice(0, 40) },
			);
		}
		return payload;
	});
	// Fastify also reads text/plain, which no route takes: such a body reached the schema as a string
	// and was refused as "must be object". Without the parser it is the 415 it is.
	app.removeContentTypeParser("text/plain");
	const parseJson = app.getDefaultJsonParser("ignore", "ignore");
	app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
		void parseJson(request, body as string, (error, value) => {
			if (error) return done(error);
			const entries = ENTRY_LISTS.has(request.routeOptions.url ?? "");
			if (entries ? envelopeHasPrototypeKey(value) : hasPrototypeKey(value))
				return done(prototypeKeyError(), undefined);
			const problem = entries ? envelopeProblem(value) : jsonProblem(value);
			if (problem) return done(jsonBodyError(problem), undefined);
			done(null, value);
		});
	});
}
