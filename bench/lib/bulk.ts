/**
 * Bulk data for benchmarks, written straight into the store's own tables
 * (schema from server/src/store/{sqlite,postgres}/migrations/):
 * accounts, the raw events, and the per-account state those events fold into
 * (account_state, offer_state), consistent with each other — as if every
 * event had been ingested. SQLite: prepared statements in large transactions;
 * PostgreSQL: multi-row INSERT … SELECT FROM unnest($1, $2, …).
 *
 * Events come in two phases drawn from independent streams per account, so a
 * benchmark can measure with phase 1, add phase 2 (about as many events
 * again) and measure again over the same accounts.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { prng } from './seed.ts';

const DAY = 86_400_000;
const PLANS = ['starter', 'pro', 'business', 'enterprise'];
const REGIONS = ['na', 'emea', 'apac', 'latam'];
const CHANNELS = ['direct', 'direct', 'direct', 'partner-acme', 'partner-globex'];
export const BULK_OFFERS = ['trial-all', 'bundle-ent', 'banner-partner'];

/** id, type, account_id, user_id, offer_id, variant, decision_id, placement, at, received_at, source, product_id, arr, quantity */
export type EventRow = [string, string, string, string | null, string | null, null, null, string | null, number, number, string, string | null, number | null, number | null];

export interface AccountRow {
  id: string;
  data: string;
  activatedAt: number;
  arr: number;
  plan: string;
  region: string;
  channel: string;
}

export interface AccountStateRow {
  trialAt: number | null;
  paid: number[];
  canceled: number[];
  usage: { at: number; quantity: number }[];
}

/** account_id, offer_id, arm, variant, assigned_at, exposed_at, clicked_at, dismissed_at */
export type OfferStateRow = [string, string, string, string | null, number, number | null, number | null, number | null];

export interface BulkSpec {
  accounts: number;
  /** Average events per account and phase. */
  eventsPerAccount: number;
  /** Activation instants spread over the two years before `now`. */
  now: number;
}

/** Monotonic UUID-shaped ids (version 7 layout): every insert appends to the primary key. */
function eventId(phase: number, n: number): string {
  return `01900000-0000-7000-800${phase}-${n.toString(16).padStart(12, '0')}`;
}

export function accountId(i: number): string {
  return `acct-${String(i).padStart(8, '0')}`;
}

export function accountRow(i: number, now: number): AccountRow {
  const rand = prng(0x9e3779b1 ^ i);
  const id = accountId(i);
  const activatedAt = now - Math.floor(rand() * 730 * DAY) - Math.floor(rand() * DAY);
  const plan = PLANS[Math.floor(rand() * PLANS.length)]!;
  const arr = Math.round(2000 + rand() * 60000);
  const region = REGIONS[Math.floor(rand() * REGIONS.length)]!;
  const channel = CHANNELS[Math.floor(rand() * CHANNELS.length)]!;
  const data = JSON.stringify({ id, activatedAt: new Date(activatedAt).toISOString(), plan, arr, currency: 'USD', region, channel });
  return { id, data, activatedAt, arr, plan, region, channel };
}

/** The offers an account is assigned to (recorded by decide in a live system), with arm and variant. */
export function assignments(i: number, a: AccountRow): OfferStateRow[] {
  const rand = prng(0x85ebca6b ^ i);
  const out: OfferStateRow[] = [];
  BULK_OFFERS.forEach((offerId, k) => {
    if (k > 0 && rand() > (k === 1 ? 0.5 : 0.2)) return;
    const arm = rand() < 0.2 ? 'control' : 'treatment';
    out.push([a.id, offerId, arm, arm === 'treatment' ? (rand() < 0.5 ? 'A' : 'B') : null, a.activatedAt + 60 * DAY, null, null, null]);
  });
  return out;
}

/**
 * One phase of an account's events: mostly exposures, some clicks and
 * dismissals of its treatment offers, a trial for about a third, payments,
 * cancellations and monthly usage roll-ups for payers.
 */
