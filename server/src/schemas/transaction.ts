import {
	amountSchema,
	idempotencyKeySchema,
	countSchema,
	itemIdSchema,
	itemSchema,
	MAX_INT,
	MAX_OPS,
	nameSchema,
	reasonSchema,
	userIdSchema,
	versionSchema,
} from "./common.js";

const op = (name: string, properties: Record<string, unknown>, required: string[]) =>
	({
		type: "object",
		additionalProperties: false,
		required: ["op", ...required],
		properties: { op: { const: name }, ...properties },
	}) as const;

/** The operations a transaction may carry, discriminated by `op`. */
export const opSchema = {
	type: "object",
	required: ["op"],
	discriminator: { propertyName: "op" },
	oneOf: [
		op("currency.add", { currency: nameSchema, amount: amountSchema }, ["currency", "amount"]),
		op("item.grant", { item: itemSchema }, ["item"]),
		op("item.remove", { id: itemIdSchema, count: countSchema }, ["id"]),
		op("item.update", { id: itemIdSchema, attrs: { type: "object" } }, ["id", "attrs"]),
		op("doc.set", { name: nameSchema, value: { type: "object" } }, ["name", "value"]),
		op("progress.advance", { name: nameSchema, to: { type: "integer", minimum: 0, maximum: MAX_INT } }, ["name", "to"]),
	],
} as const;

/** Every operation kind; companion tokens are scoped to a subset of these (plus `transfer`). */
export const OP_KINDS = [
	"currency.add",
	"item.grant",
	"item.remove",
	"item.update",
	"doc.set",
	"progress.advance",
] as const;

export const transactionBodySchema = {
	type: "object",
	additionalProperties: false,
	required: ["ops"],
	properties: {
		ops: { type: "array", minItems: 1, maxItems: MAX_OPS, items: opSchema },
		reason: reasonSchema,
	},
} as const;

/** One entry of a batch: a transaction call with its headers carried in the body. */
export const batchEntrySchema = {
	type: "object",
	additionalProperties: false,
	required: ["userId", "idempotencyKey", "ops"],
	properties: {
		userId: userIdSchema,
		idempotencyKey: idempotencyKeySchema,
		ifMatch: { anyOf: [versionSchema, { type: "string", maxLength: 40 }] },
		ops: transactionBodySchema.properties.ops,
		reason: reasonSchema,
	},
} as const;

export const transactionResultSchema = {
	type: "object",
	required: ["op"],
	properties: { op: { type: "string" } },
} as const;

export const transactionSuccessSchema = {
	type: "object",
	additionalProperties: false,
	required: ["userId", "version", "results"],
	properties: {
		userId: userIdSchema,
		version: versionSchema,
		results: { type: "array", items: transactionResultSchema },
	},
} as const;
