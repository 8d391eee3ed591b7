-- A game server that writes for a player it holds already knows about the write, so announcing it
-- to that server through Open Cloud is waste: at 100 players doing a mutation a second it would
-- exceed MessagingService's receive limits and Open Cloud's publish budget. Such writes ask for
-- quiet (the API sets hopsafe.quiet for the statement); their outbox nudge is skipped. An earlier,
-- still pending nudge of the same player (a companion's write) is left as it is, and announces
-- every version up to it through the change feed.
CREATE FUNCTION hopsafe_outbox_quiet() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF coalesce(current_setting('hopsafe.quiet', true), '') = 'on' THEN
		RETURN NULL;
	END IF;
	RETURN NEW;
END;
$$;

CREATE TRIGGER outbox_quiet BEFORE INSERT OR UPDATE ON outbox
	FOR EACH ROW EXECUTE FUNCTION hopsafe_outbox_quiet();
