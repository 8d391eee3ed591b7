import type { Principal } from "./engine/principal.js";
import { ApiError } from "./errors.js";

const KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,255}$/;
const IF_MATCH_PATTERN = /^(W\/)?"?([0-9]{1,16})"?$/;

function single(raw: string | string[] | undefined): string | undefined {
	return Array.isArray(raw) ? raw[0] : raw;
}

/**
 * Node joins a header sent more than once into one value with ", " (and neither header's value
 * may hold a comma), so a comma means the header came twice, or as a list: refused by name
 * rather than as a malformed value.
 */
function refuseRepeated(value: string, header: string): void {
	if (!value.includes(",")) return;
	throw new ApiError("invalid_request", `${header} was sent twice (or as a list); send it once, with one value`, {
		header,
		reason: "repeated",
	});
}

/** The Idempotency-Key: a bare token or a quoted structured-field string. */
export function parseIdempotencyKey(raw: string | string[] | undefined): string {
	const value = single(raw)?.trim();
	if (value === undefined || value === "") throw new ApiError("idempotency_key_missing");
	refuseRepeated(value, "Idempotency-Key");
	const key = value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
	if (!KEY_PATTERN.test(key)) {
		throw new ApiError("invalid_request", "Idempotency-Key must be 1-255 characters of A-Z a-z 0-9 _ . : -", {
			header: "Idempotency-Key",
		});
	}
	return key;
}

/**
 * `If-Match: *`. Every player has a current state (an unknown one reads as version 0), so under
 * RFC 9110 §13.1.1 it always matches: it guards nothing, and a write carrying it runs as one
 * without If-Match. It names no version, so it cannot stand for the version a `doc.set` read.
 */
export const ANY_VERSION = "*";

/** What If-Match asks for: a version, any version (`*`), or nothing. */
export type IfMatch = number | typeof ANY_VERSION | undefined;

/**
 * The version in If-Match (`"5"` or `5`), `*`, or undefined when absent. A weak tag (`W/"5"`)
 * is read but never matches: If-Match uses the strong comparison (RFC 9110 §13.1.1), so the
 * write is refused 412 as any other tag naming no current version would be.
 */
export function parseIfMatch(raw: string | string[] | number | undefined): IfMatch {
	if (typeof raw === "number") return raw;
	const value = single(raw)?.trim();
	if (value === undefined || value === "") return undefined;
	if (value === ANY_VERSION) return ANY_VERSION;
	refuseRepeated(value, "If-Match");
	const match = IF_MATCH_PATTERN.exec(value);
	const version = match ? Number(match[2]) : NaN;
	if (!Number.isSafeInteger(version)) {
		throw new ApiError("invalid_request", 'If-Match must be the player version, e.g. "5"', { header: "If-Match" });
	}
	if (match?.[1] !== undefined) {
		throw new ApiError(
			"version_mismatch",
			`If-Match ${value} is a weak tag: If-Match uses strong comparison, so it matches no version; send "${version}"`,
			{ header: "If-Match", weak: true },
		);
	}
	return version;
}

/** The version a write must find (the SQL's `p_if_match`): `*` and no If-Match both require none. */
export function expectedVersion(ifMatch: IfMatch): number | undefined {
	return ifMatch === ANY_VERSION ? undefined : ifMatch;
}

/**
 * Whether If-None-Match names the current version (RFC 9110 §13.1.2): `*`, or any tag of a
 * comma-separated list under weak comparison (`W/"5"` matches `"5"`). Anything unreadable
 * matches nothing, so the full response is sent.
 */
export function ifNoneMatchHits(raw: string | string[] | undefined, version: number): boolean {
	const value = Array.isArray(raw) ? raw.join(",") : raw;
	if (value === undefined) return false;
	if (value.trim() === "*") return true;
	const current = etag(version);
	return value.split(",").some((tag) => tag.trim().replace(/^W\//, "") === current);
}

/** The ETag header value for a player version. */
export function etag(version: number): string {
	return `"${version}"`;
}

/**
 * Whether a write asks not to be announced (`Hopsafe-Push: off`). Only a game server may ask: it
 * writes for players it holds and knows of its own writes; a companion's writes are always
 * announced, since the server holding the player must learn of them.
 */
export function parsePush(raw: string | string[] | undefined, principal: Principal): boolean {
	const value = single(raw)?.trim().toLowerCase();
	if (value === undefined || value === "" || value === "on") return false;
	if (value !== "off") {
		throw new ApiError("invalid_request", "Hopsafe-Push must be on or off", { header: "Hopsafe-Push" });
	}
	if (principal.kind !== "server") throw new ApiError("forbidden", "only a game server may write without a push");
	return true;
}
