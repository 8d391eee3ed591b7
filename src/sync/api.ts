import { makeError, type HopsafeError } from "../core/errors";
import { err, ok, type Result } from "../core/result";
import type { Platform } from "../platform";
import type { RequestBudget } from "./budget";
import type { SyncStats } from "./types";

/** An answer of the save API: its status, its decoded JSON body and the headers that matter. */
export interface ApiResponse {
	readonly status: number;
	readonly body: unknown;
	/** `Idempotent-Replayed: true`: the stored answer of an earlier request with the same key. */
	readonly replayed: boolean;
	/** Seconds from `Retry-After`, if sent. */
	readonly retryAfter?: number;
}

/** The error body of the API: `{ error: { code, message, details } }`. */
export interface ApiErrorBody {
	readonly code: string;
	readonly message: string;
	readonly details: Record<string, unknown>;
}

/** The `error` of an API error body, if the body is one. */
export function errorOf(body: unknown): ApiErrorBody | undefined {
	if (!typeIs(body, "table")) return undefined;
	const inner = (body as { error?: unknown }).error;
	if (!typeIs(inner, "table")) return undefined;
	const problem = inner as { code?: unknown; message?: unknown; details?: unknown };
	if (!typeIs(problem.code, "string")) return undefined;
	return {
		code: problem.code,
		message: typeIs(problem.message, "string") ? problem.message : problem.code,
		details: typeIs(problem.details, "table") ? (problem.details as Record<string, unknown>) : {},
	};
}

/**
 * The save API over HttpService: the bearer key from the Secrets store (a `Secret` can only go
 * in a URL or a header, so requests are not signed), the shared request budget, JSON bodies.
 * Requests yield the calling thread; callers run them on threads of their own.
 */
export class ApiClient {
	private secret?: Secret;

	constructor(
		private readonly platform: Platform,
		private readonly baseUrl: string,
		private readonly secretName: string,
		private readonly timeout: number,
		private readonly budget: RequestBudget,
		private readonly stats: SyncStats,
	) {}

	/** The `Authorization` header value (`Bearer <key>`), or `SecretMissing`. */
	authorization(): Result<Secret, HopsafeError> {
		if (this.secret !== undefined) return ok(this.secret);
		const [found, secret] = pcall(() => this.platform.httpService.GetSecret(this.secretName));
		if (!found) {
			return err(
				makeError(
					"SecretMissing",
					`the save API key is not in the secrets store: add a secret named "${this.secretName}" (${tostring(secret)})`,
					{ secret: this.secretName },
					secret,
				),
			);
		}
		this.secret = (secret as Secret).AddPrefix("Bearer ");
		return ok(this.secret);
	}

	/**
	 * Sends one request and returns the API's answer whatever its status, or an `HttpFailure`
	 * when there is none (not sent, no answer in time, a body that is not JSON). Waits for the
	 * request budget first.
	 */
	request(
		operation: string,
		method: "GET" | "POST",
		path: string,
		body?: string,
		extraHeaders?: Record<string, string>,
	): Result<ApiResponse, HopsafeError> {
		const authorization = this.authorization();
		if (!authorization.ok) return authorization;
		if (this.budget.take((seconds) => task.wait(seconds))) this.stats.budgetWaits += 1;
		this.stats.requests += 1;
		const headers: Record<string, string | Secret> = { Authorization: authorization.value };
		if (body !== undefined) headers["Content-Type"] = "application/json";
		if (extraHeaders) for (const [name, value] of pairs(extraHeaders)) headers[name] = value;
		const [sent, response] = pcall(() =>
			this.platform.httpService.RequestAsync({
				Url: `${this.baseUrl}${path}`,
				Method: method,
				Headers: headers,
				Body: body,
				Timeout: this.timeout,
			} as RequestAsyncRequest),
		);
		if (!sent) {
			this.stats.transportFailures += 1;
			return err(
				makeError(
					"HttpFailure",
					`${operation}: ${tostring(response)}`,
					{ operation, retryable: true },
					response,
				),
			);
		}
		const answer = response as RequestAsyncResponse;
		let decoded: unknown;
		if (answer.Body !== undefined && answer.Body !== "") {
			const [parsed, value] = pcall(() => this.platform.httpService.JSONDecode(answer.Body));
			if (parsed) decoded = value;
			else if (answer.StatusCode >= 200 && answer.StatusCode < 300) {
				return err(
					makeError("HttpFailure", `${operation}: the answer is not JSON`, {
						operation,
						status: answer.StatusCode,
						retryable: true,
					}),
				);
			}
		}
		const headerOf = (name: string) => answer.Headers[name] as string | undefined;
		const retryAfter = tonumber(headerOf("retry-after"));
		return ok({
			status: answer.StatusCode,
			body: decoded,
			replayed: headerOf("idempotent-replayed") === "true",
			retryAfter,
		});
	}

	/** A failure for an answer that is not what `operation` expects. */
	static failure(operation: string, response: ApiResponse): HopsafeError {
		const problem = errorOf(response.body);
		// 408: the API did not receive the whole request in time; nothing was done, send it again.
		const retryable =
			response.status >= 500 ||
			response.status === 408 ||
			response.status === 429 ||
			problem?.code === "conflict_in_progress";
		if (retryable || problem === undefined) {
			return makeError(
				"HttpFailure",
				`${operation}: HTTP ${response.status}${problem ? ` (${problem.code})` : ""}`,
				{ operation, status: response.status, retryable: true },
			);
		}
		return makeError("ApiRejected", `${operation}: ${problem.code}: ${problem.message}`, {
			operation,
			status: response.status,
			code: problem.code,
		});
	}
}
