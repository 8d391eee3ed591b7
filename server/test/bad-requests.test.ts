import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { deflateSync, gzipSync } from "node:zlib";

import { ERRORS } from "../src/errors.js";
import { ADMIN_KEY, SERVER_KEY, type TestApp, startTestApp } from "./support/app.js";
import { coins, getPlayer, type Reply, request, type RequestOptions, transact } from "./support/http.js";
import { snapshot } from "./support/invariants.js";

let t: TestApp;
let companionToken = "";

before(async () => {
	t = await startTestApp();
	await transact(t.base, 1, {
		ops: [coins(500), { op: "item.grant", item: { id: "1-7", def: "sword", count: 3, attrs: {} } }],
	});
	await transact(t.base, 2, { ops: [coins(50)] });
	const issued = await request(t.base, "/v1/companion/tokens", {
		body: { userId: 1, ops: ["currency.add", "transfer"] },
		auth: ADMIN_KEY,
	});
	companionToken = issued.body.token;
});
after(() => t.close());

interface Case extends RequestOptions {
	name: string;
	path: string;
}

const TX = "/v1/players/1/transactions";
const KEY = { "idempotency-key": "bad-request-key" };
const tx = (name: string, body: unknown, extra: Partial<Case> = {}): Case => ({
	name,
	path: TX,
	body,
	headers: KEY,
	...extra,
});
const op = (name: string, o: unknown) => tx(name, { ops: [o] });
const grant = (item: Record<string, unknown>) => ({
	op: "item.grant",
	item: { id: "1-99", def: "x", count: 1, attrs: {}, ...item },
});

const INJECTIONS = [
	"' OR '1'='1",
	"1; DROP TABLE items; --",
	"'); DELETE FROM balances; --",
	'" OR ""="',
	"x' UNION SELECT token_hash FROM companion_tokens --",
	"$1::bigint",
	"coins\u0000",
];

