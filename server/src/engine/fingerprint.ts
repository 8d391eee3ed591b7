import { hash } from "node:crypto";

/** JSON with object keys sorted at every level, so equal requests serialise equally. */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
	if (value !== null && typeof value === "object") {
		const entries = Object.keys(value)
			.sort()
			.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
		return `{${entries.join(",")}}`;
	}
	return JSON.stringify(value);
}

/** Fingerprint of a request: method, route, player and canonical body (DESIGN §5). */
export function fingerprint(method: string, route: string, userId: number | null, body: unknown): string {
	return hash("sha256", `${method} ${route} ${userId ?? "-"} ${canonicalJson(body)}`, "base64url");
}

/**
 * The fingerprint stored under a voided transfer key (`POST /v1/transfers/void`). A real fingerprint
 * is 43 base64url characters, so no request equals it: every request with the key replays the void.
 */
export const VOID_FINGERPRINT = "void";
