-- Key columns use the "C" collation: byte order, as SQLite compares, and cheaper.
-- Accounts as the vendor sent them (data = the Account JSON).
CREATE TABLE accounts (
  id text COLLATE "C" PRIMARY KEY,
  data text NOT NULL,
  activated_at bigint NOT NULL,
  updated_at bigint NOT NULL
);

-- One compact row per account: what reports read instead of raw events.
-- Lists ascending; activated_at is NULL while only events (no account) have arrived.
CREATE TABLE account_state (
  account_id text COLLATE "C" PRIMARY KEY,
  activated_at bigint,
  arr double precision NOT NULL DEFAULT 0,
  plan text,
  region text,
  channel text,
  trial_at bigint,
  paid bigint[],
  canceled bigint[],
  usage_at bigint[],
  usage_qty double precision[],
  xid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX account_state_xid ON account_state (xid);

-- Per (account, offer): the assignment (arm NULL until decide records one) and
-- the first exposure / click / dismiss.
CREATE TABLE offer_state (
  account_id text COLLATE "C" NOT NULL,
  offer_id text COLLATE "C" NOT NULL,
  arm text,
  variant text,
  assigned_at bigint,
  exposed_at bigint,
  clicked_at bigint,
  dismissed_at bigint,
  event_variant text,
  event_variant_at bigint,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  PRIMARY KEY (account_id, offer_id)
);
CREATE INDEX offer_state_xid ON offer_state (xid);
-- xid: the transaction that last wrote the row. loadFacts reads back only rows
-- written by transactions at or after the xmin of the snapshot it last read.

-- Keyed by the client's UUIDv7: time-ordered keys keep the primary index appending.
CREATE TABLE events (
  id text COLLATE "C" PRIMARY KEY,
  type text NOT NULL,
  account_id text COLLATE "C" NOT NULL,
  user_id text,
  offer_id text,
  variant text,
  decision_id text,
  placement text,
  at bigint NOT NULL,
  received_at bigint NOT NULL,
  source text NOT NULL,
  product_id text,
  arr double precision,
  quantity double precision
);

-- Caps and cooldowns: an account's recent exposures and dismissals.
CREATE INDEX events_history ON events (account_id, at) WHERE type IN ('exposure', 'dismiss');

-- deleted_at keeps a tombstone so a re-created offer continues its version numbers.
CREATE TABLE offers (
  id text PRIMARY KEY,
  data text NOT NULL,
  version integer NOT NULL,
  updated_at bigint NOT NULL,
  deleted_at bigint
);

CREATE TABLE offer_audit (
  id bigserial PRIMARY KEY,
  offer_id text NOT NULL,
  actor text NOT NULL,
  at bigint NOT NULL,
  action text NOT NULL,
  before text,
  after text
);
CREATE INDEX offer_audit_offer ON offer_audit (offer_id, id);

CREATE TABLE stripe_events (
  id text PRIMARY KEY,
  claimed_at bigint NOT NULL
);

CREATE TABLE api_keys (
  id text PRIMARY KEY,
  kind text NOT NULL,
  hash text NOT NULL UNIQUE,
  prefix text NOT NULL,
  created_at bigint NOT NULL,
  revoked_at bigint,
  label text
);