function corpus(): Case[] {
	const cases: Case[] = [
		// Malformed JSON and bodies of the wrong shape.
		{ name: "truncated JSON", path: TX, raw: '{"ops":[', headers: KEY },
		{ name: "trailing garbage", path: TX, raw: '{"ops":[]} x', headers: KEY },
		{ name: "single quotes", path: TX, raw: "{'ops':[]}", headers: KEY },
		{ name: "empty body", path: TX, raw: "", headers: KEY },
		{ name: "null body", path: TX, raw: "null", headers: KEY },
		{ name: "array body", path: TX, raw: "[]", headers: KEY },
		{ name: "string body", path: TX, raw: '"ops"', headers: KEY },
		{
			name: "text/plain body",
			path: TX,
			raw: JSON.stringify({ ops: [coins(1)] }),
			headers: { ...KEY, "content-type": "text/plain" },
		},
		{
			name: "__proto__ pollution",
			path: TX,
			raw: '{"__proto__":{"admin":true},"ops":[{"op":"currency.add","currency":"coins","amount":1}]}',
			headers: KEY,
		},
		{ name: "constructor pollution", path: TX, raw: '{"constructor":{"prototype":{"x":1}},"ops":[]}', headers: KEY },
		// Wrong types.
		tx("ops is an object", { ops: { op: "currency.add" } }),
		tx("ops is a string", { ops: "currency.add" }),
		tx("no ops", { reason: "x" }),
		tx("empty ops", { ops: [] }),
		tx("extra top-level field", { ops: [coins(1)], admin: true }),
		tx("reason is a number", { ops: [coins(1)], reason: 5 }),
		op("amount as string", { op: "currency.add", currency: "coins", amount: "5" }),
		op("amount as boolean", { op: "currency.add", currency: "coins", amount: true }),
		op("amount null", { op: "currency.add", currency: "coins", amount: null }),
		op("currency as number", { op: "currency.add", currency: 5, amount: 1 }),
		op("count as string", grant({ count: "1" })),
		op("attrs as array", grant({ attrs: [] })),
		op("attrs as string", grant({ attrs: "{}" })),
		op("doc value as array", { op: "doc.set", name: "s", value: [] }),
		op("progress to as string", { op: "progress.advance", name: "q", to: "3" }),
		{ name: "userId not a number", path: "/v1/players/abc/transactions", body: { ops: [coins(1)] }, headers: KEY },
		{ name: "userId zero", path: "/v1/players/0/transactions", body: { ops: [coins(1)] }, headers: KEY },
		{ name: "userId negative", path: "/v1/players/-1", method: "GET" },
		// Refused by the router before any route: still the API's error format.
		{ name: "malformed percent-escape in the path", path: "/v1/players/%E0%A4%A", method: "GET" },
		{ name: "path parameter over the router's length", path: `/v1/players/${"1".repeat(120)}`, method: "GET" },
		{ name: "userId beyond 2^53 - 1", path: "/v1/players/9007199254740993", method: "GET" },
		{ name: "userId with exponent", path: "/v1/players/1e3", method: "GET" },
		// Unknown operations.
		op("unknown op", { op: "currency.set", currency: "coins", amount: 1 }),
		op("unknown op item.delete", { op: "item.delete", id: "1-7" }),
		op("empty op name", { op: "", currency: "coins", amount: 1 }),
		op("missing op", { currency: "coins", amount: 1 }),
		op("extra field in op", { op: "currency.add", currency: "coins", amount: 1, set: 1000 }),
		op("op is not an object", "currency.add"),
		// Negative, fractional and out-of-range numbers.
		op("grant count 0", grant({ count: 0 })),
		op("grant count negative", grant({ count: -1 })),
		op("grant count fractional", grant({ count: 1.5 })),
		op("remove count 0", { op: "item.remove", id: "1-7", count: 0 }),
		op("remove count negative", { op: "item.remove", id: "1-7", count: -2 }),
		op("remove count fractional", { op: "item.remove", id: "1-7", count: 2.5 }),
		op("fractional amount", { op: "currency.add", currency: "coins", amount: 1.5 }),
		op("amount beyond 2^53", { op: "currency.add", currency: "coins", amount: 9007199254740992 }),
		{
			name: "amount 1e400 (Infinity)",
			path: TX,
			raw: '{"ops":[{"op":"currency.add","currency":"coins","amount":1e400}]}',
			headers: KEY,
		},
		op("progress negative", { op: "progress.advance", name: "q", to: -1 }),
		op("progress fractional", { op: "progress.advance", name: "q", to: 1.5 }),
		tx("51 operations", { ops: Array.from({ length: 51 }, () => coins(1)) }),
		{
			name: "transfer negative currency",
			path: "/v1/transfers",
			body: { legs: [{ from: 1, to: 2, currencies: { coins: -5 } }] },
			headers: KEY,
		},
		{
			name: "transfer zero currency",
			path: "/v1/transfers",
			body: { legs: [{ from: 1, to: 2, currencies: { coins: 0 } }] },
			headers: KEY,
		},
		{
			name: "transfer fractional currency",
			path: "/v1/transfers",
			body: { legs: [{ from: 1, to: 2, currencies: { coins: 2.5 } }] },
			headers: KEY,
		},
		{
			name: "transfer item count 0",
			path: "/v1/transfers",
			body: { legs: [{ from: 1, to: 2, items: [{ id: "1-7", count: 0 }] }] },
			headers: KEY,
		},
		{
			name: "transfer from userId 0",
			path: "/v1/transfers",
			body: { legs: [{ from: 0, to: 2, currencies: { coins: 1 } }] },
			headers: KEY,
		},
		{
			name: "token for userId -1",
			path: "/v1/companion/tokens",
			body: { userId: -1, ops: ["currency.add"] },
			auth: ADMIN_KEY,
		},
		{
			name: "token ttl fractional",
			path: "/v1/companion/tokens",
			body: { userId: 1, ops: ["currency.add"], ttlSeconds: 90.5 },
			auth: ADMIN_KEY,
		},
		{ name: "changes since negative", path: "/v1/players/1/changes?since=-1", method: "GET" },
		{ name: "changes since fractional", path: "/v1/players/1/changes?since=1.5", method: "GET" },
		// Oversized bodies.
		op("oversized attrs (70 KiB)", grant({ attrs: { blob: "x".repeat(70 * 1024) } })),
		{
			name: "oversized batch (1.1 MiB)",
			path: "/v1/batch",
			raw: JSON.stringify({
				requests: [{ userId: 1, idempotencyKey: "k", ops: [grant({ attrs: { blob: "x".repeat(1100 * 1024) } })] }],
			}),
		},
		{
			name: "oversized token request",
			path: "/v1/companion/tokens",
			body: { userId: 1, ops: ["currency.add"], pad: "x".repeat(5000) },
			auth: ADMIN_KEY,
		},
		// Headers.
		tx("If-Match not a version", { ops: [coins(1)] }, { headers: { ...KEY, "if-match": "abc" } }),
		tx("Idempotency-Key too long", { ops: [coins(1)] }, { headers: { "idempotency-key": "k".repeat(256) } }),
		tx("Idempotency-Key missing", { ops: [coins(1)] }, { headers: {} }),
		// Wrong or missing credentials.
		tx("no Authorization", { ops: [coins(1)] }, { auth: null }),
		tx("wrong server key", { ops: [coins(1)] }, { auth: "test-server-key-0123456780" }),
		tx("empty bearer", { ops: [coins(1)] }, { auth: "" }),
		tx(
			"Basic scheme",
			{ ops: [coins(1)] },
			{ auth: null, headers: { ...KEY, authorization: `Basic ${Buffer.from("a:b").toString("base64")}` } },
		),
		tx(
			"lowercase bearer",
			{ ops: [coins(1)] },
			{ auth: null, headers: { ...KEY, authorization: "bearer test-server-key-0123456789" } },
		),
		tx("admin key writing", { ops: [coins(1)] }, { auth: ADMIN_KEY }),
		{ name: "server key issuing tokens", path: "/v1/companion/tokens", body: { userId: 1, ops: ["currency.add"] } },
		{ name: "server key reading audit", path: "/v1/players/1/audit", method: "GET" },
		{ name: "no auth reading a player", path: "/v1/players/1", method: "GET", auth: null },
		// A companion token used for another player, or beyond its scope.
		{
			name: "companion writes another player",
			path: "/v1/players/2/transactions",
			body: { ops: [coins(1)] },
			headers: KEY,
			auth: "COMPANION",
		},
		{ name: "companion reads another player", path: "/v1/players/2", method: "GET", auth: "COMPANION" },
		{
			name: "companion reads another player's changes",
			path: "/v1/players/2/changes?since=0",
			method: "GET",
			auth: "COMPANION",
		},
		{
			name: "companion uses an op outside its scope",
			path: TX,
			body: { ops: [grant({})] },
			headers: KEY,
			auth: "COMPANION",
		},
		{
			name: "companion sends from another player",
			path: "/v1/transfers",
			body: { legs: [{ from: 2, to: 1, currencies: { coins: 1 } }] },
			headers: KEY,
			auth: "COMPANION",
		},
		{
			name: "companion voids a transfer key",
			path: "/v1/transfers/void",
			body: { idempotencyKey: "bad-request-key", players: [1] },
			auth: "COMPANION",
		},
		{
			name: "admin key voids a transfer key",
			path: "/v1/transfers/void",
			body: { idempotencyKey: "bad-request-key", players: [1] },
			auth: ADMIN_KEY,
		},
		{
			name: "void without players",
			path: "/v1/transfers/void",
			body: { idempotencyKey: "bad-request-key", players: [] },
		},
		{
			name: "companion issues tokens",
			path: "/v1/companion/tokens",
			body: { userId: 1, ops: ["item.grant"] },
			auth: "COMPANION",
		},
		{ name: "companion reads audit", path: "/v1/players/1/audit", method: "GET", auth: "COMPANION" },
		// Unknown routes and methods.
		{ name: "unknown route", path: "/v1/players/1/wallet", method: "GET" },
		{ name: "wrong method", path: "/v1/players/1", method: "DELETE" },
		{ name: "PUT a player", path: "/v1/players/1", method: "PUT", body: { currencies: { coins: 1e9 } } },
		// Values PostgreSQL cannot store, or nesting that would exhaust a recursive walk.
		op("NUL in attrs value", grant({ attrs: { note: "a\u0000b" } })),
		op("NUL in attrs key", grant({ attrs: { "a\u0000": 1 } })),
		{
			name: "unpaired surrogate in doc",
			path: TX,
			raw: '{"ops":[{"op":"doc.set","name":"s","value":{"t":"\\ud800"}}]}',
			headers: { ...KEY, "if-match": '"1"' },
		},
		{
			name: "attrs nested 10,000 deep",
			path: TX,
			raw: `{"ops":[{"op":"item.grant","item":{"id":"1-98","def":"x","count":1,"attrs":{"a":${"[".repeat(10000)}${"]".repeat(10000)}}}}]}`,
			headers: KEY,
		},
	];
	// SQL injection strings in every field a request carries.
	for (const evil of INJECTIONS) {
		cases.push(
			op(`injection in currency: ${evil}`, { op: "currency.add", currency: evil, amount: 1 }),
			op(`injection in item id: ${evil}`, grant({ id: evil })),
			op(`injection in item def: ${evil}`, grant({ def: evil })),
			op(`injection in remove id: ${evil}`, { op: "item.remove", id: evil, count: 1 }),
			op(`injection in update id: ${evil}`, { op: "item.update", id: evil, attrs: {} }),
			op(`injection in doc name: ${evil}`, { op: "doc.set", name: evil, value: {} }),
			op(`injection in progress name: ${evil}`, { op: "progress.advance", name: evil, to: 1 }),
			op(`injection in op: ${evil}`, { op: evil, currency: "coins", amount: 1 }),
			tx(`injection in reason: ${evil}`, { ops: [coins(1)], reason: evil }),
			tx(
				`injection in Idempotency-Key: ${evil}`,
				{ ops: [coins(1)] },
				{ headers: { "idempotency-key": evil.replaceAll("\u0000", "%00") } },
			),
			tx(
				`injection in If-Match: ${evil}`,
				{ ops: [coins(1)] },
				{ headers: { ...KEY, "if-match": evil.replaceAll("\u0000", "%00") } },
			),
			tx(`injection in Authorization: ${evil}`, { ops: [coins(1)] }, { auth: evil.replaceAll("\u0000", "%00") }),
			{ name: `injection in path userId: ${evil}`, path: `/v1/players/${encodeURIComponent(evil)}`, method: "GET" },
			{
				name: `injection in since: ${evil}`,
				path: `/v1/players/1/changes?since=${encodeURIComponent(evil)}`,
				method: "GET",
			},
			{
				name: `injection in audit before: ${evil}`,
				path: `/v1/players/1/audit?before=${encodeURIComponent(evil)}`,
				method: "GET",
				auth: ADMIN_KEY,
			},
			{
				name: `injection in transfer item: ${evil}`,
				path: "/v1/transfers",
				body: { legs: [{ from: 1, to: 2, items: [{ id: evil }] }] },
				headers: KEY,
			},
			{
				name: `injection in transfer newId: ${evil}`,
				path: "/v1/transfers",
				body: { legs: [{ from: 1, to: 2, items: [{ id: "1-7", count: 1, newId: evil }] }] },
				headers: KEY,
			},
			{
				name: `injection in transfer currency: ${evil}`,
				path: "/v1/transfers",
				body: { legs: [{ from: 1, to: 2, currencies: { [evil]: 1 } }] },
				headers: KEY,
			},
			{
				name: `injection in batch key: ${evil}`,
				path: "/v1/batch",
				body: { requests: [{ userId: 1, idempotencyKey: evil, ops: [coins(1)] }] },
			},
			{
				name: `injection in void key: ${evil}`,
				path: "/v1/transfers/void",
				body: { idempotencyKey: evil, players: [1] },
			},
			{
				name: `injection in token scope: ${evil}`,
				path: "/v1/companion/tokens",
				body: { userId: 1, ops: [evil] },
				auth: ADMIN_KEY,
			},
		);
	}
	return cases;
}

