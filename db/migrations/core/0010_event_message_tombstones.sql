-- Dedupe by messageId lives in the unique index events_message_idx (0009): a stored event remembers its
-- messageId. When events are deleted (retention, erasure), their messageIds move to ingest_message_ids
-- as tombstones, so a replay inside the dedupe window is still recognised; the ingest service's purge
-- loop drops tombstones once OVERTURE_DEDUPE_DAYS have passed since the event was received.
-- A statement trigger with a transition table: one INSERT per DELETE statement, nothing on inserts.
CREATE OR REPLACE FUNCTION events_remember_message_ids() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ingest_message_ids (workspace_id, message_id, received_at)
    SELECT workspace_id, message_id, max(received_at) FROM deleted GROUP BY workspace_id, message_id
  ON CONFLICT (workspace_id, message_id) DO UPDATE
    SET received_at = greatest(ingest_message_ids.received_at, excluded.received_at);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER events_remember_message_ids AFTER DELETE ON events REFERENCING OLD TABLE AS deleted
  FOR EACH STATEMENT EXECUTE FUNCTION events_remember_message_ids();
