import type { FastifySchema, RouteOptions } from "fastify";

import { errorSchema } from "./schemas/common.js";

/** A route schema with the documentation fields Fastify itself ignores. */
export type DocSchema = FastifySchema & {
	summary?: string;
	description?: string;
	produces?: string[];
	/** The request body to document, when the route validates a looser one itself (see batch). */
	documentedBody?: unknown;
};

/** What the OpenAPI document needs to know about a route. */
export interface RouteDoc {
	method: string;
	url: string;
	schema: DocSchema | undefined;
	auth: readonly string[] | undefined;
}

const STATUS_TEXT: Record<string, string> = {
	200: "OK",
	201: "Created",
	304: "Not modified",
	400: "Malformed request, failed validation or Idempotency-Key missing",
	401: "Missing or invalid credentials",
	403: "Credentials not allowed here (wrong principal, player or operation)",
	409: "Business rejection (stored and replayed under the key); conflict_in_progress alone is not stored: retry",
	412: "If-Match does not match the player's version (not stored)",
	413: "Body too large",
	415: "Body is not application/json, or has a Content-Encoding (send it uncompressed)",
	422: "Idempotency-Key reused with a different request",
	428: "If-Match required",
	429: "Rate limited (never stored)",
	500: "Internal error (rolled back, nothing stored)",
	503: "unavailable: not ready (the database cannot be reached); shutting_down: this instance is closing, retry (another instance answers)",
};

/**
 * Answers any route can give whatever its own schema says: 500 `internal` from the error
 * handler, and 503 `shutting_down` to a request arriving while the instance closes.
 */
const ANY_ROUTE = [500, 503] as const;

type JsonSchema = { properties?: Record<string, unknown>; required?: readonly string[] };

function parameters(schema: FastifySchema | undefined): unknown[] {
	const out: unknown[] = [];
	const add = (source: unknown, where: "path" | "query" | "header") => {
		const object = source as JsonSchema | undefined;
		for (const [name, property] of Object.entries(object?.properties ?? {})) {
			const { description, ...rest } = property as { description?: string };
			out.push({
				name,
				in: where,
				required: where === "path" || (object?.required ?? []).includes(name),
				...(description ? { description } : {}),
				schema: rest,
			});
		}
	};
	add(schema?.params, "path");
	add(schema?.querystring, "query");
	add(schema?.headers, "header");
	return out;
}

function responses(schema: DocSchema | undefined): Record<string, unknown> {
	const result: Record<string, unknown> = {};
	const produces = schema?.produces?.[0] ?? "application/json";
	for (const [status, body] of Object.entries((schema?.response ?? {}) as Record<string, unknown>)) {
		result[status] = { description: STATUS_TEXT[status] ?? "Response", content: { [produces]: { schema: body } } };
	}
	for (const status of ANY_ROUTE) {
		// Errors are JSON whatever the route produces (/metrics answers text only on success).
		result[status] ??= { description: STATUS_TEXT[status], content: { "application/json": { schema: errorSchema } } };
	}
	return result;
}

/** Builds the OpenAPI 3.1 document from the registered routes' schemas (the single source of truth). */
export function buildOpenApi(routes: RouteDoc[]): Record<string, unknown> {
	const paths: Record<string, Record<string, unknown>> = {};
	for (const route of routes) {
		const path = route.url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
		const schema = route.schema;
		const operation: Record<string, unknown> = {
			summary: schema?.summary,
			...(schema?.description ? { description: schema.description } : {}),
			parameters: parameters(schema),
			responses: responses(schema),
		};
		const body = schema?.documentedBody ?? schema?.body;
		if (body) operation.requestBody = { required: true, content: { "application/json": { schema: body } } };
		if (route.auth) {
			operation.security = [{ bearer: [] }];
			operation["x-principals"] = route.auth;
		}
		paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
	}
	return {
		openapi: "3.1.0",
		info: {
			title: "hopsafe save API",
			version: "1.0.0",
			description:
				"Versioned, idempotent player progress (DESIGN §5). Game servers send Authorization: Bearer <server key>; " +
				"companions a token from POST /v1/companion/tokens; the admin key issues tokens and reads audit history. " +
				'Errors are { "error": { "code", "message", "details" } }.',
		},
		components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
		paths,
	};
}

/** The route description the document is built from. */
export function routeDoc(options: RouteOptions): RouteDoc[] {
	// HEAD routes are the GET routes' twins (Fastify's exposeHeadRoutes): implied, not listed.
	const methods = (Array.isArray(options.method) ? options.method : [options.method]).filter(
		(method) => String(method) !== "HEAD",
	);
	return methods.map((method) => ({
		method: String(method),
		url: options.url,
		schema: options.schema,
		auth: options.config?.auth,
	}));
}
