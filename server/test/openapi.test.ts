import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";

import { Ajv } from "ajv";

import { ApiError, ERRORS } from "../src/errors.js";
import { ADMIN_KEY, type TestApp, startTestApp } from "./support/app.js";
import { coins, type Reply, request, transact } from "./support/http.js";

let t: TestApp;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the document is inspected as plain JSON
let doc: any;

before(async () => {
	t = await startTestApp();
	doc = (await request(t.base, "/openapi.json", { auth: null })).body;
});
after(() => t.close());

// Every endpoint of DESIGN §5 plus the operational ones.
const EXPECTED = [
	"get /v1/players/{userId}",
	"post /v1/players/{userId}/transactions",
	"get /v1/players/{userId}/transactions/{key}",
	"post /v1/batch",
	"post /v1/transfers",
	"post /v1/transfers/void",
	"get /v1/players/{userId}/changes",
	"post /v1/changes",
	"get /v1/players/{userId}/audit",
	"post /v1/companion/tokens",
	"get /healthz",
	"get /metrics",
	"get /openapi.json",
];

test("the document lists every route, and every documented route exists", () => {
	assert.equal(doc.openapi, "3.1.0");
	const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
		Object.keys(methods).map((method) => `${method} ${path}`),
	);
	assert.deepEqual([...documented].sort(), [...EXPECTED].sort());
	for (const entry of documented) {
		const [method, path] = entry.split(" ") as [string, string];
		const url = path.replace(/\{(\w+)\}/g, ":$1");
		assert.ok(t.app.server.hasRoute({ method: method.toUpperCase(), url }), `${entry} is registered`);
	}
	const printed = t.app.server.printRoutes({ commonPrefix: false });
	for (const fragment of [
		"transactions",
		"batch",
		"transfers",
		"changes",
		"audit",
		"tokens",
		"healthz",
		"metrics",
		"openapi.json",
	]) {
		assert.ok(printed.includes(fragment), `${fragment} in the route table`);
	}
});

test("every operation has a summary and documented response schemas; authenticated ones declare bearer security", () => {
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- plain JSON
	for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
		for (const [method, operation] of Object.entries(methods)) {
			assert.ok(operation.summary, `${method} ${path} summary`);
			assert.ok(Object.keys(operation.responses).length > 0, `${method} ${path} responses`);
			if (path.startsWith("/v1/")) assert.deepEqual(operation.security, [{ bearer: [] }], `${method} ${path} security`);
		}
	}
	const tx = doc.paths["/v1/players/{userId}/transactions"].post;
	assert.ok(tx.parameters.some((p: { name: string; in: string }) => p.name === "idempotency-key" && p.in === "header"));
	for (const status of ["201", "400", "401", "403", "409", "412", "413", "422", "428", "429", "500"]) {
		assert.ok(tx.responses[status], `transactions documents ${status}`);
	}
	assert.match(JSON.stringify(doc.paths["/v1/players/{userId}/changes"].get.responses["200"]), /complete/);
});

test("every operation documents 500 internal and 503 shutting_down, which any route can answer", () => {
	const ajv = new Ajv({ strict: false });
	const bodies = {
		500: new ApiError("internal").toBody(),
		503: new ApiError("shutting_down").toBody(),
	};
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- plain JSON
	for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
		for (const [method, operation] of Object.entries(methods)) {
			for (const [status, body] of Object.entries(bodies)) {
				const schema = operation.responses[status]?.content?.["application/json"]?.schema;
				assert.ok(schema, `${method} ${path} documents ${status} as JSON`);
				assert.ok(ajv.validate(schema, body), `${method} ${path} ${status}: ${JSON.stringify(ajv.errors)}`);
			}
			assert.match(operation.responses["503"].description, /shutting_down/, `${method} ${path} 503`);
		}
	}
});

function validator(path: string, method: string, status: number) {
	const schema = doc.paths[path]?.[method]?.responses?.[String(status)]?.content?.["application/json"]?.schema;
	assert.ok(schema, `${method} ${path} documents ${status}`);
	return new Ajv({ strict: false, allErrors: true }).compile(schema);
}

function check(path: string, method: string, reply: Reply): void {
	const validate = validator(path, method, reply.status);
	assert.ok(
		validate(reply.body),
		`${method} ${path} ${reply.status}: ${JSON.stringify(validate.errors)} for ${reply.text.slice(0, 300)}`,
	);
}

