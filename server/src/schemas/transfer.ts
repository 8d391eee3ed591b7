import { countSchema, itemIdSchema, MAX_INT, nameSchema, reasonSchema, userIdSchema, versionSchema } from "./common.js";

/** Most legs per transfer and items per leg. */
export const MAX_LEGS = 20;
export const MAX_LEG_ITEMS = 50;

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

export const transferSuccessSchema = {
	type: "object",
	additionalProperties: false,
	required: ["players"],
	properties: {
		players: {
			type: "array",
			items: {
				type: "object",
				additionalProperties: false,
				required: ["userId", "version"],
				properties: { userId: userIdSchema, version: versionSchema },
			},
		},
	},
} as const;
