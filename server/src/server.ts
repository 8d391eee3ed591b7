import { type App, buildApp } from "./app.js";
import type { Config } from "./config.js";
import { DEFAULT_DRAIN, drainOnce } from "./jobs/outboxDrainer.js";
import { type Loop, startLoop } from "./jobs/loop.js";
import { pruneOnce } from "./jobs/pruner.js";
import { createOpenCloudPublisher } from "./jobs/publisher.js";

/** A listening API process with its background jobs. */
export interface RunningServer {
	app: App;
	port: number;
	stop(): Promise<void>;
}

/** Builds the app, listens on the configured port and starts the retention and outbox loops. */
export async function startServer(config: Config): Promise<RunningServer> {
	const app = await buildApp({ config });
	const log = app.server.log;
	const { applied, schemaVersion, knownVersion } = app.migrations;
	log.info({ applied, schemaVersion, database: app.db.kind }, "database ready");
	if (schemaVersion > knownVersion) {
		log.warn({ schemaVersion, knownVersion }, "the database schema is newer than this build; deploy the newer server");
	}
	await app.server.listen({ port: config.port, host: config.host });

	const loops: Loop[] = [
		startLoop(
			"prune",
			async () => {
				const report = await pruneOnce(app.db, config.idempotencyRetentionHours, app.metrics);
				if (report.keys + report.tokens + report.outbox > 0) log.info(report, "pruned");
				return false;
			},
			config.pruneIntervalSeconds * 1000,
			log,
		),
	];
	if (config.openCloud) {
		const publish = createOpenCloudPublisher(config.openCloud);
		loops.push(
			startLoop(
				"outbox",
				async () => (await drainOnce(app.db, publish, app.metrics)) >= DEFAULT_DRAIN.batch,
				config.outboxPollMs,
				log,
			),
		);
	} else {
		log.info("OPEN_CLOUD_BASE_URL is not set: push invalidation is off (outbox rows are still written and pruned)");
	}
	const address = app.server.server.address();
	return {
		app,
		port: typeof address === "object" && address ? address.port : config.port,
		async stop() {
			await Promise.all(loops.map((loop) => loop.stop()));
			await app.close();
		},
	};
}
