/**
 * Details carried by each kind of hopsafe error. This interface is the closed set of kinds:
 * every error the library reports is one of these, narrowed by its `kind`.
 */
export interface ErrorDetailsByKind {
	/** A caller passed a value the API does not accept. */
	InvalidArgument: { readonly argument: string };
	/** A platform request failed (DataStore, MemoryStore, MessagingService, HttpService). */
	PlatformFailure: {
		readonly service: string;
		readonly operation: string;
		readonly code?: number;
		readonly retryable: boolean;
		/**
		 * The request was throttled (the server's request budget and queue, or the key's
		 * throughput, were full) for as long as hopsafe waits; it may succeed a little later.
		 */
		readonly throttled?: boolean;
	};
	/** Another server holds the player's session lock. */
	SessionLocked: { readonly key: string; readonly holderJobId?: string };
	/** This server's session lock was taken over; its later writes are refused. */
	SessionLost: { readonly key: string };
	/** A migration step threw or returned nothing. */
	MigrationFailed: { readonly fromVersion: number; readonly toVersion: number };
	/** Data did not match the schema after migration. */
	ValidationFailed: { readonly path: string };
	/** Stored data was written by a newer schema this server cannot write. */
	NewerSchema: { readonly storedVersion: number; readonly knownVersion: number };
	/** A stored value is not something hopsafe wrote (not a table, wrong shape). */
	CorruptedData: { readonly reason: string };
	/** An operation did not finish within its deadline. */
	Timeout: { readonly operation: string; readonly seconds: number };
	/** The vault or session was closed (server shutting down, player left). */
	Closed: { readonly reason: string };
	/** A user-supplied callback threw. */
	CallbackFailed: { readonly callback: string };
	/**
	 * An HTTP request to the save API failed: not sent or not answered (`status` absent), or
	 * answered with a server error (5xx) or a malformed body. Retrying with the same
	 * idempotency key is safe.
	 */
	HttpFailure: { readonly operation: string; readonly status?: number; readonly retryable: boolean };
	/** The save API refused a request (an error code of its own, such as `insufficient_funds`). */
	ApiRejected: { readonly operation: string; readonly status: number; readonly code: string };
	/** A secret the library needs is not in the experience's secrets store. */
	SecretMissing: { readonly secret: string };
	/** A write's expected version (If-Match) kept losing to other writers. */
	VersionConflict: { readonly expected: number; readonly current?: number };
}

/** The kinds of error hopsafe reports. */
export type ErrorKind = keyof ErrorDetailsByKind;

/**
 * An error reported by hopsafe: a tagged union over {@link ErrorKind}. Narrow on `kind` to
 * read the kind's details.
 *
 * @example
 * ```ts
 * import { HopsafeError, makeError } from "@rbxts/hopsafe";
 *
 * function describe(failure: HopsafeError): string {
 * 	if (failure.kind === "SessionLocked") {
 * 		return `locked by ${failure.details.holderJobId ?? "another server"}`;
 * 	}
 * 	return failure.message;
 * }
 *
 * describe(makeError("SessionLocked", "profile is locked", { key: "player_1" }));
 * ```
 */
export type HopsafeError<K extends ErrorKind = ErrorKind> = {
	[P in K]: {
		readonly kind: P;
		readonly message: string;
		readonly details: ErrorDetailsByKind[P];
		readonly cause?: unknown;
	};
}[K];

/**
 * Builds an error of `kind` with its details.
 *
 * @example
 * ```ts
 * import { makeError } from "@rbxts/hopsafe";
 *
 * const failure = makeError("Timeout", "load took too long", { operation: "load", seconds: 10 });
 * print(failure.details.seconds);
 * ```
 */
export function makeError<K extends ErrorKind>(
	kind: K,
	message: string,
	details: ErrorDetailsByKind[K],
	cause?: unknown,
): HopsafeError<K> {
	return table.freeze({ kind, message, details, cause }) as unknown as HopsafeError<K>;
}

const KINDS: ReadonlySet<string> = new Set<ErrorKind>([
	"InvalidArgument",
	"PlatformFailure",
	"SessionLocked",
	"SessionLost",
	"MigrationFailed",
	"ValidationFailed",
	"NewerSchema",
	"CorruptedData",
	"Timeout",
	"Closed",
	"CallbackFailed",
	"HttpFailure",
	"ApiRejected",
	"SecretMissing",
	"VersionConflict",
]);

/** Whether `value` is a hopsafe error (for values caught from a `pcall` or a rejection). */
export function isHopsafeError(value: unknown): value is HopsafeError {
	if (!typeIs(value, "table")) return false;
	const candidate = value as { kind?: unknown; message?: unknown };
	return typeIs(candidate.kind, "string") && KINDS.has(candidate.kind) && typeIs(candidate.message, "string");
}

/** Whether `value` is a hopsafe error of the given kind. */
export function isErrorKind<K extends ErrorKind>(value: unknown, kind: K): value is HopsafeError<K> {
	return isHopsafeError(value) && value.kind === kind;
}

/** One line describing an error, for logs and kick messages. */
export function formatError(failure: HopsafeError): string {
	return `${failure.kind}: ${failure.message}`;
}

/**
 * Turns anything thrown (a string, a hopsafe error, a table) into readable text. Never throws:
 * it reports a failure, so a value whose `__tostring` (or `__index`) throws must not escape
 * from the report into the code that caught it.
 */
export function describeThrown(value: unknown): string {
	const [described, text] = pcall(() => (isHopsafeError(value) ? formatError(value) : tostring(value)));
	if (described && typeIs(text, "string")) return text;
	return `a ${typeOf(value)} that cannot be described`;
}
