-- Accounts as the vendor sent them (data = the Account JSON).
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  data TEXT NOT NULL,
  activated_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- One compact row per account: what reports read instead of raw events.
-- paid / canceled / usage_at / usage_qty are ascending numbers packed as "1,2,3".
-- activated_at is NULL while only events (no account) have arrived.
CREATE TABLE account_state (
  account_id TEXT PRIMARY KEY,
  activated_at INTEGER,
  arr REAL NOT NULL DEFAULT 0,
  plan TEXT,
  region TEXT,
  channel TEXT,
  trial_at INTEGER,
  paid TEXT,
  canceled TEXT,
  usage_at TEXT,
  usage_qty TEXT,
  rev INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX account_state_rev ON account_state (rev);

-- Per (account, offer): the assignment (arm NULL until decide records one) and
-- the first exposure / click / dismiss.
CREATE TABLE offer_state (
  account_id TEXT NOT NULL,
  offer_id TEXT NOT NULL,
  arm TEXT,
  variant TEXT,
  assigned_at INTEGER,
  exposed_at INTEGER,
  clicked_at INTEGER,
  dismissed_at INTEGER,
  event_variant TEXT,
  event_variant_at INTEGER,
  rev INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, offer_id)
) WITHOUT ROWID;
CREATE INDEX offer_state_rev ON offer_state (rev);

-- state_rev: bumped once by every write transaction that changes account_state or
-- offer_state, whose rows carry it in `rev`; loadFacts reads back only rows newer
-- than the revision it last saw (SQLite transactions are serial, so revisions
-- commit in order).
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT INTO meta (key, value) VALUES ('state_rev', 0);

-- Keyed by the client's UUIDv7: time-ordered keys keep the primary index appending.
CREATE TABLE events (
  id TEXT PRIMARY KEY,
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
) WITHOUT ROWID;

-- Caps and cooldowns: an account's recent exposures and dismissals.
CREATE INDEX events_history ON events (account_id, at) WHERE type IN ('exposure', 'dismiss');

-- deleted_at keeps a tombstone so a re-created offer continues its version numbers.
CREATE TABLE offers (
  id TEXT PRIMARY KEY,
  data TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
);

CREATE TABLE offer_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  offer_id TEXT NOT NULL,
  actor TEXT NOT NULL,
  at INTEGER NOT NULL,
  action TEXT NOT NULL,
  before TEXT,
  after TEXT
);
CREATE INDEX offer_audit_offer ON offer_audit (offer_id, id);

CREATE TABLE stripe_events (
  id TEXT PRIMARY KEY,
  claimed_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  label TEXT
);
