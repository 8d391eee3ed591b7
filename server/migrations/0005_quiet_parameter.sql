-- Quiet writes (0004) without a setting and a trigger: the transaction function takes `p_quiet` and
-- skips the outbox nudge itself. The per-statement set_config and the trigger call on every outbox
-- row were measurable on the hot path. Transfers never ask for quiet, so the trigger has no other use.
--
-- The eight-argument function stays as a wrapper that reads the 0004 setting, so an API replica
-- still running the previous build keeps working while a new one migrates.
DROP TRIGGER outbox_quiet ON outbox;
DROP FUNCTION hopsafe_outbox_quiet();

-- Same as 0003 with p_quiet; see there for the outcomes and refusals.
CREATE FUNCTION hopsafe_transaction(
	p_principal text,
	p_key text,
	p_fingerprint text,
	p_user bigint,
	p_if_match bigint,
	p_ops jsonb,
	p_reason text,
	p_actor text,
	p_quiet boolean
) RETURNS TABLE (outcome text, status integer, body text, version bigint, fingerprint text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	v_version bigint;
	v_op jsonb;
	v_index integer := 0;
	v_name text;
	v_amount bigint;
	v_after bigint;
	v_have bigint;
	v_count bigint;
	v_before jsonb;
	v_item jsonb;
	v_applied jsonb := '[]';
	v_results jsonb := '[]';
	v_currencies text[] := '{}';
	v_deltas bigint[] := '{}';
	v_balances bigint[] := '{}';
	v_body text;
BEGIN
	-- Requests with the same key serialise on this lock (held until commit): a concurrent twin waits
	-- here until the first commits, then finds its stored outcome. The row itself is written once, at
	-- the end, with the response. (Same lock as hopsafe_lock_key, inlined on this hot path.)
	PERFORM pg_advisory_xact_lock(hashtextextended(p_principal || chr(31) || p_key, 7236));
	-- A stored outcome; or, once the key was pruned, the write kept in the permanent journal.
	SELECT x.outcome, x.status, x.body, x.version, x.fingerprint
		INTO outcome, status, body, version, fingerprint
		FROM (
			SELECT 'stored' AS outcome, k.status, k.response AS body, NULL::bigint AS version, k.fingerprint, 1 AS pick
			FROM idempotency_keys k WHERE k.principal = p_principal AND k.key = p_key
			UNION ALL
			SELECT 'journal', 201, json_build_object('userId', p_user, 'version', j.version, 'results', j.results)::text,
				j.version, j.fingerprint, 2
			FROM journal j WHERE j.player_id = p_user AND j.principal = p_principal AND j.idem_key = p_key
		) x ORDER BY x.pick LIMIT 1;
	IF FOUND THEN
		RETURN NEXT;
		RETURN;
	END IF;

	INSERT INTO players AS p (id, version) VALUES (p_user, 1)
		ON CONFLICT (id) DO UPDATE SET version = p.version + 1, updated_at = now()
		RETURNING p.version INTO v_version;
	IF p_if_match IS NOT NULL AND p_if_match <> v_version - 1 THEN
		RAISE EXCEPTION USING ERRCODE = 'HS412', MESSAGE = 'version_mismatch',
			DETAIL = json_build_object('expected', p_if_match, 'current', v_version - 1)::text;
	END IF;

	FOR v_op IN SELECT value FROM jsonb_array_elements(p_ops) LOOP
		CASE v_op->>'op'
		WHEN 'currency.add' THEN
			v_name := v_op->>'currency';
			v_amount := (v_op->>'amount')::bigint;
			-- Guarded in SQL: credits stay storable, debits never go below zero (CHECK is the backstop).
			IF v_amount >= 0 THEN
				INSERT INTO balances AS b (player_id, currency, amount) VALUES (p_user, v_name, v_amount)
					ON CONFLICT (player_id, currency) DO UPDATE SET amount = b.amount + excluded.amount
					WHERE b.amount + excluded.amount <= 9007199254740991
					RETURNING b.amount INTO v_after;
			ELSE
				UPDATE balances b SET amount = b.amount + v_amount
					WHERE b.player_id = p_user AND b.currency = v_name AND b.amount + v_amount >= 0
					RETURNING b.amount INTO v_after;
			END IF;
			IF NOT FOUND THEN
				SELECT b.amount INTO v_have FROM balances b WHERE b.player_id = p_user AND b.currency = v_name;
				RAISE EXCEPTION USING ERRCODE = 'HS409',
					MESSAGE = CASE WHEN v_amount >= 0 THEN 'limit_exceeded' ELSE 'insufficient_funds' END,
					DETAIL = json_build_object('opIndex', v_index, 'userId', p_user, 'currency', v_name,
						'amount', v_amount, 'balance', coalesce(v_have, 0))::text;
			END IF;
			v_currencies := v_currencies || v_name;
			v_deltas := v_deltas || v_amount;
			v_balances := v_balances || v_after;
			v_applied := v_applied || jsonb_build_array(v_op || jsonb_build_object('before', v_after - v_amount, 'after', v_after));
			v_results := v_results || jsonb_build_array(jsonb_build_object('op', 'currency.add', 'currency', v_name, 'balance', v_after));

		WHEN 'item.grant' THEN
			v_item := v_op->'item';
			-- The item id is the primary key: a copy anywhere is refused.
			INSERT INTO items (id, player_id, def, count, attrs)
				VALUES (v_item->>'id', p_user, v_item->>'def', (v_item->>'count')::bigint, v_item->'attrs')
				ON CONFLICT (id) DO NOTHING;
			IF NOT FOUND THEN
				RAISE EXCEPTION USING ERRCODE = 'HS409', MESSAGE = 'item_exists',
					DETAIL = json_build_object('opIndex', v_index, 'id', v_item->>'id')::text;
			END IF;
			v_applied := v_applied || jsonb_build_array(v_op || jsonb_build_object('before', NULL, 'after', v_item));
			v_results := v_results || jsonb_build_array(jsonb_build_object('op', 'item.grant', 'id', v_item->>'id', 'count', v_item->'count'));

		WHEN 'item.remove' THEN
			v_name := v_op->>'id';
			v_count := coalesce((v_op->>'count')::bigint, 1);
			-- The player row is locked, so nobody else changes this player's items meanwhile.
			SELECT jsonb_build_object('id', i.id, 'def', i.def, 'count', i.count, 'attrs', i.attrs), i.count
				INTO v_before, v_have FROM items i WHERE i.id = v_name AND i.player_id = p_user;
			IF NOT FOUND OR v_have < v_count THEN
				RAISE EXCEPTION USING ERRCODE = 'HS409', MESSAGE = 'item_not_owned',
					DETAIL = json_build_object('opIndex', v_index, 'id', v_name, 'count', v_count, 'have', coalesce(v_have, 0))::text;
			END IF;
			IF v_have = v_count THEN
				DELETE FROM items i WHERE i.id = v_name AND i.player_id = p_user;
				v_item := NULL;
			ELSE
				UPDATE items i SET count = i.count - v_count WHERE i.id = v_name AND i.player_id = p_user AND i.count > v_count;
				v_item := v_before || jsonb_build_object('count', v_have - v_count);
			END IF;
			v_applied := v_applied || jsonb_build_array(v_op || jsonb_build_object('count', v_count, 'before', v_before, 'after', v_item));
			v_results := v_results || jsonb_build_array(jsonb_build_object('op', 'item.remove', 'id', v_name, 'count', v_count, 'remaining', v_have - v_count));

		WHEN 'item.update' THEN
			v_name := v_op->>'id';
			SELECT jsonb_build_object('id', i.id, 'def', i.def, 'count', i.count, 'attrs', i.attrs)
				INTO v_before FROM items i WHERE i.id = v_name AND i.player_id = p_user;
			IF NOT FOUND THEN
				RAISE EXCEPTION USING ERRCODE = 'HS409', MESSAGE = 'item_not_owned',
					DETAIL = json_build_object('opIndex', v_index, 'id', v_name)::text;
			END IF;
			UPDATE items i SET attrs = v_op->'attrs' WHERE i.id = v_name AND i.player_id = p_user;
			v_applied := v_applied || jsonb_build_array(v_op || jsonb_build_object('before', v_before,
				'after', v_before || jsonb_build_object('attrs', v_op->'attrs')));
			v_results := v_results || jsonb_build_array(jsonb_build_object('op', 'item.update', 'id', v_name));

		WHEN 'doc.set' THEN
			v_name := v_op->>'name';
			SELECT d.value INTO v_before FROM docs d WHERE d.player_id = p_user AND d.name = v_name;
			INSERT INTO docs AS d (player_id, name, value) VALUES (p_user, v_name, v_op->'value')
				ON CONFLICT (player_id, name) DO UPDATE SET value = excluded.value;
			v_applied := v_applied || jsonb_build_array(v_op || jsonb_build_object('before', v_before, 'after', v_op->'value'));
			v_results := v_results || jsonb_build_array(jsonb_build_object('op', 'doc.set', 'name', v_name));

		WHEN 'progress.advance' THEN
			v_name := v_op->>'name';
			v_amount := (v_op->>'to')::bigint;
			SELECT g.value INTO v_have FROM progress g WHERE g.player_id = p_user AND g.name = v_name;
			-- Monotonic: only ever moves forward.
			INSERT INTO progress AS g (player_id, name, value) VALUES (p_user, v_name, v_amount)
				ON CONFLICT (player_id, name) DO UPDATE SET value = excluded.value WHERE g.value < excluded.value;
			v_applied := v_applied || jsonb_build_array(v_op || jsonb_build_object('before', v_have,
				'after', greatest(v_have, v_amount)));
			v_results := v_results || jsonb_build_array(jsonb_build_object('op', 'progress.advance', 'name', v_name,
				'value', greatest(v_have, v_amount), 'advanced', v_have IS NULL OR v_have < v_amount));

		ELSE
			RAISE EXCEPTION 'unknown operation %', v_op->>'op';
		END CASE;
		v_index := v_index + 1;
	END LOOP;

	v_body := json_build_object('userId', p_user, 'version', v_version, 'results', v_results)::text;
	-- Journal, ledger, outbox (unless quiet) and the stored response in one statement.
	WITH journaled AS (
		INSERT INTO journal (player_id, version, principal, idem_key, fingerprint, kind, actor, reason, ops, results)
		VALUES (p_user, v_version, p_principal, p_key, p_fingerprint, 'transaction', p_actor, p_reason, v_applied, v_results)
	), ledgered AS (
		INSERT INTO ledger (player_id, version, seq, currency, delta, balance_after)
		SELECT p_user, v_version, u.ord::integer, u.currency, u.delta, u.after
		FROM unnest(v_currencies, v_deltas, v_balances) WITH ORDINALITY AS u(currency, delta, after, ord)
	), nudged AS (
		INSERT INTO outbox AS o (player_id, version) SELECT p_user, v_version WHERE NOT p_quiet
		ON CONFLICT (player_id) DO UPDATE SET version = greatest(o.version, excluded.version),
			attempts = 0, next_at = now(), updated_at = now()
	)
	INSERT INTO idempotency_keys (principal, key, fingerprint, status, response)
	VALUES (p_principal, p_key, p_fingerprint, 201, v_body);

	outcome := 'done';
	status := 201;
	body := v_body;
	version := v_version;
	fingerprint := p_fingerprint;
	RETURN NEXT;
END;
$$;

CREATE OR REPLACE FUNCTION hopsafe_transaction(
	p_principal text,
	p_key text,
	p_fingerprint text,
	p_user bigint,
	p_if_match bigint,
	p_ops jsonb,
	p_reason text,
	p_actor text
) RETURNS TABLE (outcome text, status integer, body text, version bigint, fingerprint text)
LANGUAGE sql AS $$
	SELECT * FROM hopsafe_transaction(p_principal, p_key, p_fingerprint, p_user, p_if_match, p_ops, p_reason, p_actor,
		coalesce(current_setting('hopsafe.quiet', true), '') = 'on');
$$;
