// Closed-loop HTTP load generator for the benchmark, run as its own process so its CPU use is
// visible and separate from the API's. Each client sends a single-operation transaction, waits for
// the answer, and sends the next. Prints one JSON line of results.
import { Pool } from "undici";

const [base = "", clientsArg = "8", secondsArg = "10", warmupArg = "2", serverKey = "", players = "10000"] =
	process.argv.slice(2);
const clients = Number(clientsArg);
const seconds = Number(secondsArg);
const warmup = Number(warmupArg);
const playerCount = Number(players);

const pool = new Pool(base, { connections: clients, pipelining: 1, keepAliveTimeout: 60_000 });
const prefix = `${process.pid}-${Date.now()}-`;
const latencies: number[] = [];
const statuses = new Map<number, number>();
let counter = 0;
let measuring = false;
let running = true;

async function client(): Promise<void> {
	while (running) {
		const n = counter++;
		const userId = 1 + (n % playerCount);
		const started = performance.now();
		const response = await pool.request({
			path: `/v1/players/${userId}/transactions`,
			method: "POST",
			headers: {
				authorization: `Bearer ${serverKey}`,
				"content-type": "application/json",
				"idempotency-key": `${prefix}${n}`,
			},
			body: '{"ops":[{"op":"currency.add","currency":"coins","amount":1}],"reason":"bench"}',
		});
		await response.body.dump();
		if (measuring) {
			latencies.push(performance.now() - started);
			statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
		}
	}
}

function percentile(sorted: Float64Array, p: number): number {
	if (sorted.length === 0) return 0;
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const loops = Array.from({ length: clients }, () => client());
await new Promise((resolve) => setTimeout(resolve, warmup * 1000));
measuring = true;
const started = performance.now();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
measuring = false;
const elapsed = (performance.now() - started) / 1000;
running = false;
await Promise.all(loops);
await pool.close();

const sorted = Float64Array.from(latencies).sort();
const ok = statuses.get(201) ?? 0;
process.stdout.write(
	`${JSON.stringify({
		clients,
		requests: latencies.length,
		ok,
		statuses: Object.fromEntries(statuses),
		rps: ok / elapsed,
		p50Ms: percentile(sorted, 50),
		p99Ms: percentile(sorted, 99),
	})}\n`,
);
