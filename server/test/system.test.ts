import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { SERVER_KEY, type TestApp, startTestApp } from "./support/app.js";
import { coins, request, transact } from "./support/http.js";

let t: TestApp;
before(async () => {
	t = await startTestApp();
});
after(() => t.close());

test("/healthz reports the database", async () => {
	const reply = await request(t.base, "/healthz", { auth: null });
	assert.equal(reply.status, 200);
	assert.equal(reply.body.status, "ok");
	assert.ok(["postgres", "pglite"].includes(reply.body.database));
});

test("/metrics is Prometheus text with request counts, latency and outbox backlog", async () => {
	await transact(t.base, 700, { ops: [coins(1)] }, { key: "m-1" });
	await transact(t.base, 700, { ops: [coins(1)] }, { key: "m-1" });
	const reply = await request(t.base, "/metrics", { auth: null });
	assert.equal(reply.status, 200);
	assert.match(reply.headers.get("content-type") ?? "", /^text\/plain/);
	assert.match(reply.text, /# TYPE hopsafe_http_requests_total counter/);
	assert.match(
		reply.text,
		/hopsafe_http_requests_total\{route="\/v1\/players\/:userId\/transactions",method="POST",status="201"\} 2/,
	);
	assert.match(
		reply.text,
		/hopsafe_http_request_duration_seconds_bucket\{route="\/v1\/players\/:userId\/transactions",le="\+Inf"\} 2/,
	);
	assert.match(reply.text, /^hopsafe_idempotent_replays_total 1$/m);
	assert.match(reply.text, /^hopsafe_outbox_pending 1$/m);
});

test("unknown routes are 404 not_found in the error format", async () => {
	const reply = await request(t.base, "/v2/anything");
	assert.equal(reply.status, 404);
	assert.equal(reply.body.error.code, "not_found");
	assert.deepEqual(Object.keys(reply.body.error).sort(), ["code", "details", "message"]);
});

test("HEAD answers as GET does without the body (RFC 9110 §9.3.2): a load balancer's HEAD /healthz is 200", async () => {
	await transact(t.base, 701, { ops: [coins(1)] });
	const head = (path: string, auth?: string) =>
		fetch(`${t.base}${path}`, { method: "HEAD", headers: auth ? { authorization: `Bearer ${auth}` } : {} });
	const health = await head("/healthz");
	assert.equal(health.status, 200);
	assert.equal(await health.text(), "");
	const player = await head("/v1/players/701", SERVER_KEY);
	assert.equal(player.status, 200);
	assert.equal(player.headers.get("etag"), '"1"');
	assert.equal(await player.text(), "");
	assert.equal((await head("/v1/players/701")).status, 401);
	assert.equal((await head("/v2/anything", SERVER_KEY)).status, 404);
	const doc = (await request(t.base, "/openapi.json", { auth: null })).body as { paths: Record<string, object> };
	const methods = Object.values(doc.paths).flatMap((path) => Object.keys(path));
	assert.equal(methods.includes("head"), false, "HEAD is implied by GET, not listed");
});