test("real responses validate against the documented schemas", async () => {
	const P = "/v1/players/{userId}";
	const TX = `${P}/transactions`;
	check(
		TX,
		"post",
		await transact(t.base, 600, {
			ops: [
				coins(100),
				{ op: "item.grant", item: { id: "600-1", def: "a", count: 2, attrs: { x: [1] } } },
				{ op: "progress.advance", name: "q", to: 1 },
			],
		}),
	);
	check(
		TX,
		"post",
		await transact(
			t.base,
			600,
			{
				ops: [
					{ op: "doc.set", name: "s", value: { a: 1 } },
					{ op: "item.remove", id: "600-1" },
					{ op: "item.update", id: "600-1", attrs: {} },
				],
			},
			{ ifMatch: '"1"' },
		),
	);
	check(TX, "post", await transact(t.base, 600, { ops: [coins(-1000)] }));
	check(TX, "post", await transact(t.base, 600, { ops: [coins(1)] }, { ifMatch: '"0"' }));
	check(TX, "post", await transact(t.base, 600, { ops: [{ op: "doc.set", name: "s", value: {} }] }));
	check(TX, "post", await transact(t.base, 600, { ops: [coins(1.5)] }));
	check(TX, "post", await transact(t.base, 600, { ops: [coins(1)] }, { auth: "nope" }));
	await transact(t.base, 600, { ops: [coins(1)] }, { key: "oa-k" });
	check(TX, "post", await transact(t.base, 600, { ops: [coins(2)] }, { key: "oa-k" }));
	check(`${TX}/{key}`, "get", await request(t.base, "/v1/players/600/transactions/oa-k"));
	check(`${TX}/{key}`, "get", await request(t.base, "/v1/players/600/transactions/oa-unused"));
	check(P, "get", await request(t.base, "/v1/players/600"));
	check(P, "get", await request(t.base, "/v1/players/600", { auth: ADMIN_KEY }));
	check(`${P}/changes`, "get", await request(t.base, "/v1/players/600/changes?since=0"));
	check(`${P}/changes`, "get", await request(t.base, "/v1/players/600/changes?since=50"));
	check(`${P}/audit`, "get", await request(t.base, "/v1/players/600/audit", { auth: ADMIN_KEY }));
	check(
		"/v1/transfers",
		"post",
		await request(t.base, "/v1/transfers", {
			body: { legs: [{ from: 600, to: 601, items: [{ id: "600-1" }], currencies: { coins: 5 } }] },
			headers: { "idempotency-key": "oa-t" },
		}),
	);
	const VOID = "/v1/transfers/void";
	const settle = (key: string, auth?: string) =>
		request(t.base, VOID, { body: { idempotencyKey: key, players: [600, 601] }, auth });
	check(VOID, "post", await settle("oa-t"));
	check(VOID, "post", await settle("oa-void"));
	await request(t.base, "/v1/transfers", {
		body: { legs: [{ from: 603, to: 601, items: [{ id: "603-1" }] }] },
		headers: { "idempotency-key": "oa-refused" },
	});
	check(VOID, "post", await settle("oa-refused"));
	check(VOID, "post", await settle("oa-void", ADMIN_KEY));
	check(VOID, "post", await request(t.base, VOID, { body: { idempotencyKey: "oa-void", players: [] } }));
	check(
		"/v1/transfers",
		"post",
		await request(t.base, "/v1/transfers", {
			body: { legs: [{ from: 600, to: 601, currencies: { coins: 1 } }] },
			headers: { "idempotency-key": "oa-void" },
		}),
	);
	check(
		"/v1/batch",
		"post",
		await request(t.base, "/v1/batch", {
			body: {
				requests: [
					{ userId: 602, idempotencyKey: "oa-b1", ops: [coins(1)] },
					{ userId: 602, idempotencyKey: "oa-b2", ops: [coins(-5)] },
				],
			},
		}),
	);
	check(
		"/v1/companion/tokens",
		"post",
		await request(t.base, "/v1/companion/tokens", { body: { userId: 600, ops: ["currency.add"] }, auth: ADMIN_KEY }),
	);
	check("/healthz", "get", await request(t.base, "/healthz", { auth: null }));
});

test("documented request schemas accept the DESIGN §5 examples", () => {
	const ajv = new Ajv({ strict: false, discriminator: true });
	const txBody = ajv.compile(
		doc.paths["/v1/players/{userId}/transactions"].post.requestBody.content["application/json"].schema,
	);
	const example = {
		ops: [
			{ op: "currency.add", currency: "coins", amount: -500 },
			{ op: "item.grant", item: { id: "1-7", def: "sword", count: 1, attrs: {} } },
			{ op: "item.remove", id: "1-7", count: 1 },
			{ op: "item.update", id: "1-7", attrs: {} },
			{ op: "doc.set", name: "settings", value: {} },
			{ op: "progress.advance", name: "quest_main", to: 7 },
		],
		reason: "shop:buy",
	};
	assert.ok(txBody(example), JSON.stringify(txBody.errors));
	assert.equal(txBody({ ops: [{ op: "currency.set", currency: "coins", amount: 1 }] }), false);
	const transfer = ajv.compile(doc.paths["/v1/transfers"].post.requestBody.content["application/json"].schema);
	assert.ok(transfer({ legs: [{ from: 1, to: 2, items: [{ id: "1-7", count: 1 }], currencies: { coins: 50 } }] }));
});

test("the README's error table lists every code the API answers, with its status, and no other", () => {
	const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
	const section = readme.split("### Error codes")[1]?.split("\n### ")[0] ?? "";
	const rows = [...section.matchAll(/^\| `([a-z_]+)` +\| (\d{3}) /gm)].map(([, code, status]) => `${code} ${status}`);
	const registered = Object.entries(ERRORS).map(([code, { status }]) => `${code} ${status}`);
	assert.deepEqual([...rows].sort(), [...registered].sort());
	// DESIGN §5's thirteen codes keep its statuses.
	for (const [code, status] of Object.entries({
		invalid_request: 400,
		idempotency_key_missing: 400,
		idempotency_key_reused: 422,
		unauthorized: 401,
		forbidden: 403,
		not_found: 404,
		insufficient_funds: 409,
		item_exists: 409,
		item_not_owned: 409,
		version_mismatch: 412,
		if_match_required: 428,
		payload_too_large: 413,
		rate_limited: 429,
	})) {
		assert.equal(ERRORS[code as keyof typeof ERRORS].status, status, code);
	}
});