export function accountEvents(i: number, phase: 1 | 2, a: AccountRow, offers: readonly OfferStateRow[], spec: BulkSpec, next: () => string): EventRow[] {
  const rand = prng((phase === 1 ? 0xc2b2ae35 : 0x27d4eb2f) ^ i);
  const span = Math.max(1, spec.now - a.activatedAt);
  const at = () => a.activatedAt + Math.floor(rand() * span);
  const rows: EventRow[] = [];
  const add = (type: string, t: number, offerId: string | null, productId: string | null, arr: number | null, quantity: number | null, user: string | null) =>
    rows.push([next(), type, a.id, user, offerId, null, null, offerId ? 'dashboard' : null, t, t, offerId ? 'browser' : 'backend', productId, arr, quantity]);
  const target = Math.max(1, Math.round(spec.eventsPerAccount * (0.5 + rand())));
  if (rand() < 0.35) add('trial_start', at(), null, null, null, null, 'u1');
  if (rand() < 0.2) {
    const paidAt = at();
    add('paid', paidAt, null, 'insights', 348, null, null);
    if (rand() < 0.15) add('canceled', paidAt + Math.floor(rand() * (spec.now - paidAt)), null, 'insights', null, null, null);
    for (let m = 1; m <= 3; m++) if (paidAt + m * 30 * DAY < spec.now) add('usage', paidAt + m * 30 * DAY, null, 'insights', null, 1 + Math.floor(rand() * 20), null);
  }
  const treated = offers.filter((o) => o[2] === 'treatment');
  while (rows.length < target && treated.length > 0) {
    const o = treated[Math.floor(rand() * treated.length)]!;
    const r = rand();
    add(r < 0.8 ? 'exposure' : r < 0.95 ? 'click' : 'dismiss', at(), o[1], null, null, null, `u${Math.floor(rand() * 5)}`);
  }
  return rows;
}

/** Folds events into the state rows, exactly as the store's ingest does. */
export function fold(events: readonly EventRow[], offers: readonly OfferStateRow[]): { state: AccountStateRow; offers: OfferStateRow[] } {
  const state: AccountStateRow = { trialAt: null, paid: [], canceled: [], usage: [] };
  const byOffer = new Map(offers.map((o) => [o[1], [...o] as OfferStateRow]));
  for (const e of events) {
    const t = e[8];
    switch (e[1]) {
      case 'trial_start':
      case 'trial_started':
        if (state.trialAt === null || t < state.trialAt) state.trialAt = t;
        break;
      case 'paid':
        state.paid.push(t);
        break;
      case 'canceled':
        state.canceled.push(t);
        break;
      case 'usage':
        state.usage.push({ at: t, quantity: e[13] ?? 1 });
        break;
      default: {
        const o = byOffer.get(e[4]!)!;
        const col = e[1] === 'exposure' ? 5 : e[1] === 'click' ? 6 : 7;
        const prev = o[col] as number | null;
        if (prev === null || t < prev) o[col] = t;
      }
    }
  }
  state.paid.sort((x, y) => x - y);
  state.canceled.sort((x, y) => x - y);
  state.usage.sort((x, y) => x.at - y.at || x.quantity - y.quantity);
  return { state, offers: [...byOffer.values()] };
}

const pack = (xs: readonly number[]): string | null => (xs.length === 0 ? null : xs.join(','));

export type BulkProgress = (done: number, total: number) => void;

/** Accounts in chunks, each with phase 1 (and, for phase 2, phase 1 + 2) events and state. */
function* chunks(spec: BulkSpec, phase: 1 | 2, size: number) {
  let n = 0;
  const next = () => eventId(phase, n++);
  const nop = () => '';
  for (let start = 0; start < spec.accounts; start += size) {
    const accounts: AccountRow[] = [];
    const states: AccountStateRow[] = [];
    const offers: OfferStateRow[] = [];
    const events: EventRow[] = [];
    for (let i = start; i < Math.min(spec.accounts, start + size); i++) {
      const a = accountRow(i, spec.now);
      const assigned = assignments(i, a);
      const first = accountEvents(i, 1, a, assigned, spec, phase === 1 ? next : nop);
      const mine = phase === 1 ? first : accountEvents(i, 2, a, assigned, spec, next);
      const folded = fold(phase === 1 ? first : [...first, ...mine], assigned);
      accounts.push(a);
      states.push(folded.state);
      offers.push(...folded.offers);
      events.push(...mine);
    }
    yield { accounts, states, offers, events };
  }
}