/**
 * A batch answers each entry in its own result: a batch of one bad entry is judged by that
 * entry's status and body (a batch whose shape is wrong is still refused whole).
 */
function entryOf(item: Case, reply: Reply): Pick<Reply, "status" | "body" | "text"> {
	if (item.path !== "/v1/batch" || reply.status !== 200) return reply;
	const entry = reply.body?.results?.[0] as { status: number; body: Reply["body"] } | undefined;
	if (entry === undefined) return reply;
	return { status: entry.status, body: entry.body, text: JSON.stringify(entry.body) };
}

async function send(item: Case): Promise<Reply> {
	const auth = item.auth === "COMPANION" ? companionToken : item.auth;
	return request(t.base, item.path, { ...item, auth });
}

test("every bad request gets a 4xx with a registered error code, never a 5xx, and changes nothing", async () => {
	const before = await snapshot(t.db);
	const cases = corpus();
	const problems: string[] = [];
	for (const item of cases) {
		const reply = entryOf(item, await send(item));
		const code = reply.body?.error?.code as string | undefined;
		if (reply.status < 400 || reply.status > 499)
			problems.push(`${item.name}: status ${reply.status} ${reply.text.slice(0, 120)}`);
		else if (code === undefined || !(code in ERRORS))
			problems.push(`${item.name}: no error code in ${reply.text.slice(0, 120)}`);
		else if (ERRORS[code as keyof typeof ERRORS].status !== reply.status)
			problems.push(`${item.name}: ${code} sent as ${reply.status}`);
	}
	assert.deepEqual(problems, []);
	assert.equal(await snapshot(t.db), before);
	assert.ok(cases.length > 200, `${cases.length} cases`);
});

