/** Every error code the API returns, with its HTTP status and default message. */
export const ERRORS = {
	invalid_request: { status: 400, message: "The request is malformed or fails validation." },
	idempotency_key_missing: { status: 400, message: "This operation requires an Idempotency-Key header." },
	unauthorized: { status: 401, message: "Missing or invalid credentials." },
	forbidden: { status: 403, message: "These credentials may not perform this operation." },
	not_found: { status: 404, message: "No such resource." },
	insufficient_funds: { status: 409, message: "The balance is too low for this debit." },
	item_exists: { status: 409, message: "An item with this id already exists." },
	item_not_owned: { status: 409, message: "The player does not own this item in that count." },
	split_requires_new_id: { status: 409, message: "Moving part of a stack needs a newId for the moved part." },
	limit_exceeded: { status: 409, message: "The result would exceed the largest storable value." },
	conflict_in_progress: { status: 409, message: "A request with this Idempotency-Key is still in progress." },
	transfer_voided: {
		status: 409,
		message: "This Idempotency-Key was voided (POST /v1/transfers/void): no transfer with it applies.",
	},
	request_timeout: { status: 408, message: "The request was not received in time." },
	version_mismatch: { status: 412, message: "If-Match does not match the player's current version." },
	payload_too_large: { status: 413, message: "The request body is too large." },
	unsupported_media_type: { status: 415, message: "Send the body as application/json." },
	idempotency_key_reused: {
		status: 422,
		message: "This Idempotency-Key was used with a different request.",
	},
	if_match_required: { status: 428, message: "doc.set requires an If-Match header with the player's version." },
	headers_too_large: { status: 431, message: "The request headers are too large." },
	rate_limited: { status: 429, message: "Too many requests; retry later." },
	internal: { status: 500, message: "Internal error; nothing was stored, retry with the same key." },
	unavailable: { status: 503, message: "The service is not ready." },
	shutting_down: { status: 503, message: "This instance is shutting down; retry (another instance will answer)." },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** The JSON body of every error response. */
export interface ErrorBody {
	error: { code: ErrorCode; message: string; details: Record<string, unknown> };
}

/** An error that maps to one registered code and HTTP status. */
export class ApiError extends Error {
	readonly code: ErrorCode;
	readonly status: number;
	readonly details: Record<string, unknown>;

	constructor(code: ErrorCode, message?: string, details: Record<string, unknown> = {}) {
		super(message ?? ERRORS[code].message);
		this.code = code;
		this.status = ERRORS[code].status;
		this.details = details;
	}

	toBody(): ErrorBody {
		return { error: { code: this.code, message: this.message, details: this.details } };
	}
}

/** A business rejection (409): the outcome is stored under the key and replayed. */
export class BusinessError extends ApiError {}

/** Builds an error body for `code` without throwing. */
export function errorBody(code: ErrorCode, message?: string, details: Record<string, unknown> = {}): ErrorBody {
	return new ApiError(code, message, details).toBody();
}
