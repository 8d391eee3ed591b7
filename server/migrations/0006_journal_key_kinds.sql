-- Transfers journal their key as 'transfer:' || key, and the key pattern lets a transaction use a key
-- that itself starts with 'transfer:'. Both then had the same journal key on a shared player: one was
-- refused with a false 422 (or a 500 when they raced), and after pruning one could replay the other.
-- A journal key is now unique per kind of write, and each lookup names its kind. Existing rows need no
-- rewrite: the old constraint already kept them unique without the kind.
ALTER TABLE journal DROP CONSTRAINT journal_player_key_unique;
CREATE UNIQUE INDEX journal_player_key_unique ON journal (player_id, principal, idem_key, kind);

-- The transaction function's journal lookup (0005) gains `AND j.kind = 'transaction'`. Patched in its
-- stored definition rather than restated in full; the guard fails the migration if the text moved.
DO $$
DECLARE
	v_definition text := pg_get_functiondef(
		'hopsafe_transaction(text, text, text, bigint, bigint, jsonb, text, text, boolean)'::regprocedure);
	v_lookup constant text := 'AND j.idem_key = p_key';
BEGIN
	IF position(v_lookup IN v_definition) = 0 THEN
		RAISE EXCEPTION 'hopsafe_transaction has no journal lookup to patch';
	END IF;
	EXECUTE replace(v_definition, v_lookup, v_lookup || ' AND j.kind = ''transaction''');
END;
$$;
