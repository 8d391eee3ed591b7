// Closed-loop HTTP/1.1 load generator for the benchmark, run as its own process so its CPU use is
// separate from the API's. Each client holds one keep-alive connection, sends a single-operation
// transaction (fresh Idempotency-Key), reads the whole response, then sends the next. Raw sockets
// with prebuilt requests keep the generator's own CPU cost low on a 2-core machine.
// Prints one JSON line of results.
import { connect, type Socket } from "node:net";

const [base = "", clientsArg = "8", secondsArg = "10", warmupArg = "2", serverKey = "", players = "10000"] =
	process.argv.slice(2);
const clients = Number(clientsArg);
const seconds = Number(secondsArg);
const warmup = Number(warmupArg);
const playerCount = Number(players);
const target = new URL(base);

const BODY = '{"ops":[{"op":"currency.add","currency":"coins","amount":1}],"reason":"bench"}';
const HEAD_END = Buffer.from("\r\n\r\n");
const prefix = `${process.pid}-${Date.now()}-`;
const latencies: number[] = [];
const statuses = new Map<number, number>();
let counter = 0;
let measuring = false;
let running = true;

function requestBytes(n: number): string {
	return (
		`POST /v1/players/${1 + (n % playerCount)}/transactions HTTP/1.1\r\n` +
		`host: ${target.host}\r\n` +
		`authorization: Bearer ${serverKey}\r\n` +
		"content-type: application/json\r\n" +
		`idempotency-key: ${prefix}${n}\r\n` +
		`content-length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`
	);
}

/** Reads one complete response (status line, headers with content-length, body) per request. */
function client(): Promise<void> {
	return new Promise((resolve, reject) => {
		const socket: Socket = connect(Number(target.port), target.hostname);
		socket.setNoDelay(true);
		let buffer: Buffer = Buffer.alloc(0);
		let started = 0;
		const send = () => {
			if (!running) {
				socket.end();
				return resolve();
			}
			started = performance.now();
			socket.write(requestBytes(counter++));
		};
		socket.on("connect", send);
		socket.on("error", reject);
		socket.on("data", (chunk: Buffer) => {
			buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
			const headEnd = buffer.indexOf(HEAD_END);
			if (headEnd < 0) return;
			const head = buffer.subarray(0, headEnd).toString("latin1");
			const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
			const total = headEnd + 4 + length;
			if (buffer.length < total) return;
			const status = Number(head.slice(9, 12));
			buffer = buffer.subarray(total);
			if (measuring) {
				latencies.push(performance.now() - started);
				statuses.set(status, (statuses.get(status) ?? 0) + 1);
			}
			send();
		});
	});
}

function percentile(sorted: Float64Array, p: number): number {
	if (sorted.length === 0) return 0;
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const loops = Array.from({ length: clients }, () => client());
await new Promise((resolve) => setTimeout(resolve, warmup * 1000));
measuring = true;
const began = performance.now();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
measuring = false;
const elapsed = (performance.now() - began) / 1000;
running = false;
await Promise.all(loops);

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
