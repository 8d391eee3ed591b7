import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { after, before, test } from "node:test";

import { DEFAULT_DRAIN, type DrainOptions, drainOnce, leaseSeconds } from "../src/jobs/outboxDrainer.js";
import { createOpenCloudPublisher, type Publisher } from "../src/jobs/publisher.js";
import { createMetrics } from "../src/metrics.js";
import { ADMIN_KEY, type TestApp, startTestApp } from "./support/app.js";
import { coins, request, transact } from "./support/http.js";

interface Received {
	method: string;
	url: string;
	headers: IncomingMessage["headers"];
	body: string;
}

// A stand-in for Open Cloud on localhost: records requests and answers from a script.
let cloud: Server;
let cloudBase = "";
const received: Received[] = [];
let script: { status: number; headers?: Record<string, string> }[] = [];

let t: TestApp;
let publish: Publisher;
const options: DrainOptions = { ...DEFAULT_DRAIN, baseDelayMs: 1000, maxAttempts: 3 };

before(async () => {
	cloud = createServer((req, res) => {
		let body = "";
		req.on("data", (chunk: Buffer) => (body += chunk.toString()));
		req.on("end", () => {
			received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
			const answer = script.shift() ?? { status: 200 };
			res.writeHead(answer.status, answer.headers ?? {});
			res.end();
		});
	});
	await new Promise<void>((resolve) => cloud.listen(0, "127.0.0.1", resolve));
	const address = cloud.address();
	cloudBase = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
	t = await startTestApp({
		env: { OPEN_CLOUD_BASE_URL: `${cloudBase}/`, OPEN_CLOUD_API_KEY: "oc-test-key", UNIVERSE_ID: "4242" },
	});
	publish = createOpenCloudPublisher(t.app.deps.config.openCloud!);
});
after(async () => {
	await t.close();
	await new Promise((resolve) => cloud.close(resolve));
});

const outboxRow = async (playerId: number) =>
	(
		await t.db.query<{ version: number; attempts: number; wait: number }>(
			"SELECT version, attempts, extract(epoch FROM next_at - now())::float8 AS wait FROM outbox WHERE player_id = $1",
			[playerId],
		)
	)[0];
const makeDue = () => t.db.query("UPDATE outbox SET next_at = now()");

test("writes are coalesced per player and published with the exact Open Cloud wire format", async () => {
	received.length = 0;
	for (let i = 0; i < 3; i++) await transact(t.base, 500, { ops: [coins(1)] });
	assert.equal((await outboxRow(500))?.version, 3, "one row per player, newest version");
	assert.equal(await drainOnce(t.db, publish, createMetrics(), options), 1);
	assert.equal(received.length, 1);
	const [sent] = received;
	assert.equal(sent!.method, "POST");
	assert.equal(sent!.url, "/cloud/v2/universes/4242:publishMessage");
	assert.equal(sent!.headers["x-api-key"], "oc-test-key");
	assert.equal(sent!.headers["content-type"], "application/json");
	assert.deepEqual(JSON.parse(sent!.body), { topic: "hopsafe-player-500", message: '{"p":500,"v":3}' });
	assert.equal(await outboxRow(500), undefined, "delivered rows are removed");
	assert.equal(await drainOnce(t.db, publish, createMetrics(), options), 0);
});

test("failures are retried with backoff; 429 honours Retry-After", async () => {
	received.length = 0;
	await transact(t.base, 501, { ops: [coins(1)] });
	script = [{ status: 500 }, { status: 429, headers: { "retry-after": "30" } }, { status: 200 }];
	await drainOnce(t.db, publish, createMetrics(), options);
	const afterError = await outboxRow(501);
	assert.equal(afterError?.attempts, 1);
	assert.ok(afterError);
	assert.ok(afterError.wait > 0.3 && afterError.wait <= 1.1, `backoff ${afterError.wait}s`);
	assert.equal(await drainOnce(t.db, publish, createMetrics(), options), 0, "not due yet");
	await makeDue();
	await drainOnce(t.db, publish, createMetrics(), options);
	const afterLimit = await outboxRow(501);
	assert.equal(afterLimit?.attempts, 2);
	assert.ok(afterLimit);
	assert.ok(afterLimit.wait > 28 && afterLimit.wait <= 30.5, `retry-after ${afterLimit.wait}s`);
	await makeDue();
	await drainOnce(t.db, publish, createMetrics(), options);
	assert.equal(await outboxRow(501), undefined);
	assert.equal(received.length, 3);
});

