import { ApiError, type ErrorCode } from "../errors.js";

/** A finished request: status and exact body text, as sent and as stored under the key. */
export interface Outcome {
	status: number;
	body: string;
	replayed: boolean;
	/** Player version for the ETag header (transaction results). */
	etag?: number;
}

/** An error outcome (never stored unless the caller stores it). */
export function errorOutcome(code: ErrorCode, message?: string, details: Record<string, unknown> = {}): Outcome {
	const error = new ApiError(code, message, details);
	return { status: error.status, body: JSON.stringify(error.toBody()), replayed: false };
}

/** Outcome of an ApiError. */
export function outcomeOf(error: ApiError): Outcome {
	return { status: error.status, body: JSON.stringify(error.toBody()), replayed: false };
}

/**
 * A stored body in the compact JSON.stringify form. The transaction function stores PostgreSQL's JSON
 * text (spaces after colons); every answer is sent compact instead, so a first answer and each of its
 * replays are the same bytes, whoever stored it.
 */
export function compactJson(text: string): string {
	return JSON.stringify(JSON.parse(text));
}

/** A stored outcome sent again, compact; 201 transaction bodies carry the version for the ETag. */
export function replayOutcome(status: number, stored: string): Outcome {
	const body = compactJson(stored);
	const outcome: Outcome = { status, body, replayed: true };
	if (status === 201) {
		const version = (JSON.parse(body) as { version?: unknown }).version;
		if (typeof version === "number") outcome.etag = version;
	}
	return outcome;
}

/** Thrown inside a transaction to roll it back and answer with `outcome` instead. */
export class Abort extends Error {
	constructor(readonly outcome: Outcome) {
		super(`aborted with ${outcome.status}`);
	}
}
