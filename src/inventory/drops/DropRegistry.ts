import { makeError } from "../../core/errors";
import { Result, ok } from "../../core/result";
import { reject } from "../operations/reasons";
import { WorldDrop } from "./types";

/** How often `mintToken` asks for a fresh token before it treats the generator as broken. */
const TOKEN_ATTEMPTS = 8;

/**
 * The drops lying in one server's world, by token. `take` removes a drop and remembers that it
 * was taken, so of any number of attempts to pick a drop up exactly one succeeds and the others
 * learn `drop_taken` (taken tokens are remembered for the registry's lifetime, one string each,
 * and never reused). Pure: the token generator is injected (on a server,
 * `HttpService.GenerateGUID`), so tests can make tokens deterministic.
 *
 * @example
 * ```ts
 * import { DropRegistry } from "@rbxts/hopsafe";
 * import { HttpService } from "@rbxts/services";
 *
 * const drops = new DropRegistry(() => HttpService.GenerateGUID(false));
 * print(drops.size());
 * ```
 */
export class DropRegistry {
	private readonly live = new Map<string, WorldDrop>();
	private readonly taken = new Set<string>();
	private readonly settling = new Set<string>();
	private count = 0;

	public constructor(private readonly newToken: () => string) {}

	/** A token no drop of this registry has ever used. Throws if the generator keeps repeating itself. */
	public mintToken(): string {
		for (let attempt = 0; attempt < TOKEN_ATTEMPTS; attempt++) {
			const token = this.newToken();
			if (typeIs(token, "string") && token !== "" && !this.live.has(token) && !this.taken.has(token)) {
				return token;
			}
		}
		throw makeError("CallbackFailed", "the drop token generator keeps returning used or invalid tokens", {
			callback: "newToken",
		});
	}

	/** Adds a drop; `false` (and nothing changes) if its token was ever used in this registry. */
	public put(drop: WorldDrop): boolean {
		if (this.live.has(drop.token) || this.taken.has(drop.token)) return false;
		this.live.set(drop.token, drop);
		this.count += 1;
		return true;
	}

	/** The drop with `token` if it still lies in the world. */
	public get(token: string): WorldDrop | undefined {
		return this.live.get(token);
	}

	/**
	 * Keeps the drop with `token` from being picked up (`drop_settling`) until {@link settle}:
	 * while the profile it left is not saved without it, a pickup saved first would put it in two
	 * saved profiles should the server crash.
	 */
	public hold(token: string): void {
		if (this.live.has(token)) this.settling.add(token);
	}

	/** Lets the drop with `token` be picked up. */
	public settle(token: string): void {
		this.settling.delete(token);
	}

	/** Whether the drop with `token` waits for {@link settle}. */
	public isSettling(token: string): boolean {
		return this.settling.has(token);
	}

	/** Whether the drop with `token` existed and was taken (picked up or despawned). */
	public wasTaken(token: string): boolean {
		return this.taken.has(token);
	}

	/**
	 * Removes the drop with `token` and returns it; only the first call for a token succeeds.
	 * The service also takes a drop to despawn it (its items are then destroyed).
	 */
	public take(token: string): Result<WorldDrop, "drop_not_found" | "drop_taken"> {
		const drop = this.live.get(token);
		if (drop === undefined) {
			return this.taken.has(token)
				? (reject("drop_taken") as Result<WorldDrop, "drop_taken">)
				: (reject("drop_not_found") as Result<WorldDrop, "drop_not_found">);
		}
		this.live.delete(token);
		this.taken.add(token);
		this.settling.delete(token);
		this.count -= 1;
		return ok(drop);
	}

	/** How many drops lie in the world. */
	public size(): number {
		return this.count;
	}

	/** The drops lying in the world, in no particular order (for a census of item ids). */
	public list(): Array<WorldDrop> {
		const drops = new Array<WorldDrop>();
		for (const [, drop] of this.live) drops.push(drop);
		return drops;
	}
}
