-- The audit chain (policies/audit, docs/audit.md). Rows are inserted unsealed in the transaction of
-- the thing they record; a deferred trigger seals them at commit, so the per-workspace chain lock is
-- taken last and held only for the commit, never while the writer still waits on other locks.
--
--   hash = sha256(prev_hash || audit_canonical(row))   (hex; the first prev_hash is 64 zeros)
--
-- audit_canonical is the jsonb text of the row's recorded fields, keys in jsonb order, `at` in UTC
-- with microseconds: deterministic for a stored row, which is what verification recomputes.
CREATE OR REPLACE FUNCTION audit_canonical(
  p_id bigint, p_workspace_id text, p_seq bigint, p_at timestamptz,
  p_actor text, p_kind text, p_subject text, p_data jsonb
) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', p_id,
    'workspace_id', p_workspace_id,
    'seq', p_seq,
    'at', to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'actor', p_actor,
    'kind', p_kind,
    'subject', p_subject,
    'data', p_data
  )::text
$$;
--> statement-breakpoint
-- Inserts never carry their own chain fields; the writing transaction is stamped (top-level id, also
-- inside savepoints) so that the sealer seals only rows of its own transaction.
CREATE OR REPLACE FUNCTION audit_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.seq := NULL;
  NEW.prev_hash := NULL;
  NEW.hash := NULL;
  NEW.sealing_tx := pg_current_xact_id()::text::bigint;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_stamp BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_stamp();
--> statement-breakpoint
-- At commit: the first firing seals every row this transaction wrote, workspace by workspace in name
-- order (two committing transactions lock heads in the same order, so they never deadlock); later
-- firings find their row sealed and return.
CREATE OR REPLACE FUNCTION audit_seal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  me bigint := pg_current_xact_id()::text::bigint;
  ws text;
  head_seq bigint;
  head_hash text;
  r record;
  h text;
BEGIN
  PERFORM 1 FROM audit_log WHERE id = NEW.id AND hash IS NULL;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  FOR ws IN
    SELECT DISTINCT workspace_id FROM audit_log WHERE hash IS NULL AND sealing_tx = me ORDER BY 1
  LOOP
    INSERT INTO audit_heads (workspace_id, seq, hash) VALUES (ws, 0, repeat('0', 64))
      ON CONFLICT (workspace_id) DO NOTHING;
    SELECT seq, hash INTO head_seq, head_hash FROM audit_heads WHERE workspace_id = ws FOR UPDATE;
    FOR r IN
      SELECT id, workspace_id, at, actor, kind, subject, data FROM audit_log
      WHERE workspace_id = ws AND hash IS NULL AND sealing_tx = me ORDER BY id
    LOOP
      head_seq := head_seq + 1;
      h := encode(sha256(convert_to(
        head_hash || audit_canonical(r.id, r.workspace_id, head_seq, r.at, r.actor, r.kind, r.subject, r.data),
        'UTF8')), 'hex');
      UPDATE audit_log SET seq = head_seq, prev_hash = head_hash, hash = h WHERE id = r.id;
      head_hash := h;
    END LOOP;
    UPDATE audit_heads SET seq = head_seq, hash = head_hash WHERE workspace_id = ws;
  END LOOP;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER audit_log_seal AFTER INSERT ON audit_log
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_seal();
--> statement-breakpoint
-- Append-only: the one update allowed is the sealing of an unsealed row with its content unchanged.
-- (A superuser can still disable triggers; `npm run audit:verify` is what detects that.)
CREATE OR REPLACE FUNCTION audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
     AND NEW.id = OLD.id AND NEW.workspace_id = OLD.workspace_id AND NEW.at = OLD.at
     AND NEW.actor = OLD.actor AND NEW.kind = OLD.kind AND NEW.subject = OLD.subject
     AND NEW.data = OLD.data AND NEW.sealing_tx IS NOT DISTINCT FROM OLD.sealing_tx THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = '42501';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_guard();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_guard_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: TRUNCATE refused' USING ERRCODE = '42501';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_guard_truncate();
