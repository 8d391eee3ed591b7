import { deepCopy } from "../core/deepCopy";
import { makeError, type HopsafeError } from "../core/errors";
import { err, ok, type Result } from "../core/result";
import type { Envelope } from "./envelope";
import type { Migration, MigrationStep } from "./types";

/** A vault's migrations, resolved once. */
export interface MigrationPlan {
	readonly steps: ReadonlyArray<MigrationStep>;
	/** The version this server writes: `steps.size() + 1`. */
	readonly currentVersion: number;
	/** The oldest server version that may write current data. */
	readonly lastCompatibleVersion: number;
}

export function planMigrations(migrations: ReadonlyArray<Migration> = []): MigrationPlan {
	const steps = new Array<MigrationStep>();
	let lastCompatibleVersion = 1;
	migrations.forEach((migration, index) => {
		if (typeIs(migration, "function")) {
			steps.push(migration);
			lastCompatibleVersion = index + 2;
		} else {
			steps.push(migration.migrate);
			if (migration.backwardsCompatible !== true) lastCompatibleVersion = index + 2;
		}
	});
	return { steps, currentVersion: steps.size() + 1, lastCompatibleVersion };
}

/**
 * Runs one step on a thread of its own. A step that yields is stopped there and fails: it
 * would hold a load (and the lock) for as long as it waits, and an offline edit runs it inside
 * an UpdateAsync transform, which must not yield.
 */
function runStep(step: MigrationStep, value: unknown): { success: boolean; result?: unknown; yielded: boolean } {
	if (!typeIs(step, "function")) return { success: false, result: "the step is not a function", yielded: false };
	const thread = coroutine.create(step);
	const [success, result] = coroutine.resume(thread, value);
	if (coroutine.status(thread) !== "dead") {
		task.cancel(thread);
		return { success: false, yielded: true };
	}
	return { success, result, yielded: false };
}

/**
 * Brings stored data to this server's version on a deep copy, then validates it. The stored
 * envelope is never touched: a failure leaves nothing half-migrated.
 */
export function migrateEnvelope<T>(
	stored: Envelope,
	plan: MigrationPlan,
	validate: (value: unknown) => value is T,
): Result<Envelope, HopsafeError> {
	let value = deepCopy(stored.value);
	let version = stored.schemaVersion;
	let lastCompatibleVersion = stored.lastCompatibleVersion;

	if (version > plan.currentVersion) {
		if (plan.currentVersion < stored.lastCompatibleVersion) {
			return err(
				makeError(
					"NewerSchema",
					`data is at schema ${version}, which servers older than ${stored.lastCompatibleVersion} must not write; this server knows ${plan.currentVersion}`,
					{ storedVersion: version, knownVersion: plan.currentVersion },
				),
			);
		}
	} else {
		while (version < plan.currentVersion) {
			const step = plan.steps[version - 1];
			const { success, result, yielded } = runStep(step, value);
			if (!success || result === undefined) {
				const reason = yielded
					? "yielded (a migration must not yield)"
					: success
						? "returned nothing"
						: `threw: ${tostring(result)}`;
				return err(
					makeError(
						"MigrationFailed",
						`migration from schema ${version} to ${version + 1} ${reason}`,
						{ fromVersion: version, toVersion: version + 1 },
						result,
					),
				);
			}
			value = result;
			version += 1;
		}
		lastCompatibleVersion = plan.lastCompatibleVersion;
	}

	// A check may return a second value naming the failing field (plain Luau `t` does; the
	// roblox-ts build of `@rbxts/t` does not), so keep every value it returns.
	const outcome = [...pcall(validate, value)] as Array<unknown>;
	if (outcome[0] !== true || outcome[1] !== true) {
		const detail = outcome[0] !== true ? `the check threw: ${tostring(outcome[1])}` : outcome[2];
		const reason = typeIs(detail, "string") ? `: ${detail}` : "";
		return err(
			makeError("ValidationFailed", `data at schema ${version} does not match the schema${reason}`, {
				path: typeIs(detail, "string") ? detail : "",
			}),
		);
	}
	return ok({ schemaVersion: version, lastCompatibleVersion, value, processed: deepCopy(stored.processed) });
}
