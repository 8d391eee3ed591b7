import { type Queryable, sql } from "./types.js";

/** What `hopsafe_transaction` answered (see migrations/0003 and 0005). */
export interface TransactionRow {
	outcome: "done" | "stored" | "journal";
	status: number | null;
	body: string | null;
	version: number | null;
	fingerprint: string | null;
}

/** Arguments of one player's transaction. */
export interface TransactionArgs {
	principal: string;
	key: string;
	fingerprint: string;
	userId: number;
	ifMatch: number | undefined;
	ops: unknown[];
	reason: string | undefined;
	actor: string;
	/** Skip the push announcement of this write (a game server writing for a player it holds). */
	quiet: boolean;
}

const APPLY = sql(
	"apply_transaction",
	"SELECT outcome, status, body, version, fingerprint FROM hopsafe_transaction($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9)",
);

/** Runs a whole one-player transaction in one statement (one round trip). */
export async function applyTransaction(q: Queryable, args: TransactionArgs): Promise<TransactionRow> {
	const rows = await q.query<TransactionRow>(APPLY, [
		args.principal,
		args.key,
		args.fingerprint,
		args.userId,
		args.ifMatch ?? null,
		JSON.stringify(args.ops),
		args.reason ?? null,
		args.actor,
		args.quiet,
	]);
	return rows[0]!;
}

/** Custom SQLSTATEs raised by the function. */
export const TRANSACTION_STATES = { rejected: "HS409", versionMismatch: "HS412" } as const;
