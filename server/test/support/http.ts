import { randomUUID } from "node:crypto";

import { SERVER_KEY } from "./app.js";

/** A response read fully: status, headers and parsed JSON body (or text). */
export interface Reply {
	status: number;
	headers: Headers;
	text: string;
	body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests inspect arbitrary JSON
}

/** Options of one request. */
export interface RequestOptions {
	method?: string;
	body?: unknown;
	/** Raw body text, sent as is (for malformed-JSON cases). */
	raw?: string;
	headers?: Record<string, string>;
	/** Bearer secret; null sends no Authorization header. Default: the server key. */
	auth?: string | null;
}

/** Sends one HTTP request to the test app. */
export async function request(base: string, path: string, options: RequestOptions = {}): Promise<Reply> {
	const headers: Record<string, string> = { ...options.headers };
	const auth = options.auth === undefined ? SERVER_KEY : options.auth;
	if (auth !== null) headers.authorization = `Bearer ${auth}`;
	let body: string | undefined = options.raw;
	if (options.body !== undefined) {
		body = JSON.stringify(options.body);
		headers["content-type"] ??= "application/json";
	} else if (body !== undefined) {
		headers["content-type"] ??= "application/json";
	}
	const response = await fetch(`${base}${path}`, {
		method: options.method ?? (body === undefined ? "GET" : "POST"),
		headers,
		body,
	});
	const text = await response.text();
	let parsed: unknown;
	try {
		parsed = text === "" ? undefined : JSON.parse(text);
	} catch {
		// Not JSON (e.g. /metrics): callers read `text`.
	}
	return { status: response.status, headers: response.headers, text, body: parsed };
}

/** POST /v1/players/{userId}/transactions with a key (random unless given). */
export function transact(
	base: string,
	userId: number | string,
	body: unknown,
	options: { key?: string | null; ifMatch?: string; auth?: string | null } = {},
): Promise<Reply> {
	const headers: Record<string, string> = {};
	const key = options.key === undefined ? randomUUID() : options.key;
	if (key !== null) headers["idempotency-key"] = key;
	if (options.ifMatch !== undefined) headers["if-match"] = options.ifMatch;
	return request(base, `/v1/players/${userId}/transactions`, { body, headers, auth: options.auth });
}

/** GET /v1/players/{userId}. */
export function getPlayer(base: string, userId: number, auth?: string | null): Promise<Reply> {
	return request(base, `/v1/players/${userId}`, { auth });
}

/** A currency.add operation. */
export function coins(amount: number, currency = "coins") {
	return { op: "currency.add", currency, amount };
}
