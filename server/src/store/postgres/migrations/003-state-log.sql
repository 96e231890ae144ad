-- Which state rows changed is told by an append-only log (as on SQLite, its
-- migration 003), not by an indexed transaction id on every row. Updating an
-- indexed column made every state update a new row version with new entries in
-- every index, the primary key's included: a random leaf more per update, and
-- after each checkpoint a full page of WAL for it. Without it, and with room
-- left on each page (fillfactor), an update can stay on its page (HOT).
--
-- Each statement that changes account_state or offer_state rows appends one
-- entry naming the accounts it changed. A reader that saw the tables at a
-- snapshot with xmin X re-reads the accounts named by entries with xid ≥ X, or
-- everything when entries it has not read were pruned (meta 'state_log_pruned').
DROP INDEX account_state_xid;
DROP INDEX offer_state_xid;
ALTER TABLE account_state DROP COLUMN xid;
ALTER TABLE offer_state DROP COLUMN xid;
ALTER TABLE account_state SET (fillfactor = 80);
ALTER TABLE offer_state SET (fillfactor = 80);

CREATE TABLE state_log (
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  at bigint NOT NULL,
  accounts text[] NOT NULL
);
CREATE INDEX state_log_xid ON state_log (xid);
CREATE INDEX state_log_at ON state_log (at);

CREATE TABLE meta (
  key text PRIMARY KEY,
  value text NOT NULL
);
-- The largest xid of a pruned entry: a reader whose snapshot xmin is not above it reloads.
INSERT INTO meta (key, value) VALUES ('state_log_pruned', '0');
