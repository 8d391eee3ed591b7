-- Core schema: players, their state, idempotency keys, the journal (audit + change feed + permanent
-- key uniqueness), the currency ledger, the push outbox and companion tokens.

CREATE TABLE players (
	id bigint PRIMARY KEY CHECK (id > 0),
	version bigint NOT NULL DEFAULT 0 CHECK (version >= 0),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- The CHECK is the backstop; writers guard deltas in their WHERE clause.
CREATE TABLE balances (
	player_id bigint NOT NULL REFERENCES players (id),
	currency text NOT NULL,
	amount bigint NOT NULL CHECK (amount >= 0 AND amount <= 9007199254740991),
	PRIMARY KEY (player_id, currency)
);

-- The item id is the primary key, so the database itself refuses a second copy of an item.
CREATE TABLE items (
	id text PRIMARY KEY,
	player_id bigint NOT NULL REFERENCES players (id),
	def text NOT NULL,
	count bigint NOT NULL CHECK (count > 0 AND count <= 9007199254740991),
	attrs jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX items_player_idx ON items (player_id);

CREATE TABLE docs (
	player_id bigint NOT NULL REFERENCES players (id),
	name text NOT NULL,
	value jsonb NOT NULL,
	PRIMARY KEY (player_id, name)
);

CREATE TABLE progress (
	player_id bigint NOT NULL REFERENCES players (id),
	name text NOT NULL,
	value bigint NOT NULL CHECK (value >= 0),
	PRIMARY KEY (player_id, name)
);

-- Stored responses, pruned after the retention window. A committed row always holds a final outcome:
-- writers take hopsafe_lock_key (0003) first and insert the row with the response.
CREATE TABLE idempotency_keys (
	principal text NOT NULL,
	key text NOT NULL,
	fingerprint text NOT NULL,
	status integer NOT NULL,
	response text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (principal, key)
);
-- BRIN: rows arrive in time order, so a tiny index serves the pruning scan at almost no write cost.
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys USING brin (created_at);

-- One row per committed write per player. Never pruned: it is the audit log, the change feed and
-- the permanent (player, principal, key) uniqueness that outlives the idempotency window.
CREATE TABLE journal (
	player_id bigint NOT NULL,
	version bigint NOT NULL,
	principal text NOT NULL,
	idem_key text NOT NULL,
	fingerprint text NOT NULL,
	kind text NOT NULL CHECK (kind IN ('transaction', 'transfer')),
	actor text NOT NULL,
	reason text,
	ops jsonb NOT NULL,
	results jsonb NOT NULL,
	at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (player_id, version),
	CONSTRAINT journal_player_key_unique UNIQUE (player_id, principal, idem_key)
);

-- One row per currency delta; a balance always equals the sum of its deltas.
CREATE TABLE ledger (
	player_id bigint NOT NULL,
	version bigint NOT NULL,
	seq integer NOT NULL,
	currency text NOT NULL,
	delta bigint NOT NULL,
	balance_after bigint NOT NULL,
	PRIMARY KEY (player_id, version, seq)
);

-- Coalesced per player: only the newest version needs announcing. No index on next_at: the table only
-- holds players with a pending nudge, and index-free updates stay HOT (cheap) on the write path.
CREATE TABLE outbox (
	player_id bigint PRIMARY KEY,
	version bigint NOT NULL,
	attempts integer NOT NULL DEFAULT 0,
	next_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE companion_tokens (
	id bigserial PRIMARY KEY,
	token_hash text NOT NULL UNIQUE,
	user_id bigint NOT NULL CHECK (user_id > 0),
	ops text[] NOT NULL,
	expires_at timestamptz NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX companion_tokens_expires_idx ON companion_tokens (expires_at);
