-- Events become an append-only log, as on SQLite (its migration 002): no index
-- that an insert writes at a random place. The per-account history index took
-- a random leaf for each exposure, and after every checkpoint PostgreSQL logs a
-- whole page the first time it touches one: about 8 KB of WAL per exposure.
--
-- Every server keeps browser history by account in memory (history-index.ts):
-- events_recent finds the span it loads on demand (max(at, received_at) only
-- grows under live traffic, and "at ≥ S" implies "greatest(at, received_at) ≥ S");
-- events_history_xid finds what other servers inserted since it last looked, by
-- the inserting transaction's id (rows from before this migration have none;
-- the servers read them through events_recent).
DROP INDEX IF EXISTS events_history;
ALTER TABLE events ADD COLUMN xid xid8;
ALTER TABLE events ALTER COLUMN xid SET DEFAULT pg_current_xact_id();
CREATE INDEX events_recent ON events (greatest(at, received_at))
  WHERE type IN ('exposure', 'dismiss') AND offer_id IS NOT NULL;
CREATE INDEX events_history_xid ON events (xid)
  WHERE type IN ('exposure', 'dismiss') AND offer_id IS NOT NULL;