/**
 * Phase 1 creates accounts, assignments, events and state; phase 2 adds the
 * second stream of events and rewrites the state to include them.
 * The store must be migrated already. Returns the number of events written.
 */
export function bulkSqlite(file: string, spec: BulkSpec, phase: 1 | 2, progress?: BulkProgress): number {
  const db = new Database(file);
  db.pragma('journal_mode = DELETE');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  // Built by one sort afterwards instead of an insert per row.
  db.exec('DROP INDEX IF EXISTS events_id; DROP INDEX IF EXISTS events_recent');
  const account = db.prepare('INSERT INTO accounts (id, data, activated_at, updated_at) VALUES (?, ?, ?, ?)');
  const state = db.prepare(
    `INSERT INTO account_state (account_id, activated_at, arr, plan, region, channel, trial_at, paid, canceled, usage_at, usage_qty)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (account_id) DO UPDATE SET trial_at = excluded.trial_at, paid = excluded.paid, canceled = excluded.canceled,
       usage_at = excluded.usage_at, usage_qty = excluded.usage_qty`,
  );
  const offer = db.prepare(
    `INSERT INTO offer_state (account_id, offer_id, arm, variant, assigned_at, exposed_at, clicked_at, dismissed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (account_id, offer_id) DO UPDATE SET exposed_at = excluded.exposed_at, clicked_at = excluded.clicked_at,
       dismissed_at = excluded.dismissed_at`,
  );
  const event = db.prepare(
    `INSERT INTO events (id, type, account_id, user_id, offer_id, variant, decision_id, placement, at, received_at, source, product_id, arr, quantity)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let written = 0;
  const write = db.transaction((c: ReturnType<typeof chunks> extends Generator<infer T> ? T : never) => {
    c.accounts.forEach((a, k) => {
      if (phase === 1) account.run(a.id, a.data, a.activatedAt, spec.now);
      const s = c.states[k]!;
      state.run(a.id, a.activatedAt, a.arr, a.plan, a.region, a.channel, s.trialAt, pack(s.paid), pack(s.canceled), pack(s.usage.map((u) => u.at)), pack(s.usage.map((u) => u.quantity)));
    });
    for (const o of c.offers) offer.run(...o);
    for (const e of c.events) event.run(...e);
  });
  let doneAccounts = 0;
  for (const c of chunks(spec, phase, 20_000)) {
    write(c);
    written += c.events.length;
    doneAccounts += c.accounts.length;
    progress?.(doneAccounts, spec.accounts);
  }
  // As migrations/002-events-log.sql creates them.
  db.exec(`CREATE UNIQUE INDEX events_id ON events (id);
    CREATE INDEX events_recent ON events (max(at, received_at)) WHERE type IN ('exposure', 'dismiss') AND offer_id IS NOT NULL`);
  // Every state row may have changed: a new state log entry, with everything up to it marked
  // pruned, sends a running server's facts copy back to a full reload.
  const rev = db.prepare("INSERT INTO state_log (accounts) VALUES ('[]') RETURNING rev").pluck().get() as number;
  db.prepare("UPDATE meta SET value = ? WHERE key = 'state_log_pruned'").run(rev);
  db.pragma('journal_mode = WAL');
  db.exec('ANALYZE');
  db.close();
  return written;
}

/** The same for PostgreSQL, in the given schema (already migrated). */
export async function bulkPostgres(url: string, schema: string, spec: BulkSpec, phase: 1 | 2, progress?: BulkProgress): Promise<number> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    await client.query('SET synchronous_commit = off');
    // Built by one sort afterwards instead of an insert per row.
    await client.query('DROP INDEX IF EXISTS events_recent; DROP INDEX IF EXISTS events_history_xid');
    let written = 0;
    let doneAccounts = 0;
    const arr = (xs: readonly number[]) => (xs.length === 0 ? null : `{${xs.join(',')}}`);
    for (const c of chunks(spec, phase, 10_000)) {
      await client.query('BEGIN');
      if (phase === 1) {
        await client.query(
          'INSERT INTO accounts (id, data, activated_at, updated_at) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])',
          [c.accounts.map((a) => a.id), c.accounts.map((a) => a.data), c.accounts.map((a) => a.activatedAt), c.accounts.map(() => spec.now)],
        );
      }
      await client.query(
        `INSERT INTO account_state (account_id, activated_at, arr, plan, region, channel, trial_at, paid, canceled, usage_at, usage_qty)
         SELECT a, b, c, d, e, f, g, h::bigint[], i::bigint[], j::bigint[], k::double precision[]
         FROM unnest($1::text[], $2::bigint[], $3::float8[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[])
           AS t(a, b, c, d, e, f, g, h, i, j, k)
         ON CONFLICT (account_id) DO UPDATE SET trial_at = excluded.trial_at, paid = excluded.paid, canceled = excluded.canceled,
           usage_at = excluded.usage_at, usage_qty = excluded.usage_qty`,
        [
          c.accounts.map((a) => a.id),
          c.accounts.map((a) => a.activatedAt),
          c.accounts.map((a) => a.arr),
          c.accounts.map((a) => a.plan),
          c.accounts.map((a) => a.region),
          c.accounts.map((a) => a.channel),
          c.states.map((s) => s.trialAt),
          c.states.map((s) => arr(s.paid)),
          c.states.map((s) => arr(s.canceled)),
          c.states.map((s) => arr(s.usage.map((u) => u.at))),
          c.states.map((s) => arr(s.usage.map((u) => u.quantity))),
        ],
      );
      const col = (k: number) => c.offers.map((o) => o[k]);
      await client.query(
        `INSERT INTO offer_state (account_id, offer_id, arm, variant, assigned_at, exposed_at, clicked_at, dismissed_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])
         ON CONFLICT (account_id, offer_id) DO UPDATE SET exposed_at = excluded.exposed_at, clicked_at = excluded.clicked_at,
           dismissed_at = excluded.dismissed_at`,
        [col(0), col(1), col(2), col(3), col(4), col(5), col(6), col(7)],
      );
      for (let s = 0; s < c.events.length; s += 20_000) {
        const part = c.events.slice(s, s + 20_000);
        const ev = (k: number) => part.map((e) => e[k]);
        await client.query(
          `INSERT INTO events (id, type, account_id, user_id, offer_id, variant, decision_id, placement, at, received_at, source, product_id, arr, quantity)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
             $9::bigint[], $10::bigint[], $11::text[], $12::text[], $13::float8[], $14::float8[])`,
          [ev(0), ev(1), ev(2), ev(3), ev(4), ev(5), ev(6), ev(7), ev(8), ev(9), ev(10), ev(11), ev(12), ev(13)],
        );
      }
      await client.query('COMMIT');
      written += c.events.length;
      doneAccounts += c.accounts.length;
      progress?.(doneAccounts, spec.accounts);
    }
    // As migrations/002-events-log.sql creates them.
    await client.query(`CREATE INDEX events_recent ON events (greatest(at, received_at)) WHERE type IN ('exposure', 'dismiss') AND offer_id IS NOT NULL;
      CREATE INDEX events_history_xid ON events (xid) WHERE type IN ('exposure', 'dismiss') AND offer_id IS NOT NULL`);
    // Every state row may have changed: marking the state log pruned up to now sends a
    // running server's facts copy and decide inputs back to a full reload.
    await client.query("UPDATE meta SET value = pg_current_xact_id()::text WHERE key = 'state_log_pruned'");
    await client.query('ANALYZE');
    return written;
  } finally {
    await client.end();
  }
}
