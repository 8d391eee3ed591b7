import {
	countSchema,
	errorSchema,
	idempotencyKeySchema,
	itemIdSchema,
	MAX_INT,
	nameSchema,
	reasonSchema,
	userIdSchema,
	versionSchema,
} from "./common.js";

/** Most legs per transfer and items per leg. */
export const MAX_LEGS = 20;
export const MAX_LEG_ITEMS = 50;
/** Most players a transfer touches (two per leg), and so most players a void may name. */
export const MAX_TRANSFER_PLAYERS = 2 * MAX_LEGS;

export const transferBodySchema = {
	type: "object",
	additionalProperties: false,
	required: ["legs"],
	properties: {
		legs: {
			type: "array",
			minItems: 1,
			maxItems: MAX_LEGS,
			items: {
				type: "object",
				additionalProperties: false,
				required: ["from", "to"],
				properties: {
					from: userIdSchema,
					to: userIdSchema,
					items: {
						type: "array",
						maxItems: MAX_LEG_ITEMS,
						items: {
							type: "object",
							additionalProperties: false,
							required: ["id"],
							properties: {
								id: itemIdSchema,
								count: { ...countSchema, description: "Omit to move the whole stack." },
								newId: { ...itemIdSchema, description: "Id for the moved part when count is less than the stack." },
							},
						},
					},
					currencies: {
						type: "object",
						maxProperties: 20,
						propertyNames: nameSchema,
						additionalProperties: { type: "integer", minimum: 1, maximum: MAX_INT },
					},
				},
			},
		},
		reason: reasonSchema,
	},
} as const;

const playerVersionsSchema = {
	type: "array",
	items: {
		type: "object",
		additionalProperties: false,
		required: ["userId", "version"],
		properties: { userId: userIdSchema, version: versionSchema },
	},
} as const;

export const transferSuccessSchema = {
	type: "object",
	additionalProperties: false,
	required: ["players"],
	properties: { players: playerVersionsSchema },
} as const;

export const transferVoidBodySchema = {
	type: "object",
	additionalProperties: false,
	required: ["idempotencyKey", "players"],
	properties: {
		idempotencyKey: { ...idempotencyKeySchema, description: "The Idempotency-Key of the transfer to settle." },
		players: {
			type: "array",
			minItems: 1,
			maxItems: MAX_TRANSFER_PLAYERS,
			items: userIdSchema,
			description:
				"Players the transfer touches (one is enough: a transfer journals every player it touches), to find it " +
				"in the journal once its key was pruned.",
		},
	},
} as const;

/** A void's players: their versions, and what each listed player received. */
const settledPlayersSchema = {
	...playerVersionsSchema,
	items: {
		...playerVersionsSchema.items,
		properties: {
			...playerVersionsSchema.items.properties,
			received: {
				type: "object",
				additionalProperties: false,
				required: ["items", "currencies"],
				description: "What the player received, from the transfer's journal row (absent for a player not listed).",
				properties: {
					items: {
						type: "array",
						items: {
							type: "object",
							additionalProperties: false,
							required: ["id", "count"],
							properties: { id: { type: "string" }, count: { type: "integer" } },
						},
					},
					currencies: { type: "object", additionalProperties: { type: "integer" } },
				},
			},
		},
	},
} as const;

/** The answer of a void: the transfer applied, was refused, or never applies. */
export const transferVoidResultSchema = {
	oneOf: [
		{
			type: "object",
			additionalProperties: false,
			required: ["status", "players"],
			properties: { status: { const: "applied" }, players: settledPlayersSchema },
		},
		{
			type: "object",
			additionalProperties: false,
			required: ["status", "error"],
			properties: { status: { const: "refused" }, error: errorSchema.properties.error },
		},
		{
			type: "object",
			additionalProperties: false,
			required: ["status"],
			properties: { status: { const: "voided" } },
		},
	],
} as const;
