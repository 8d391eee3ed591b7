import assert from "node:assert/strict";
import { connect } from "node:net";
import { test } from "node:test";

import { ERRORS } from "../src/errors.js";
import { SERVER_KEY, type TestApp, startTestApp } from "./support/app.js";

// What Node's parser and Fastify's shutdown answer on their own, before any route: spoken to over
// a raw socket, since fetch cannot send bad HTTP or pipeline requests.

interface RawResponse {
	status: number;
	headers: Record<string, string>;
	body: string;
}

/** Every response on one connection, read until the server closes it. */
function parseResponses(bytes: Buffer): RawResponse[] {
	const responses: RawResponse[] = [];
	let at = 0;
	while (at < bytes.length) {
		const headEnd = bytes.indexOf("\r\n\r\n", at);
		assert.ok(headEnd >= 0, `an incomplete response: ${bytes.subarray(at).toString()}`);
		const [statusLine, ...lines] = bytes.subarray(at, headEnd).toString().split("\r\n");
		const headers: Record<string, string> = {};
		for (const line of lines) {
			const colon = line.indexOf(":");
			headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
		}
		const length = Number(headers["content-length"] ?? 0);
		const bodyStart = headEnd + 4;
		responses.push({
			status: Number(statusLine?.split(" ")[1]),
			headers,
			body: bytes.subarray(bodyStart, bodyStart + length).toString(),
		});
		at = bodyStart + length;
	}
	return responses;
}

/** Opens a connection to the app; `send` writes, `responses` resolves once the server closes it. */
function open(t: TestApp) {
	const url = new URL(t.base);
	const socket = connect(Number(url.port), url.hostname);
	const chunks: Buffer[] = [];
	socket.on("data", (chunk: Buffer) => chunks.push(chunk));
	const ended = new Promise<void>((resolve) => socket.on("close", () => resolve()));
	return {
		send: (text: string) => socket.write(text),
		responses: async () => {
			await ended;
			return parseResponses(Buffer.concat(chunks));
		},
	};
}

function errorCode(response: RawResponse): unknown {
	assert.match(response.headers["content-type"] ?? "", /^application\/json/);
	return (JSON.parse(response.body) as { error: { code: unknown } }).error.code;
}

test("HTTP the parser refuses gets the API's error format, and the server keeps serving", async () => {
	const t = await startTestApp();
	try {
		const cases: Array<[string, string, number, string]> = [
			["not HTTP at all", "GARBAGE\r\n\r\n", 400, "invalid_request"],
			["a bad header line", "GET /healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", 400, "invalid_request"],
			[
				"a bad Content-Length",
				"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n",
				400,
				"invalid_request",
			],
			[
				"headers over the size limit",
				`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
				ERRORS.headers_too_large.status,
				"headers_too_large",
			],
		];
		for (const [name, text, status, code] of cases) {
			const connection = open(t);
			connection.send(text);
			const responses = await connection.responses();
			assert.equal(responses.length, 1, name);
			const response = responses[0]!;
			assert.equal(response.status, status, name);
			assert.equal(errorCode(response), code, name);
		}
		const health = await fetch(`${t.base}/healthz`);
		assert.equal(health.status, 200);
	} finally {
		await t.close();
	}
});

test("while closing, a running request finishes and a new one on its connection gets 503 shutting_down", async () => {
	let entered!: () => void;
	const inCommit = new Promise<void>((resolve) => (entered = resolve));
	let release!: () => void;
	const released = new Promise<void>((resolve) => (release = resolve));
	const t = await startTestApp({
		hooks: {
			beforeCommit: async () => {
				entered();
				await released;
			},
		},
	});
	const body = JSON.stringify({ ops: [{ op: "currency.add", currency: "coins", amount: 5 }] });
	const connection = open(t);
	connection.send(
		`POST /v1/players/9/transactions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${SERVER_KEY}\r\n` +
			`Idempotency-Key: closing-1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
	);
	await inCommit;
	const closed = t.app.close();
	// Pipelined behind the running request, so it arrives after closing began. No credentials:
	// the refusal comes before authentication.
	connection.send("GET /v1/players/9 HTTP/1.1\r\nHost: x\r\n\r\n");
	// Give the server time to read the second request before the first one finishes.
	await new Promise((resolve) => setTimeout(resolve, 50));
	release();
	const responses = await connection.responses();
	await closed;
	await t.db.close();

	assert.equal(responses.length, 2);
	const [first, second] = responses as [RawResponse, RawResponse];
	assert.equal(first.status, 201, first.body);
	assert.equal(second.status, 503);
	assert.equal(errorCode(second), "shutting_down");
	assert.equal(second.headers.connection, "close");
	assert.equal(second.headers["retry-after"], "1");
});
