-- The audit sealer, once per transaction instead of once per row (docs/audit.md, "Cost"): a statement
-- trigger collects the ids each INSERT wrote (from its transition table) into audit_pending, keyed by
-- the top-level transaction id; the deferred constraint trigger on audit_pending fires once at
-- commit and seals the collected rows: hashes computed in one loop, written in one UPDATE. The hash, the
-- canonical text and the order (workspace heads locked in name order, rows by id) are unchanged.
DROP TRIGGER IF EXISTS audit_log_seal ON audit_log;
--> statement-breakpoint
DROP FUNCTION IF EXISTS audit_seal();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_collect() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_pending (tx, ids)
    SELECT pg_current_xact_id()::text::bigint, array_agg(id ORDER BY id) FROM inserted HAVING count(*) > 0
  ON CONFLICT (tx) DO UPDATE SET ids = audit_pending.ids || excluded.ids;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_collect AFTER INSERT ON audit_log REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION audit_collect();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_seal_pending() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  pending_ids bigint[];
  ws text;
  head_seq bigint;
  head_hash text;
  r record;
  ids bigint[];
  seqs bigint[];
  prevs text[];
  hashes text[];
  h text;
BEGIN
  DELETE FROM audit_pending WHERE tx = NEW.tx RETURNING audit_pending.ids INTO pending_ids;
  IF pending_ids IS NULL THEN
    RETURN NULL;
  END IF;
  FOR ws IN SELECT DISTINCT workspace_id FROM audit_log WHERE id = ANY (pending_ids) ORDER BY 1
  LOOP
    INSERT INTO audit_heads (workspace_id, seq, hash) VALUES (ws, 0, repeat('0', 64))
      ON CONFLICT (workspace_id) DO NOTHING;
    SELECT seq, hash INTO head_seq, head_hash FROM audit_heads WHERE workspace_id = ws FOR UPDATE;
    ids := '{}'; seqs := '{}'; prevs := '{}'; hashes := '{}';
    -- the chain is sequential: hash in a loop (expressions only), then write it in one statement
    FOR r IN
      SELECT id, workspace_id, at, actor, kind, subject, data FROM audit_log
      WHERE id = ANY (pending_ids) AND workspace_id = ws AND hash IS NULL ORDER BY id
    LOOP
      head_seq := head_seq + 1;
      h := encode(sha256(convert_to(
        head_hash || audit_canonical(r.id, r.workspace_id, head_seq, r.at, r.actor, r.kind, r.subject, r.data),
        'UTF8')), 'hex');
      ids := ids || r.id; seqs := seqs || head_seq; prevs := prevs || head_hash; hashes := hashes || h;
      head_hash := h;
    END LOOP;
    UPDATE audit_log a SET seq = u.seq, prev_hash = u.prev, hash = u.hash
      FROM unnest(ids, seqs, prevs, hashes) AS u(id, seq, prev, hash) WHERE a.id = u.id;
    UPDATE audit_heads SET seq = head_seq, hash = head_hash WHERE workspace_id = ws;
  END LOOP;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER audit_pending_seal AFTER INSERT ON audit_pending
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_seal_pending();
