import type { Principal } from "./engine/principal.js";
import { ApiError } from "./errors.js";
import type { Op } from "./schemas/ops.js";

/** A companion may only touch its own player; game servers and the admin may touch any. */
export function authorizePlayer(principal: Principal, userId: number): void {
	if (principal.kind === "companion" && principal.userId !== userId) {
		throw new ApiError("forbidden", "This companion token is scoped to another player.", { userId });
	}
}

/**
 * The token scopes that allow `op`: its own kind, and for a debit also `currency.spend`, which lets a
 * companion spend (buy web-only items) without being able to credit itself.
 */
function scopesAllowing(op: Op): readonly string[] {
	return op.op === "currency.add" && op.amount < 0 ? [op.op, "currency.spend"] : [op.op];
}

/** A companion may only use the operations its token's scopes allow. */
export function authorizeOps(principal: Principal, ops: Iterable<Op>): void {
	if (principal.kind !== "companion") return;
	const refused = new Set<string>();
	for (const op of ops) {
		if (!scopesAllowing(op).some((scope) => principal.ops.has(scope))) refused.add(op.op);
	}
	if (refused.size > 0) refuse([...refused]);
}

/** A companion may only send transfers if its token lists the `transfer` scope. */
export function authorizeTransfer(principal: Principal): void {
	if (principal.kind === "companion" && !principal.ops.has("transfer")) refuse(["transfer"]);
}

function refuse(refused: string[]): never {
	throw new ApiError("forbidden", "This companion token does not allow these operations.", { refused });
}
