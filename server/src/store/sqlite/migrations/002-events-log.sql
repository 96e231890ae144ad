-- Events become an append-only log. Every index on the table now grows at its
-- end under live traffic, so an insert writes a few pages per hundred events
-- instead of one random page of a per-account index for each exposure (SQLite
-- logs whole pages: that index capped ingest at about 30k events/s here).
--
-- seq: arrival order (rowid). Another process's writes are found by `seq > last seen`.
-- events_id: each client id stored once.
-- events_recent: browser history for caps and cooldowns, by max(at, received_at),
--   which is received_at for live events (at ≤ received_at) and so only grows;
--   "at ≥ S" implies "max(at, received_at) ≥ S", so a range scan from S finds
--   every event at or after S, back-dated imports and future instants included.
--   The store keeps what that scan returns in memory, by account (history-index.ts).
CREATE TABLE events_log (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  account_id TEXT NOT NULL,
  user_id TEXT,
  offer_id TEXT,
  variant TEXT,
  decision_id TEXT,
  placement TEXT,
  at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  source TEXT NOT NULL,
  product_id TEXT,
  arr REAL,
  quantity REAL
);

INSERT INTO events_log (id, type, account_id, user_id, offer_id, variant, decision_id, placement, at, received_at, source, product_id, arr, quantity)
SELECT id, type, account_id, user_id, offer_id, variant, decision_id, placement, at, received_at, source, product_id, arr, quantity
FROM events ORDER BY received_at, id;

DROP TABLE events;
ALTER TABLE events_log RENAME TO events;

CREATE UNIQUE INDEX events_id ON events (id);
CREATE INDEX events_recent ON events (max(at, received_at))
  WHERE type IN ('exposure', 'dismiss') AND offer_id IS NOT NULL;
