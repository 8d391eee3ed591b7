import { ERRORS } from "../errors.js";

/** Largest integer stored or accepted anywhere (2^53 - 1): JSON numbers stay exact. */
export const MAX_INT = Number.MAX_SAFE_INTEGER;

/** Most operations one transaction may carry (PlayFab's ExecuteInventoryOperations limit). */
export const MAX_OPS = 50;

export const userIdSchema = { type: "integer", minimum: 1, maximum: MAX_INT } as const;
export const versionSchema = { type: "integer", minimum: 0, maximum: MAX_INT } as const;
export const countSchema = { type: "integer", minimum: 1, maximum: MAX_INT } as const;
export const amountSchema = { type: "integer", minimum: -MAX_INT, maximum: MAX_INT } as const;

// Identifiers are restricted to a conservative alphabet: no quotes, spaces, semicolons or control
// characters, so hostile strings are refused at the door rather than merely parameterised.
export const itemIdSchema = { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$" } as const;
export const nameSchema = { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$" } as const;
export const reasonSchema = { type: "string", pattern: "^[A-Za-z0-9 _.:/#@,+=()-]{0,200}$" } as const;
export const idempotencyKeySchema = { type: "string", pattern: "^[A-Za-z0-9_.:-]{1,255}$" } as const;

/** Path parameter holding a player id (digits; range checked by the handler). */
export const userIdParamsSchema = {
	type: "object",
	additionalProperties: false,
	required: ["userId"],
	properties: { userId: { type: "string", pattern: "^[1-9][0-9]{0,15}$", description: "Roblox UserId" } },
} as const;

export const errorSchema = {
	type: "object",
	additionalProperties: false,
	required: ["error"],
	properties: {
		error: {
			type: "object",
			additionalProperties: false,
			required: ["code", "message", "details"],
			properties: {
				code: { type: "string", enum: Object.keys(ERRORS) },
				message: { type: "string" },
				details: { type: "object" },
			},
		},
	},
} as const;

export const itemSchema = {
	type: "object",
	additionalProperties: false,
	required: ["id", "def", "count", "attrs"],
	properties: {
		id: itemIdSchema,
		def: nameSchema,
		count: countSchema,
		attrs: { type: "object" },
	},
} as const;

export const playerStateSchema = {
	type: "object",
	additionalProperties: false,
	required: ["userId", "version", "currencies", "items", "docs", "progress"],
	properties: {
		userId: userIdSchema,
		version: versionSchema,
		currencies: { type: "object", additionalProperties: { type: "integer", minimum: 0 } },
		items: { type: "array", items: itemSchema },
		docs: { type: "object", additionalProperties: { type: "object" } },
		progress: { type: "object", additionalProperties: { type: "integer", minimum: 0 } },
	},
} as const;

/** The `200 { "results": [...] }` body of the routes that answer for several entries in request order. */
export function resultsSchema<T extends object>(items: T) {
	return {
		type: "object",
		additionalProperties: false,
		required: ["results"],
		properties: { results: { type: "array", items } },
	} as const;
}

/** Standard error responses, keyed by status, for route schemas. */
export function errorResponses(...statuses: number[]): Record<number, typeof errorSchema> {
	return Object.fromEntries(statuses.map((status) => [status, errorSchema]));
}

/** Parses a validated `userId` path parameter; undefined when it is beyond 2^53 - 1. */
export function parseUserId(raw: string): number | undefined {
	const value = Number(raw);
	return Number.isSafeInteger(value) && value >= 1 ? value : undefined;
}