test("a row is dropped after the last attempt (delivery is best effort)", async () => {
	await transact(t.base, 502, { ops: [coins(1)] });
	script = [{ status: 503 }, { status: 503 }, { status: 503 }];
	for (let i = 0; i < 3; i++) {
		await makeDue();
		await drainOnce(t.db, publish, createMetrics(), options);
	}
	assert.equal(await outboxRow(502), undefined);
	script = [];
});

test("a version committed while its predecessor is being published is still sent", async () => {
	received.length = 0;
	await transact(t.base, 503, { ops: [coins(1)] });
	const racing: Publisher = async (playerId, version) => {
		if (version === 1) assert.equal((await transact(t.base, 503, { ops: [coins(1)] })).status, 201);
		return publish(playerId, version);
	};
	await drainOnce(t.db, racing, createMetrics(), options);
	assert.equal((await outboxRow(503))?.version, 2, "the newer version stays queued");
	await drainOnce(t.db, racing, createMetrics(), options);
	assert.deepEqual(
		received.map((r) => JSON.parse(r.body).message),
		['{"p":503,"v":1}', '{"p":503,"v":2}'],
	);
});

test("two drainers side by side publish each row once", async () => {
	received.length = 0;
	for (let id = 510; id < 530; id++) await transact(t.base, id, { ops: [coins(1)] });
	await Promise.all([
		drainOnce(t.db, publish, createMetrics(), options),
		drainOnce(t.db, publish, createMetrics(), options),
	]);
	const topics = received.map((r) => JSON.parse(r.body).topic as string).sort();
	assert.equal(topics.length, 20);
	assert.equal(new Set(topics).size, 20);
});

test("a leased batch stays leased for the worst time its publishes can take, so no replica leases it again meanwhile", async () => {
	// Each of `concurrency` workers publishes ceil(batch / concurrency) rows, each up to the timeout.
	const worst = (o: DrainOptions) => (Math.ceil(o.batch / o.concurrency) * o.publishTimeoutMs) / 1000;
	const shapes: DrainOptions[] = [
		DEFAULT_DRAIN,
		{ ...DEFAULT_DRAIN, concurrency: 1 },
		{ ...DEFAULT_DRAIN, concurrency: 300 },
		{ ...DEFAULT_DRAIN, batch: 7, concurrency: 2, publishTimeoutMs: 30_000 },
	];
	for (const shape of shapes) assert.ok(leaseSeconds(shape) > worst(shape), JSON.stringify(shape));
	await transact(t.base, 540, { ops: [coins(1)] });
	let wait: number | undefined;
	const watching: Publisher = async (playerId, version) => {
		if (playerId === 540) wait = (await outboxRow(540))?.wait;
		return publish(playerId, version);
	};
	await drainOnce(t.db, watching, createMetrics(), options);
	assert.ok(wait !== undefined && wait > worst(options), `leased for ${wait}s`);
});

test("a publisher that cannot connect schedules a retry instead of failing", async () => {
	await transact(t.base, 531, { ops: [coins(1)] });
	const unreachable = createOpenCloudPublisher({ ...t.app.deps.config.openCloud!, baseUrl: "http://127.0.0.1:1" });
	assert.equal(await drainOnce(t.db, unreachable, createMetrics(), options), 1);
	assert.equal((await outboxRow(531))?.attempts, 1);
});