test("SQL injection strings stored as opaque values stay data: tables intact, values verbatim", async () => {
	const attrs = Object.fromEntries(
		INJECTIONS.filter((evil) => !evil.includes("\u0000")).map((evil, i) => [`k${i}`, evil]),
	);
	const reply = await transact(
		t.base,
		3,
		{
			ops: [
				{ op: "item.grant", item: { id: "3-1", def: "note", count: 1, attrs } },
				{ op: "doc.set", name: "notes", value: { text: INJECTIONS[1] } },
			],
		},
		{ ifMatch: '"0"' },
	);
	assert.equal(reply.status, 201);
	const state = (await getPlayer(t.base, 3)).body;
	assert.deepEqual(state.items[0].attrs, attrs);
	assert.equal(state.docs.notes.text, INJECTIONS[1]);
	assert.equal((await getPlayer(t.base, 1)).body.items[0].id, "1-7", "items table intact");
});

test("a number beyond the double range (1e400) is refused 400, on its own and per batch entry; large finite ones are stored", async () => {
	const grant = '"ops":[{"op":"item.grant","item":{"id":"1-90","def":"x","count":1,"attrs":{"power":1e400}}}]';
	const doc = '"ops":[{"op":"doc.set","name":"s","value":{"x":{"y":-1e400}}}]';
	const version = (await getPlayer(t.base, 1)).body.version as number;
	const before = await snapshot(t.db);
	const alone = await Promise.all(
		[grant, doc].map((ops, i) =>
			request(t.base, TX, { raw: `{${ops}}`, headers: { "idempotency-key": `nf-${i}`, "if-match": `"${version}"` } }),
		),
	);
	for (const reply of alone) {
		assert.equal(reply.status, 400, reply.text);
		assert.deepEqual(reply.body.error, {
			code: "invalid_request",
			message: "Invalid JSON body: numbers must be finite.",
			details: {},
		});
	}
	const entries = [grant, doc].map((ops, i) => `{"userId":1,"idempotencyKey":"nf-b${i}","ifMatch":${version},${ops}}`);
	const batch = await request(t.base, "/v1/batch", { raw: `{"requests":[${entries.join(",")}]}` });
	assert.equal(batch.status, 200, batch.text);
	assert.deepEqual(
		batch.body.results.map((result: { body: unknown }) => result.body),
		alone.map((reply) => reply.body),
	);
	assert.equal(await snapshot(t.db), before);
	const large = { power: 1e308, big: 2 ** 80, small: -1.5e-300 };
	const stored = await transact(t.base, 5, {
		ops: [{ op: "item.grant", item: { id: "5-1", def: "x", count: 1, attrs: large } }],
	});
	assert.equal(stored.status, 201, stored.text);
	assert.deepEqual((await getPlayer(t.base, 5)).body.items[0].attrs, large);
});

