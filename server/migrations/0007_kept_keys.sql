-- A refusal that a transfer void answered settles its key for good, as a void does: were it pruned,
-- a later retry of the key could apply. The void marks such a row kept, and the pruner skips it.
ALTER TABLE idempotency_keys ADD COLUMN kept boolean NOT NULL DEFAULT false;