test("a game server's quiet writes are not announced; an earlier companion write still is", async () => {
	const quiet = { "hopsafe-push": "off" };
	const first = await request(t.base, "/v1/players/560/transactions", {
		body: { ops: [coins(10)] },
		headers: { "idempotency-key": "quiet-1", ...quiet },
	});
	assert.equal(first.status, 201);
	assert.equal(await outboxRow(560), undefined, "no nudge for a quiet write");

	const batch = await request(t.base, "/v1/batch", {
		body: { requests: [{ userId: 560, idempotencyKey: "quiet-2", ops: [coins(1)] }] },
		headers: quiet,
	});
	assert.equal(batch.body.results[0].status, 201);
	assert.equal(await outboxRow(560), undefined, "no nudge for a quiet batch entry");

	const issued = await request(t.base, "/v1/companion/tokens", {
		body: { userId: 560, ops: ["currency.add"] },
		auth: ADMIN_KEY,
	});
	const token = issued.body.token as string;
	const spend = await transact(t.base, 560, { ops: [coins(-2)] }, { auth: token });
	assert.equal(spend.status, 201);
	assert.equal((await outboxRow(560))?.version, 3, "the companion's write is announced");
	const later = await request(t.base, "/v1/players/560/transactions", {
		body: { ops: [coins(1)] },
		headers: { "idempotency-key": "quiet-3", ...quiet },
	});
	assert.equal(later.status, 201);
	assert.equal((await outboxRow(560))?.version, 3, "a quiet write leaves the pending nudge as it is");

	const loud = await transact(t.base, 560, { ops: [coins(1)] });
	assert.equal(loud.status, 201);
	assert.equal((await outboxRow(560))?.version, 5, "writes without the header are announced");
});

test("only a game server may ask for a write without a push", async () => {
	const issued = await request(t.base, "/v1/companion/tokens", {
		body: { userId: 561, ops: ["currency.add"] },
		auth: ADMIN_KEY,
	});
	const refused = await request(t.base, "/v1/players/561/transactions", {
		body: { ops: [coins(5)] },
		headers: { "idempotency-key": "companion-quiet", "hopsafe-push": "off" },
		auth: issued.body.token as string,
	});
	assert.equal(refused.status, 403);
	assert.equal(refused.body.error.code, "forbidden");
	const malformed = await request(t.base, "/v1/players/561/transactions", {
		body: { ops: [coins(5)] },
		headers: { "idempotency-key": "bad-push", "hopsafe-push": "sometimes" },
	});
	assert.equal(malformed.status, 400);
	assert.equal(malformed.body.error.code, "invalid_request");
	assert.equal((await t.db.query("SELECT 1 FROM players WHERE id = 561")).length, 0, "nothing was written");
});

test("a replica still on the previous build (quiet as a setting, eight-argument call) keeps working", async () => {
	// Exactly the statement the build before migration 0005 sends.
	const previousBuild = (key: string, quiet: "on" | "off") =>
		t.db.query<{ outcome: string; version: number }>(
			"SELECT t.outcome, t.version FROM (SELECT set_config('hopsafe.quiet', $9, true)) AS q, " +
				"LATERAL hopsafe_transaction($1, $2, $3, $4, $5, $6::jsonb, $7, $8) AS t",
			["server", key, `fp-${key}`, 562, null, JSON.stringify([coins(3)]), null, "server", quiet],
		);
	const quiet = await previousBuild("old-build-quiet", "on");
	assert.deepEqual(
		quiet.map((row) => [row.outcome, row.version]),
		[["done", 1]],
	);
	assert.equal(await outboxRow(562), undefined, "quiet is still honoured");
	await previousBuild("old-build-loud", "off");
	assert.equal((await outboxRow(562))?.version, 2);
	const state = await request(t.base, "/v1/players/562");
	assert.equal(state.body.currencies.coins, 6);
});
