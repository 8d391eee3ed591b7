import type { Principal } from "./engine/principal.js";
import { ApiError } from "./errors.js";

/** A companion may only touch its own player; game servers and the admin may touch any. */
export function authorizePlayer(principal: Principal, userId: number): void {
	if (principal.kind === "companion" && principal.userId !== userId) {
		throw new ApiError("forbidden", "This companion token is scoped to another player.", { userId });
	}
}

/** A companion may only use the operation kinds its token lists. */
export function authorizeOps(principal: Principal, kinds: Iterable<string>): void {
	if (principal.kind !== "companion") return;
	const refused = [...new Set(kinds)].filter((kind) => !principal.ops.has(kind));
	if (refused.length > 0) {
		throw new ApiError("forbidden", "This companion token does not allow these operations.", { refused });
	}
}
