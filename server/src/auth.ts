import { hash, randomBytes, timingSafeEqual } from "node:crypto";

import { findToken } from "./db/tokens.js";
import type { Queryable } from "./db/types.js";
import { ADMIN, companion, type Principal, SERVER } from "./engine/principal.js";

const TOKEN_PREFIX = "hsc_";

// One-shot hashing: no Hash object per call on the per-request path.
function digest(value: string): Buffer {
	return hash("sha256", value, "buffer");
}

/** Hash under which a companion token is stored; the token itself is never stored. */
export function hashToken(token: string): string {
	return hash("sha256", token, "hex");
}

/** A new opaque, unguessable companion token (256 random bits). */
export function newToken(): string {
	return `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

/** Resolves `Authorization: Bearer ...` to a principal, or undefined when the credentials are not valid. */
export type Authenticator = (authorization: string | undefined) => Promise<Principal | undefined>;

/** Builds the authenticator: static server and admin keys (constant-time compare) and stored companion tokens. */
export function createAuthenticator(serverKey: string, adminKey: string, db: Queryable): Authenticator {
	const serverDigest = digest(serverKey);
	const adminDigest = digest(adminKey);
	return async (authorization) => {
		const match = authorization === undefined ? null : /^Bearer ([\x21-\x7e]{1,512})$/.exec(authorization);
		if (!match) return undefined;
		const secret = match[1]!;
		// Comparing fixed-length digests keeps the comparison constant-time whatever the input length.
		const presented = digest(secret);
		if (timingSafeEqual(presented, serverDigest)) return SERVER;
		if (timingSafeEqual(presented, adminDigest)) return ADMIN;
		if (!secret.startsWith(TOKEN_PREFIX)) return undefined;
		const row = await findToken(db, hashToken(secret));
		return row ? companion(row.id, row.userId, row.ops) : undefined;
	};
}