test("a batch entry for another player is refused on its own (403) and changes nothing", async () => {
	const before = await snapshot(t.db);
	const reply = await request(t.base, "/v1/batch", {
		body: { requests: [{ userId: 2, idempotencyKey: "cb-1", ops: [coins(1)] }] },
		auth: companionToken,
	});
	assert.equal(reply.status, 200);
	assert.equal(reply.body.results[0].status, 403);
	assert.equal(reply.body.results[0].body.error.code, "forbidden");
	assert.equal(await snapshot(t.db), before);
});

test("a body that is not application/json is 415 unsupported_media_type on every write route, whatever it holds", async () => {
	const before = await snapshot(t.db);
	const writes: Array<[string, unknown]> = [
		[TX, { ops: [coins(1)] }],
		["/v1/batch", { requests: [{ userId: 1, idempotencyKey: "media-b", ops: [coins(1)] }] }],
		["/v1/transfers", { legs: [{ from: 1, to: 2, currencies: { coins: 1 } }] }],
	];
	for (const [path, body] of writes) {
		for (const type of ["text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded"]) {
			const reply = await request(t.base, path, {
				raw: JSON.stringify(body),
				headers: { "idempotency-key": "media-key", "content-type": type },
			});
			assert.equal(reply.status, 415, `${path} as ${type}: ${reply.text}`);
			assert.equal(reply.body.error.code, "unsupported_media_type");
		}
	}
	assert.equal(await snapshot(t.db), before);
});

