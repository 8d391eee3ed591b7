/** Who is calling: a game server, the admin, or a companion token scoped to one player. */
export type Principal =
	| { kind: "server"; scope: "server"; actor: "server" }
	| { kind: "admin"; scope: "admin"; actor: "admin" }
	| { kind: "companion"; scope: string; actor: string; userId: number; ops: ReadonlySet<string> };

export const SERVER: Principal = { kind: "server", scope: "server", actor: "server" };
export const ADMIN: Principal = { kind: "admin", scope: "admin", actor: "admin" };

/** A companion principal; its idempotency scope is per player, so a reissued token keeps dedupe. */
export function companion(tokenId: number, userId: number, ops: readonly string[]): Principal {
	return { kind: "companion", scope: `companion:${userId}`, actor: `companion:${tokenId}`, userId, ops: new Set(ops) };
}
