-- Which state rows changed is told by an append-only log instead of a revision
-- column on every row. A revision index moved the row's old entry on each
-- change, a random page written for every state write (about 40% of its cost).
-- Each write transaction that changes account_state or offer_state rows
-- appends one entry naming the accounts it changed; a reader that has seen
-- revision R re-reads the accounts named after R, or everything once entries
-- after R have been pruned (meta 'state_log_pruned').
DROP INDEX account_state_rev;
DROP INDEX offer_state_rev;
ALTER TABLE account_state DROP COLUMN rev;
ALTER TABLE offer_state DROP COLUMN rev;
DELETE FROM meta WHERE key = 'state_rev';
INSERT INTO meta (key, value) VALUES ('state_log_pruned', 0);

CREATE TABLE state_log (
  rev INTEGER PRIMARY KEY AUTOINCREMENT,
  -- JSON array of account ids
  accounts TEXT NOT NULL
);
