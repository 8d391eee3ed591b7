import { type Queryable, sql } from "./types.js";

/** Currency deltas of one write, as parallel arrays (one ledger row each). */
export interface LedgerRows {
	currency: string[];
	delta: number[];
	after: number[];
}

/** Everything recorded about one player's committed write. */
export interface PlayerWrite {
	userId: number;
	version: number;
	principal: string;
	key: string;
	fingerprint: string;
	kind: "transaction" | "transfer";
	actor: string;
	reason: string | null;
	/** The applied operations, each with `before` and `after`. */
	ops: unknown[];
	/** What the response reports per operation. */
	results: unknown[];
	ledger: LedgerRows;
}

const WRITE_CTES = `
	j AS (
		INSERT INTO journal (player_id, version, principal, idem_key, fingerprint, kind, actor, reason, ops, results)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb)
	), l AS (
		INSERT INTO ledger (player_id, version, seq, currency, delta, balance_after)
		SELECT $1, $2, u.ord::int, u.currency, u.delta, u.after
		FROM unnest($11::text[], $12::bigint[], $13::bigint[]) WITH ORDINALITY AS u(currency, delta, after, ord)
	), o AS (
		INSERT INTO outbox AS o (player_id, version) VALUES ($1, $2)
		ON CONFLICT (player_id) DO UPDATE SET version = greatest(o.version, excluded.version),
			attempts = 0, next_at = now(), updated_at = now()
	)`;

// The journal, ledger and outbox rows of one write, in one round trip.
const RECORD = sql("record_write", `WITH ${WRITE_CTES} SELECT 1`);

/**
 * The journal key for a write. A transfer's key is prefixed, as every stored transfer row has it; what
 * keeps a transaction keyed `transfer:K` apart from transfer `K` is the journal's kind (0006).
 */
export function journalKey(kind: PlayerWrite["kind"], key: string): string {
	return kind === "transfer" ? `transfer:${key}` : key;
}

function params(write: PlayerWrite): unknown[] {
	return [
		write.userId,
		write.version,
		write.principal,
		journalKey(write.kind, write.key),
		write.fingerprint,
		write.kind,
		write.actor,
		write.reason,
		JSON.stringify(write.ops),
		JSON.stringify(write.results),
		write.ledger.currency,
		write.ledger.delta,
		write.ledger.after,
	];
}

/** Appends the journal and ledger rows of a write and nudges the push outbox. */
export async function recordWrite(tx: Queryable, write: PlayerWrite): Promise<void> {
	await tx.query(RECORD, params(write));
}
