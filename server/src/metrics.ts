/** Labels of one series. */
export type Labels = Record<string, string | number>;

interface Family {
	type: "counter" | "histogram" | "gauge";
	help: string;
}

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

interface Histogram {
	labels: string;
	counts: number[];
	sum: number;
	count: number;
}

function labelText(labels: Labels | undefined): string {
	if (!labels) return "";
	const parts = Object.entries(labels).map(([key, value]) => `${key}="${String(value).replace(/["\\\n]/g, "_")}"`);
	return parts.length > 0 ? `{${parts.join(",")}}` : "";
}

/** A small Prometheus registry: counters, gauges and latency histograms, rendered as text format 0.0.4. */
export class Metrics {
	private readonly families = new Map<string, Family>();
	private readonly values = new Map<string, Map<string, number>>();
	private readonly histograms = new Map<string, Map<string, Histogram>>();

	describe(name: string, type: Family["type"], help: string): void {
		this.families.set(name, { type, help });
	}

	inc(name: string, labels?: Labels, by = 1): void {
		const series = this.values.get(name) ?? new Map<string, number>();
		this.values.set(name, series);
		const key = labelText(labels);
		series.set(key, (series.get(key) ?? 0) + by);
	}

	set(name: string, value: number, labels?: Labels): void {
		const series = this.values.get(name) ?? new Map<string, number>();
		this.values.set(name, series);
		series.set(labelText(labels), value);
	}

	observe(name: string, seconds: number, labels?: Labels): void {
		const series = this.histograms.get(name) ?? new Map<string, Histogram>();
		this.histograms.set(name, series);
		const key = labelText(labels);
		let histogram = series.get(key);
		if (!histogram) {
			histogram = { labels: key, counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
			series.set(key, histogram);
		}
		for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) histogram.counts[i]!++;
		histogram.sum += seconds;
		histogram.count++;
	}

	/** The Prometheus exposition text. */
	render(): string {
		const lines: string[] = [];
		for (const [name, family] of this.families) {
			lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
			for (const [labels, value] of this.values.get(name) ?? []) lines.push(`${name}${labels} ${value}`);
			for (const histogram of (this.histograms.get(name) ?? new Map<string, Histogram>()).values()) {
				const inner = histogram.labels.slice(1, -1);
				const join = inner ? `${inner},` : "";
				BUCKETS.forEach((bound, i) => lines.push(`${name}_bucket{${join}le="${bound}"} ${histogram.counts[i]}`));
				lines.push(`${name}_bucket{${join}le="+Inf"} ${histogram.count}`);
				lines.push(
					`${name}_sum${histogram.labels} ${histogram.sum}`,
					`${name}_count${histogram.labels} ${histogram.count}`,
				);
			}
		}
		return `${lines.join("\n")}\n`;
	}
}

/** The registry with every family this service exports. */
export function createMetrics(): Metrics {
	const metrics = new Metrics();
	metrics.describe("hopsafe_http_requests_total", "counter", "HTTP requests by route, method and status.");
	metrics.describe("hopsafe_http_request_duration_seconds", "histogram", "HTTP request latency by route.");
	metrics.describe("hopsafe_idempotent_replays_total", "counter", "Responses replayed from a stored idempotency key.");
	metrics.describe("hopsafe_business_rejections_total", "counter", "409 business rejections by code.");
	metrics.describe(
		"hopsafe_transfer_voids_total",
		"counter",
		"POST /v1/transfers/void answers by status (applied, refused, voided).",
	);
	metrics.describe(
		"hopsafe_db_retries_total",
		"counter",
		"Transactions retried after a deadlock or serialization failure.",
	);
	metrics.describe("hopsafe_outbox_published_total", "counter", "Push invalidations delivered to Open Cloud.");
	metrics.describe("hopsafe_outbox_failures_total", "counter", "Push invalidation attempts that failed, by reason.");
	metrics.describe("hopsafe_outbox_pending", "gauge", "Players with a push invalidation not yet delivered.");
	metrics.describe("hopsafe_pruned_total", "counter", "Rows removed by the retention job, by table.");
	return metrics;
}
