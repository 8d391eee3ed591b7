/** Settings of one API process, read from the environment (DESIGN §10). */
export interface Config {
	port: number;
	host: string;
	/** Absent: embedded PGlite. */
	databaseUrl: string | undefined;
	/** PGlite directory; absent: in memory. */
	pgliteDataDir: string | undefined;
	poolSize: number;
	serverKey: string;
	adminKey: string;
	openCloud: OpenCloudConfig | undefined;
	idempotencyRetentionHours: number;
	pruneIntervalSeconds: number;
	outboxPollMs: number;
	companionTokenTtlSeconds: number;
	/** Requests per second per principal; 0 turns the limiter off. */
	rateLimitPerSecond: number;
	rateLimitBurst: number;
	logLevel: string;
	workers: number;
	dev: boolean;
}

/** Where push invalidations go (Roblox Open Cloud MessagingService). */
export interface OpenCloudConfig {
	baseUrl: string;
	apiKey: string;
	universeId: string;
	topicPrefix: string;
}

/** Thrown when the environment cannot start a server; the message lists every problem. */
export class ConfigError extends Error {}

const DEV_SERVER_KEY = "dev-server-key-not-for-production";
const DEV_ADMIN_KEY = "dev-admin-key-not-for-production";
const MIN_KEY_LENGTH = 16;

type Env = Record<string, string | undefined>;

function intSetting(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
	const raw = env[name];
	if (raw === undefined || raw === "") return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < min || value > max) {
		problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
		return fallback;
	}
	return value;
}

function keySetting(env: Env, name: string, devDefault: string, dev: boolean, problems: string[]): string {
	const value = env[name];
	if (value === undefined || value === "") {
		if (dev) return devDefault;
		problems.push(`${name} is required (or set HOPSAFE_DEV=1 for development defaults)`);
		return "";
	}
	if (value.length < MIN_KEY_LENGTH) problems.push(`${name} must be at least ${MIN_KEY_LENGTH} characters`);
	return value;
}

function openCloudSetting(env: Env, problems: string[]): OpenCloudConfig | undefined {
	const baseUrl = env.OPEN_CLOUD_BASE_URL;
	if (baseUrl === undefined || baseUrl === "") return undefined;
	try {
		new URL(baseUrl);
	} catch {
		problems.push(`OPEN_CLOUD_BASE_URL is not a URL (got "${baseUrl}")`);
	}
	const apiKey = env.OPEN_CLOUD_API_KEY ?? "";
	const universeId = env.UNIVERSE_ID ?? "";
	if (apiKey === "") problems.push("OPEN_CLOUD_API_KEY is required when OPEN_CLOUD_BASE_URL is set");
	if (!/^[0-9]+$/.test(universeId)) problems.push("UNIVERSE_ID must be a number when OPEN_CLOUD_BASE_URL is set");
	return {
		baseUrl: baseUrl.replace(/\/+$/, ""),
		apiKey,
		universeId,
		topicPrefix: env.OPEN_CLOUD_TOPIC_PREFIX ?? "hopsafe-player-",
	};
}

/** Reads the configuration; throws {@link ConfigError} naming every invalid or missing setting. */
export function loadConfig(env: Env = process.env): Config {
	const problems: string[] = [];
	const dev = env.HOPSAFE_DEV === "1";
	const config: Config = {
		port: intSetting(env, "PORT", 8080, 0, 65535, problems),
		host: env.HOST ?? "0.0.0.0",
		databaseUrl: env.DATABASE_URL || undefined,
		pgliteDataDir: env.PGLITE_DATA_DIR || undefined,
		poolSize: intSetting(env, "PG_POOL_SIZE", 10, 1, 500, problems),
		serverKey: keySetting(env, "HOPSAFE_SERVER_KEY", DEV_SERVER_KEY, dev, problems),
		adminKey: keySetting(env, "HOPSAFE_ADMIN_KEY", DEV_ADMIN_KEY, dev, problems),
		openCloud: openCloudSetting(env, problems),
		idempotencyRetentionHours: intSetting(env, "IDEMPOTENCY_RETENTION_HOURS", 168, 24, 24 * 365, problems),
		pruneIntervalSeconds: intSetting(env, "PRUNE_INTERVAL_SECONDS", 600, 1, 86400, problems),
		outboxPollMs: intSetting(env, "OUTBOX_POLL_MS", 250, 10, 60000, problems),
		companionTokenTtlSeconds: intSetting(env, "COMPANION_TOKEN_TTL_SECONDS", 3600, 60, 30 * 86400, problems),
		rateLimitPerSecond: intSetting(env, "RATE_LIMIT_PER_SECOND", 0, 0, 1_000_000, problems),
		rateLimitBurst: intSetting(env, "RATE_LIMIT_BURST", 0, 0, 1_000_000, problems),
		logLevel: env.LOG_LEVEL ?? "info",
		workers: intSetting(env, "HOPSAFE_WORKERS", 1, 1, 64, problems),
		dev,
	};
	if (config.serverKey !== "" && config.serverKey === config.adminKey) {
		problems.push("HOPSAFE_SERVER_KEY and HOPSAFE_ADMIN_KEY must differ");
	}
	if (config.workers > 1 && config.databaseUrl === undefined) {
		problems.push("HOPSAFE_WORKERS > 1 needs DATABASE_URL (PGlite is in-process and single-connection)");
	}
	if (problems.length > 0) throw new ConfigError(`Cannot start the save API:\n  - ${problems.join("\n  - ")}`);
	return config;
}
