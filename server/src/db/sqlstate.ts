/** SQLSTATE codes the service reacts to. */
export const SQLSTATE = {
	uniqueViolation: "23505",
	checkViolation: "23514",
	serializationFailure: "40001",
	deadlockDetected: "40P01",
	duplicateTable: "42P07",
	duplicateObject: "42710",
} as const;

/** The SQLSTATE of a database error, if `error` is one. */
export function sqlState(error: unknown): string | undefined {
	if (typeof error === "object" && error !== null && "code" in error) {
		const code = error.code;
		return typeof code === "string" ? code : undefined;
	}
	return undefined;
}

/** The constraint a database error names, if any. */
export function constraintOf(error: unknown): string | undefined {
	if (typeof error === "object" && error !== null && "constraint" in error) {
		const constraint = error.constraint;
		return typeof constraint === "string" ? constraint : undefined;
	}
	return undefined;
}

/** True for failures that a fresh attempt of the whole transaction can cure. */
export function isRetryable(error: unknown): boolean {
	const state = sqlState(error);
	return state === SQLSTATE.serializationFailure || state === SQLSTATE.deadlockDetected;
}