test("a compressed body (Content-Encoding gzip, as HttpService's Compress sends) is 415 naming the encoding, not malformed JSON", async () => {
	const before = await snapshot(t.db);
	const body = JSON.stringify({ ops: [coins(1)] });
	for (const [encoding, raw] of [
		["gzip", gzipSync(body)],
		["deflate", deflateSync(body)],
		["br", Buffer.from(body)],
	] as const) {
		const response = await fetch(`${t.base}${TX}`, {
			method: "POST",
			headers: {
				authorization: `Bearer ${SERVER_KEY}`,
				"content-type": "application/json",
				"content-encoding": encoding,
				"idempotency-key": `encoded-${encoding}`,
			},
			body: raw,
		});
		const reply = (await response.json()) as { error: { code: string; message: string } };
		assert.equal(response.status, 415, `${encoding}: ${JSON.stringify(reply)}`);
		assert.equal(reply.error.code, "unsupported_media_type");
		assert.match(reply.error.message, new RegExp(encoding));
	}
	assert.equal(await snapshot(t.db), before);
	const identity = await request(t.base, TX, {
		body: { ops: [coins(1)] },
		headers: { "idempotency-key": "encoded-identity", "content-encoding": "identity" },
	});
	assert.equal(identity.status, 201, identity.text);
});
