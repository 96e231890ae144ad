/**
 * The production store: PostgreSQL through a `pg` Pool. Many stateless
 * servers share one database, so every write is safe under concurrency:
 * idempotent inserts use ON CONFLICT, state folds are single atomic upserts
 * (LEAST, sorted array merges), rows are touched in sorted key order so
 * concurrent batches cannot deadlock, and a deadlock that slips through anyway
 * is retried.
 */
import type { Account, OfferDefinition } from '@tandem/core';
import pg from 'pg';
import { type AssignmentTuple, type AttachTuple, DecisionCache, type DecisionEntry, decisionEntry, decisionStateOf } from '../decision-cache.ts';
import { isAttachedAt, unpackNumbers } from '../facts.ts';
import { readMigrations } from '../migrations.ts';
import { type AccountFactsRow, FactsCache, type OfferFactsRow } from '../facts-cache.ts';
import { booleanArray, numberArray, textArray } from './arrays.ts';
import {
  type AssignmentRow,
  type AuditRow,
  accountDims,
  assignmentFromRow,
  auditFromRow,
  type KeyRow,
  keyFromRow,
  splitRepeats,
  uniqueAssignments,
  versionedOffer,
} from '../rows.ts';
import { type HistoryEntry, HistoryIndex } from '../history-index.ts';
import type { AccountFacts, Assignment, DecisionState, InsertEventsResult, RecentHistory, Store, StoredEvent } from '../types.ts';

export interface PostgresStoreOptions {
  /** A `postgres://` connection string (DATABASE_URL). */
  url: string;
  /** Schema holding the tables (created by `migrate()`); default: the server's search_path. Lets tests isolate. */
  schema?: string;
  /** Pool size (default 10). */
  max?: number;
  /**
   * How old (ms) this server's last look at other servers' writes may be before a
   * history or decide read looks again (default 100; 0: before every read).
   */
  followMs?: number;
  /** State log entries are kept this long (default 15 minutes); a server further behind reloads its facts copy whole. */
  stateLogKeepMs?: number;
  /** Writes between two prunings of the state log (default 1000). */
  stateLogPruneEvery?: number;
}

const MIGRATIONS = new URL('./migrations/', import.meta.url);

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const INT8 = 20;
/** deadlock_detected, serialization_failure: retry the whole transaction. */
const RETRYABLE = new Set(['40P01', '40001']);

// Instants are BIGINT epoch ms: parse them to numbers (safe up to 2^53).
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * Opens a PostgreSQL store. Call `migrate()` before use.
 * @example const store = openPostgresStore({ url: process.env.DATABASE_URL! }); await store.migrate();
 */
export function openPostgresStore(options: PostgresStoreOptions): Store {
  if (typeof options?.url !== 'string' || !/^postgres(ql)?:\/\//.test(options.url)) {
    throw new TypeError(`url must be a postgres:// connection string, got ${JSON.stringify(options?.url)}`);
  }
  const schema = options.schema;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new TypeError(`schema must be a lower-case SQL identifier (a-z, 0-9, _), got ${JSON.stringify(schema)}`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    types,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});

  async function tx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        const code = (error as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < 5) continue;
        throw error;
      } finally {
        client.release();
      }
    }
  }

  /**
   * Runs `read` in a read-only REPEATABLE READ transaction (one snapshot) and passes it
   * the snapshot's xmin: every transaction before it had finished, so a later read of
   * what transactions at or after it wrote misses nothing.
   */
  async function atSnapshot<T>(read: (client: pg.PoolClient, xmin: string) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const xmin = (await client.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin')).rows[0]!.xmin;
      const result = await read(client, xmin);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async function retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < 5) continue;
        throw error;
      }
    }
  }

  const query = async <R extends pg.QueryResultRow>(text: string, values?: unknown[]) =>
    (await pool.query<R>(text, values)).rows;

  /** A statement part appending one state log entry naming the accounts `changed` yields (none: no entry). */
  const LOG_CHANGED = (changed: string, at: string) =>
    `INSERT INTO state_log (at, accounts) SELECT ${at}, array_agg(DISTINCT c.account_id) FROM ${changed} AS c(account_id) HAVING count(*) > 0`;

  // Ingest in one statement (one round trip, one commit): the events, and the state rows
  // folded from those actually inserted. Round trips, not the database, were the cost:
  // each waits its turn in a busy event loop. The fold is the one summarizeEvents does
  // (facts.ts), in SQL over the inserted rows; only a row that changes is written.
  const earlierCol = (c: string) => `(EXCLUDED.${c} IS NOT NULL AND (s.${c} IS NULL OR EXCLUDED.${c} < s.${c}))`;
  const betterVariant = `(${earlierCol('event_variant_at')} OR (EXCLUDED.event_variant_at = s.event_variant_at AND EXCLUDED.event_variant COLLATE "C" < s.event_variant COLLATE "C"))`;
  const mergeList = (col: string) =>
    `CASE WHEN EXCLUDED.${col} IS NULL THEN s.${col} ELSE (SELECT array_agg(x ORDER BY x) FROM unnest(coalesce(s.${col}, '{}') || EXCLUDED.${col}) AS t(x)) END`;
  const mergeUsage = (pick: 'a' | 'q') =>
    `CASE WHEN EXCLUDED.usage_at IS NULL THEN s.${pick === 'a' ? 'usage_at' : 'usage_qty'} ELSE (SELECT array_agg(${pick} ORDER BY a, q)
       FROM unnest(coalesce(s.usage_at, '{}') || EXCLUDED.usage_at, coalesce(s.usage_qty, '{}') || EXCLUDED.usage_qty) AS t(a, q)) END`;
  const INGEST = `WITH input AS (
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                           $9::bigint[], $10::bigint[], $11::text[], $12::text[], $13::double precision[], $14::double precision[], $15::boolean[])
        AS u(id, type, account_id, user_id, offer_id, variant, decision_id, placement, at, received_at, source, product_id, arr, quantity, fold)
    ), ins AS (
      INSERT INTO events (id, type, account_id, user_id, offer_id, variant, decision_id, placement, at, received_at, source, product_id, arr, quantity)
      SELECT id, type, account_id, user_id, offer_id, variant, decision_id, placement, at, received_at, source, product_id, arr, quantity FROM input
      ON CONFLICT (id) DO NOTHING
      RETURNING id, type, account_id, offer_id, variant, at, quantity
    ), folded AS (
      SELECT ins.* FROM ins JOIN input ON input.id COLLATE "C" = ins.id WHERE input.fold
    ), offer_delta AS (
      SELECT account_id, offer_id,
        min(at) FILTER (WHERE type = 'exposure'), min(at) FILTER (WHERE type = 'click'), min(at) FILTER (WHERE type = 'dismiss'),
        (array_agg(variant ORDER BY at, variant COLLATE "C") FILTER (WHERE variant IS NOT NULL))[1],
        min(at) FILTER (WHERE variant IS NOT NULL)
      FROM folded WHERE offer_id IS NOT NULL AND type IN ('exposure', 'click', 'dismiss')
      GROUP BY account_id, offer_id
    ), offer_up AS (
      INSERT INTO offer_state AS s (account_id, offer_id, exposed_at, clicked_at, dismissed_at, event_variant, event_variant_at)
      SELECT * FROM offer_delta ORDER BY 1, 2
      ON CONFLICT (account_id, offer_id) DO UPDATE SET
        exposed_at = LEAST(s.exposed_at, EXCLUDED.exposed_at),
        clicked_at = LEAST(s.clicked_at, EXCLUDED.clicked_at),
        dismissed_at = LEAST(s.dismissed_at, EXCLUDED.dismissed_at),
        event_variant = CASE WHEN ${betterVariant} THEN EXCLUDED.event_variant ELSE s.event_variant END,
        event_variant_at = CASE WHEN ${betterVariant} THEN EXCLUDED.event_variant_at ELSE s.event_variant_at END
      WHERE ${earlierCol('exposed_at')} OR ${earlierCol('clicked_at')} OR ${earlierCol('dismissed_at')} OR ${betterVariant}
      RETURNING s.account_id
    ), account_delta AS (
      SELECT account_id,
        min(at) FILTER (WHERE type IN ('trial_start', 'trial_started')),
        array_agg(at ORDER BY at) FILTER (WHERE type = 'paid'),
        array_agg(at ORDER BY at) FILTER (WHERE type = 'canceled'),
        array_agg(at ORDER BY at, coalesce(quantity, 1)) FILTER (WHERE type = 'usage'),
        array_agg(coalesce(quantity, 1) ORDER BY at, coalesce(quantity, 1)) FILTER (WHERE type = 'usage')
      FROM folded WHERE type IN ('trial_start', 'trial_started', 'paid', 'canceled', 'usage')
      GROUP BY account_id
    ), account_up AS (
      INSERT INTO account_state AS s (account_id, trial_at, paid, canceled, usage_at, usage_qty)
      SELECT * FROM account_delta ORDER BY 1
      ON CONFLICT (account_id) DO UPDATE SET
        trial_at = LEAST(s.trial_at, EXCLUDED.trial_at),
        paid = ${mergeList('paid')},
        canceled = ${mergeList('canceled')},
        usage_at = ${mergeUsage('a')},
        usage_qty = ${mergeUsage('q')}
      WHERE EXCLUDED.paid IS NOT NULL OR EXCLUDED.canceled IS NOT NULL OR EXCLUDED.usage_at IS NOT NULL
        OR (EXCLUDED.trial_at IS NOT NULL AND (s.trial_at IS NULL OR EXCLUDED.trial_at < s.trial_at))
      RETURNING s.account_id
    ), logged AS (
      ${LOG_CHANGED('(SELECT account_id FROM offer_up UNION ALL SELECT account_id FROM account_up)', '$16')}
    )
    SELECT id, NULL AS account_id FROM ins
    UNION ALL SELECT NULL, account_id FROM offer_up
    UNION ALL SELECT NULL, account_id FROM account_up`;

  /**
   * Whether each event may change a state row, as far as the facts copy can tell: not
   * when it is an offer's exposure, click or dismiss (without a variant) or a trial no
   * earlier than the copy's. Firsts and the trial only ever move earlier, so even a
   * stale copy (another server's writes, writes in flight) never holds one earlier than
   * the table, and is right to say no. Most browser events are not an offer's first.
   */
  function foldHints(events: readonly StoredEvent[]): boolean[] {
    if (seenXmin === null) return events.map(() => true);
    return events.map((e) => {
      switch (e.type) {
        case 'exposure':
        case 'click':
        case 'dismiss': {
          if (e.offerId === null) return false;
          const held = e.variant === null ? facts.offer(e.accountId, e.offerId) : undefined;
          if (!held) return true;
          const first = e.type === 'exposure' ? held.exposedAt : e.type === 'click' ? held.clickedAt : held.dismissedAt;
          return first === null || e.at < first;
        }
        case 'trial_start':
        case 'trial_started': {
          const trialAt = facts.account(e.accountId)?.trialAt ?? null;
          return trialAt === null || e.at < trialAt;
        }
        default:
          return true;
      }
    });
  }

  async function writeAudit(
    client: pg.PoolClient,
    offerId: string,
    actor: string,
    at: number,
    action: string,
    before: string | null,
    after: string | null,
  ): Promise<void> {
    await client.query('INSERT INTO offer_audit (offer_id, actor, at, action, before, after) VALUES ($1, $2, $3, $4, $5, $6)', [
      offerId,
      actor,
      at,
      action,
      before,
      after,
    ]);
  }

  // The state log (migration 003): which accounts' state rows changed. Entries older
  // than LOG_KEEP_MS are pruned now and then; a reader that has not seen them reloads.
  type Changed = { accounts: Set<string> } | null;
  /** Accounts named by entries at or after `xmin`, in the caller's snapshot; null when some of those were pruned. */
  async function changedSince(client: pg.PoolClient, xmin: string): Promise<Changed> {
    const pruned = (await client.query<{ value: string }>("SELECT value FROM meta WHERE key = 'state_log_pruned'")).rows[0]!.value;
    if (BigInt(xmin) <= BigInt(pruned)) return null;
    const rows = await client.query<[string[]]>({
      name: 'tandem_state_log',
      text: 'SELECT accounts FROM state_log WHERE xid >= $1::xid8',
      values: [xmin],
      rowMode: 'array',
    });
    const accounts = new Set<string>();
    for (const [ids] of rows.rows) for (const id of ids) accounts.add(id);
    return { accounts };
  }
  const logKeepMs = options.stateLogKeepMs ?? 15 * 60_000;
  const logPruneEvery = Math.max(1, options.stateLogPruneEvery ?? 1000);
  let written = 0;
  /** Now and then (every `logPruneEvery` writes), drops entries older than `logKeepMs`. */
  async function pruneLog(): Promise<void> {
    if (++written % logPruneEvery !== 0) return;
    await tx(async (client) => {
      const gone = await client.query<{ xid: string }>('DELETE FROM state_log WHERE at <= $1 RETURNING xid::text AS xid', [Date.now() - logKeepMs]);
      if (gone.rows.length === 0) return;
      let max = 0n;
      for (const r of gone.rows) if (BigInt(r.xid) > max) max = BigInt(r.xid);
      await client.query(
        `UPDATE meta SET value = $1 WHERE key = 'state_log_pruned' AND value::numeric < $1::numeric`,
        [max.toString()],
      );
    });
  }

  // loadFacts answers from memory, reading back only the accounts the state log
  // names since the last read's snapshot xmin (every older transaction had
  // finished, so its changes were already seen), or everything.
  let facts = new FactsCache();
  let seenXmin: string | null = null;
  let refreshing: Promise<void> = Promise.resolve();
  const ACCOUNT_COLUMNS = `account_id, activated_at, arr, plan, region, channel, trial_at, array_to_string(paid, ','),
    array_to_string(canceled, ','), array_to_string(usage_at, ','), array_to_string(usage_qty, ',')`;
  const OFFER_COLUMNS = 'account_id, offer_id, arm, coalesce(variant, event_variant), assigned_at, exposed_at, clicked_at, dismissed_at';
  async function refreshFacts(): Promise<void> {
    seenXmin = await atSnapshot(async (client, xmin) => {
      const changed = seenXmin === null ? null : await changedSince(client, seenXmin);
      const only = changed === null ? '' : 'WHERE account_id = ANY($1::text[])';
      const values = changed === null ? [] : [[...changed.accounts]];
      if (changed === null || changed.accounts.size > 0) {
        const accounts = await client.query<AccountFactsRow>({ text: `SELECT ${ACCOUNT_COLUMNS} FROM account_state ${only}`, values, rowMode: 'array' });
        const offers = await client.query<OfferFactsRow>({ text: `SELECT ${OFFER_COLUMNS} FROM offer_state ${only}`, values, rowMode: 'array' });
        if (changed === null) {
          facts = new FactsCache();
          facts.fill(offers.rows, accounts.rows);
        } else {
          for (const r of accounts.rows) facts.applyAccount(r);
          for (const r of offers.rows) facts.applyOffer(r);
        }
      }
      return xmin;
    });
  }

  /**
   * Stores the events of several insertEvents calls in one transaction (one
   * commit) and answers each call: an id stored by an earlier call, or earlier
   * in the same batch, is a duplicate.
   */
  async function insertTogether(calls: readonly StoredEvent[][]): Promise<InsertEventsResult[]> {
    const events = calls.flat();
    const { unique, repeats } = splitRepeats(events);
    // Sorted ids: concurrent batches wait on each other's rows in one order, never in a cycle.
    const rows = [...unique].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const fold = foldHints(rows);
    const stored = await retrying(async () => {
      const result = await pool.query<{ id: string | null; account_id: string | null }>({
        name: 'tandem_ingest',
        text: INGEST,
        values: [
          textArray(rows.map((e) => e.id)),
          textArray(rows.map((e) => e.type)),
          textArray(rows.map((e) => e.accountId)),
          textArray(rows.map((e) => e.userId)),
          textArray(rows.map((e) => e.offerId)),
          textArray(rows.map((e) => e.variant)),
          textArray(rows.map((e) => e.decisionId)),
          textArray(rows.map((e) => e.placement)),
          numberArray(rows.map((e) => e.at)),
          numberArray(rows.map((e) => e.receivedAt)),
          textArray(rows.map((e) => e.source)),
          textArray(rows.map((e) => e.productId)),
          numberArray(rows.map((e) => e.arr)),
          numberArray(rows.map((e) => e.quantity)),
          booleanArray(fold),
          Date.now(),
        ],
      });
      const ids = new Set<string>();
      for (const r of result.rows) {
        if (r.id !== null) ids.add(r.id);
        else forget(r.account_id!);
      }
      return ids;
    });
    await pruneLog();
    // Committed: the new history events are this server's at once (a later look reads them again; kept once).
    for (const e of rows) {
      if (stored.has(e.id) && (e.type === 'exposure' || e.type === 'dismiss') && e.offerId !== null)
        history.add({ id: e.id, type: e.type, accountId: e.accountId, offerId: e.offerId, userId: e.userId, at: e.at });
    }
    let at = 0;
    return calls.map((call) => {
      const inserted: string[] = [];
      const duplicates: string[] = [];
      for (const e of call) {
        if (!repeats.has(at++) && stored.has(e.id)) inserted.push(e.id);
        else duplicates.push(e.id);
      }
      return { inserted, duplicates };
    });
  }
  // Group commit for event ingestion.
  const writeEvents = batched(insertTogether);

  // Browser history by account (history-index.ts) and decide's inputs of recently
  // decided accounts, in memory, following the tables. This server's writes go in
  // as they commit. Other servers' are read when a read finds the last look older
  // than `followMs`: each look reads, in one snapshot, every history event and
  // changed state row whose writing transaction is at or after the xmin of the
  // previous look's snapshot, so none is missed (one read twice is kept once).
  const followMs = Math.max(0, options.followMs ?? 100);
  const history = new HistoryIndex();
  const historyOf = (accountId: string, since: number) => history.get(accountId, since);
  let followedXmin: string | null = null;
  let lookedAt = Number.NEGATIVE_INFINITY;
  let looking: Promise<void> | null = null;
  type HistoryRow = [string, HistoryEntry['type'], string, string, string | null, number];
  const historyEntry = (r: HistoryRow): HistoryEntry => ({ id: r[0], type: r[1], accountId: r[2], offerId: r[3], userId: r[4], at: r[5] });

  async function look(since: number): Promise<void> {
    const startedAt = performance.now();
    followedXmin = await atSnapshot(async (client, xmin) => {
      if (followedXmin !== null) {
        const events = await client.query<HistoryRow>({
          name: 'tandem_follow_history',
          text: `SELECT id, type, account_id, offer_id, user_id, at FROM events
                 WHERE xid >= $1::xid8 AND type IN ('exposure', 'dismiss') AND offer_id IS NOT NULL`,
          values: [followedXmin],
          rowMode: 'array',
        });
        for (const r of events.rows) history.add(historyEntry(r));
        const changed = await changedSince(client, followedXmin);
        if (changed === null) decisions.clear();
        else for (const id of changed.accounts) forget(id);
      } else decisions.clear(); // nothing followed yet: what is held may predate this snapshot
      if (since < history.coveredSince) {
        const rows = await client.query<HistoryRow>({
          text: `SELECT id, type, account_id, offer_id, user_id, at FROM events
                 WHERE greatest(at, received_at) >= $1 AND at >= $1 AND type IN ('exposure', 'dismiss') AND offer_id IS NOT NULL`,
          values: [since],
          rowMode: 'array',
        });
        history.extend(since, rows.rows.map(historyEntry));
      }
      return xmin;
    });
    lookedAt = startedAt;
  }

  /**
   * Before a read: looks again unless a look started at most `followMs` before the
   * read was asked (with 0: after it) and the span asked is loaded.
   */
  async function follow(since: number): Promise<void> {
    const asked = performance.now();
    for (;;) {
      if (lookedAt >= asked - followMs && since >= history.coveredSince) return;
      if (!looking) {
        looking = look(since).finally(() => {
          looking = null;
        });
      }
      await looking; // it may have started too early for this read: check again
    }
  }

  // decide's other inputs of recently decided accounts (decision-cache.ts), dropped
  // when a write names the account (see `follow`).
  const decisions = new DecisionCache();
  /** Reads in flight, by account: a write that names the account meanwhile makes its answer stale. */
  interface Loading {
    stale: boolean;
    promise: Promise<DecisionEntry | null>;
  }
  const loading = new Map<string, Loading>();
  function forget(accountId: string): void {
    decisions.delete(accountId);
    const l = loading.get(accountId);
    if (l) l.stale = true;
  }

  // Calls arriving in the same event-loop turn share one statement (one round trip, one
  // plan): with a hundred requests in flight, per-statement overhead and pool waits,
  // not the rows, were the cost.
  type EntryRow = [number, string | null, AssignmentTuple[] | null, AttachTuple | null];
  const readEntries = batched(async (accountIds: readonly string[]) => {
    const result = await pool.query<EntryRow>({
      name: 'tandem_decision_entry',
      text: `SELECT k.i::int, a.data,
               (SELECT json_agg(json_build_array(o.offer_id, o.arm, o.variant, o.assigned_at) ORDER BY o.offer_id) FROM offer_state o
                 WHERE o.account_id = k.id AND o.arm IS NOT NULL),
               (SELECT json_build_array(s.trial_at, array_to_string(s.paid, ','), array_to_string(s.canceled, ',')) FROM account_state s
                 WHERE s.account_id = k.id)
             FROM unnest($1::text[]) WITH ORDINALITY AS u(id, i)
               CROSS JOIN LATERAL (SELECT u.id COLLATE "C" AS id, u.i) AS k
               LEFT JOIN accounts a ON a.id = k.id`,
      values: [accountIds],
      rowMode: 'array',
    });
    const out = new Array<DecisionEntry | null>(accountIds.length).fill(null);
    for (const [i, data, assignments, attach] of result.rows) out[i - 1] = decisionEntry(accountIds[i - 1]!, data, assignments, attach);
    return out;
  });

  function entryOf(accountId: string): Promise<DecisionEntry | null> {
    const held = decisions.get(accountId);
    if (held !== undefined) return Promise.resolve(held);
    // A read already on its way answers too, unless a write named the account since it began.
    const inFlight = loading.get(accountId);
    if (inFlight && !inFlight.stale) return inFlight.promise;
    const load: Loading = { stale: false, promise: Promise.resolve(null) };
    load.promise = readEntries(accountId)
      .then((entry) => {
        if (!load.stale) decisions.set(accountId, entry);
        return entry;
      })
      .finally(() => {
        if (loading.get(accountId) === load) loading.delete(accountId);
      });
    loading.set(accountId, load);
    return load.promise;
  }

  // Group commit: one statement (its own transaction, one durable commit) records
  // every assignment asked for in the same turn. The first arm stored for an
  // (account, offer) wins; each caller gets the stored row for each of its keys.
  const writeAssignments = batched(async (calls: readonly Assignment[][]) => {
    const unique = uniqueAssignments(calls.flat());
    const accountIds = unique.map((a) => a.accountId);
    const offerIds = unique.map((a) => a.offerId);
    const stored = new Map<string, Assignment>();
    const keep = (rows: readonly AssignmentRow[]) => {
      for (const r of rows) stored.set(`${r.account_id}\u0000${r.offer_id}`, assignmentFromRow(r));
    };
    await retrying(async () => {
      stored.clear();
      keep(
        (
          await pool.query<AssignmentRow>({
            name: 'tandem_record_assignments',
            text: `WITH k AS (
                 SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS k(account_id, offer_id, arm, variant, assigned_at)
               ), ins AS (
                 INSERT INTO offer_state AS s (account_id, offer_id, arm, variant, assigned_at) SELECT * FROM k
                 ON CONFLICT (account_id, offer_id) DO UPDATE SET arm = EXCLUDED.arm, variant = EXCLUDED.variant,
                   assigned_at = EXCLUDED.assigned_at WHERE s.arm IS NULL
                 RETURNING s.account_id, s.offer_id, s.arm, s.variant, s.assigned_at
               ), logged AS (
                 ${LOG_CHANGED('(SELECT account_id FROM ins)', '$6')}
               )
               SELECT * FROM ins
               UNION ALL
               SELECT s.account_id, s.offer_id, s.arm, s.variant, s.assigned_at
               FROM offer_state s JOIN k ON s.account_id = k.account_id COLLATE "C" AND s.offer_id = k.offer_id COLLATE "C"
               WHERE s.arm IS NOT NULL`,
            values: [accountIds, offerIds, unique.map((a) => a.arm), unique.map((a) => a.variant), unique.map((a) => a.assignedAt), Date.now()],
          })
        ).rows,
      );
    });
    // A row another transaction committed while this statement ran is outside its
    // snapshot: read those back with a fresh one.
    const missing = unique.filter((a) => !stored.has(`${a.accountId}\u0000${a.offerId}`));
    if (missing.length > 0) {
      keep(
        (
          await pool.query<AssignmentRow>(
            `SELECT s.account_id, s.offer_id, s.arm, s.variant, s.assigned_at
             FROM offer_state s JOIN unnest($1::text[], $2::text[]) AS k(account_id, offer_id)
               ON s.account_id = k.account_id COLLATE "C" AND s.offer_id = k.offer_id COLLATE "C"`,
            [missing.map((a) => a.accountId), missing.map((a) => a.offerId)],
          )
        ).rows,
      );
    }
    for (const a of unique) forget(a.accountId);
    return calls.map((assignments) =>
      uniqueAssignments(assignments).map((a) => {
        const row = stored.get(`${a.accountId}\u0000${a.offerId}`);
        if (!row) throw new Error(`assignment for account ${JSON.stringify(a.accountId)}, offer ${JSON.stringify(a.offerId)} was not stored`);
        return row;
      }),
    );
  });

  /** Serialises changes to one offer (including its creation) across servers. */
  const lockOffer = (client: pg.PoolClient, id: string) =>
    client.query(`SELECT pg_advisory_xact_lock(hashtext('tandem:offer:' || $1))`, [id]);

  return {
    kind: 'postgres',

    async migrate() {
      await tx(async (client) => {
        // Several servers may start at once: one migrates, the others wait and find nothing to do.
        await client.query(`SELECT pg_advisory_xact_lock(hashtext('tandem:migrate:' || $1))`, [schema ?? '']);
        if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        await client.query(
          'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)',
        );
        const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
        for (const m of readMigrations(MIGRATIONS)) {
          if (done.has(m.version)) continue;
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
        }
      });
    },

    async close() {
      await pool.end();
    },

    async upsertAccounts(accounts, now) {
      const dims = accountDims(accounts);
      if (dims.length === 0) return 0;
      await tx(async (client) => {
        await client.query(
          `INSERT INTO accounts (id, data, activated_at, updated_at)
           SELECT id, data, at, $4 FROM unnest($1::text[], $2::text[], $3::bigint[]) AS u(id, data, at)
           ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, activated_at = EXCLUDED.activated_at, updated_at = EXCLUDED.updated_at`,
          [dims.map((d) => d.id), dims.map((d) => d.data), dims.map((d) => d.activatedAt), now],
        );
        await client.query(
          `INSERT INTO account_state (account_id, activated_at, arr, plan, region, channel)
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::double precision[], $4::text[], $5::text[], $6::text[])
           ON CONFLICT (account_id) DO UPDATE SET activated_at = EXCLUDED.activated_at, arr = EXCLUDED.arr,
             plan = EXCLUDED.plan, region = EXCLUDED.region, channel = EXCLUDED.channel`,
          [
            dims.map((d) => d.id),
            dims.map((d) => d.activatedAt),
            dims.map((d) => d.arr),
            dims.map((d) => d.plan),
            dims.map((d) => d.region),
            dims.map((d) => d.channel),
          ],
        );
        await client.query('INSERT INTO state_log (at, accounts) VALUES ($1, $2)', [Date.now(), dims.map((d) => d.id)]);
      });
      for (const d of dims) forget(d.id);
      return dims.length;
    },

    async getAccount(id) {
      const rows = await query<{ data: string }>('SELECT data FROM accounts WHERE id = $1', [id]);
      return rows[0] ? (JSON.parse(rows[0].data) as Account) : null;
    },

    async listAccountIds({ limit, after }) {
      const rows = await query<{ id: string }>('SELECT id FROM accounts WHERE id > $1 ORDER BY id LIMIT $2', [after ?? '', limit]);
      return rows.map((r) => r.id);
    },

    async insertEvents(events) {
      if (events.length === 0) return { inserted: [], duplicates: [] };
      return writeEvents(events);
    },

    async countEvents() {
      const rows = await query<{ n: number }>('SELECT count(*) AS n FROM events');
      return rows[0]!.n;
    },

    async recentHistory(accountId, since): Promise<RecentHistory> {
      await follow(since);
      return history.get(accountId, since);
    },

    async isAttached(accountId, now) {
      const rows = await query<{ trial_at: number | null; paid: string | null; canceled: string | null }>(
        `SELECT trial_at, array_to_string(paid, ',') AS paid, array_to_string(canceled, ',') AS canceled
         FROM account_state WHERE account_id = $1`,
        [accountId],
      );
      const row = rows[0];
      if (!row) return false;
      return isAttachedAt({ trialAt: row.trial_at, paidAt: unpackNumbers(row.paid), canceledAt: unpackNumbers(row.canceled) }, now);
    },

    async getAssignments(accountId) {
      const rows = await query<AssignmentRow>(
        `SELECT account_id, offer_id, arm, variant, assigned_at FROM offer_state
         WHERE account_id = $1 AND arm IS NOT NULL ORDER BY offer_id`,
        [accountId],
      );
      return rows.map(assignmentFromRow);
    },

    decisionStateNow(accountId, since, now) {
      // Only when no look at other servers' writes is due and the account's inputs are held.
      if (!(lookedAt >= performance.now() - followMs) || since < history.coveredSince) return undefined;
      const entry = decisions.get(accountId);
      return entry === undefined ? undefined : decisionStateOf(entry, accountId, since, now, historyOf);
    },

    async decisionState(accountId, since, now): Promise<DecisionState> {
      await follow(since);
      return decisionStateOf(await entryOf(accountId), accountId, since, now, historyOf);
    },

    recordAssignments(assignments) {
      if (assignments.length === 0) return Promise.resolve([]);
      return writeAssignments(assignments);
    },

    async loadFacts({ activatedBefore }): Promise<AccountFacts[]> {
      // One refresh at a time: an older snapshot must never be applied over a newer one.
      const run = refreshing.then(refreshFacts);
      refreshing = run.catch(() => {});
      await run;
      return facts.select(activatedBefore);
    },

    async warmFacts() {
      // Rows arrive and are parsed a network chunk at a time, so the event loop stays free.
      const run = refreshing.then(refreshFacts);
      refreshing = run.catch(() => {});
      await run;
    },

    async listOffers() {
      const rows = await query<{ data: string }>('SELECT data FROM offers WHERE deleted_at IS NULL ORDER BY id');
      return rows.map((r) => JSON.parse(r.data) as OfferDefinition);
    },

    async getOffer(id) {
      const rows = await query<{ data: string }>('SELECT data FROM offers WHERE id = $1 AND deleted_at IS NULL', [id]);
      return rows[0] ? (JSON.parse(rows[0].data) as OfferDefinition) : null;
    },

    async saveOffer(offer, actor, action, now) {
      return tx(async (client) => {
        await lockOffer(client, offer.id);
        const prev = (
          await client.query<{ data: string; version: number; deleted_at: number | null }>(
            'SELECT data, version, deleted_at FROM offers WHERE id = $1',
            [offer.id],
          )
        ).rows[0];
        const stored = versionedOffer(offer, (prev?.version ?? 0) + 1, now);
        const after = JSON.stringify(stored);
        await client.query(
          `INSERT INTO offers (id, data, version, updated_at, deleted_at) VALUES ($1, $2, $3, $4, NULL)
           ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, version = EXCLUDED.version,
             updated_at = EXCLUDED.updated_at, deleted_at = NULL`,
          [offer.id, after, stored.version, now],
        );
        await writeAudit(client, offer.id, actor, now, action, prev && prev.deleted_at === null ? prev.data : null, after);
        return stored;
      });
    },

    async deleteOffer(id, actor, now) {
      return tx(async (client) => {
        await lockOffer(client, id);
        const prev = (await client.query<{ data: string }>('SELECT data FROM offers WHERE id = $1 AND deleted_at IS NULL', [id])).rows[0];
        if (!prev) return false;
        await client.query('UPDATE offers SET deleted_at = $2, updated_at = $2 WHERE id = $1', [id, now]);
        await writeAudit(client, id, actor, now, 'delete', prev.data, null);
        return true;
      });
    },

    async listAudit(offerId) {
      const rows = await query<AuditRow>(
        'SELECT id, offer_id, actor, at, action, before, after FROM offer_audit WHERE offer_id = $1 ORDER BY id',
        [offerId],
      );
      return rows.map(auditFromRow);
    },

    async getAudit(id) {
      const rows = await query<AuditRow>('SELECT id, offer_id, actor, at, action, before, after FROM offer_audit WHERE id = $1', [id]);
      return rows[0] ? auditFromRow(rows[0]) : null;
    },

    async claimStripeEvent(id, now) {
      const result = await pool.query('INSERT INTO stripe_events (id, claimed_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [id, now]);
      return result.rowCount === 1;
    },

    async createKey(record) {
      await pool.query(
        'INSERT INTO api_keys (id, kind, hash, prefix, created_at, revoked_at, label) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [record.id, record.kind, record.hash, record.prefix, record.createdAt, record.revokedAt, record.label],
      );
    },

    async listKeys() {
      const rows = await query<KeyRow>('SELECT id, kind, hash, prefix, created_at, revoked_at, label FROM api_keys ORDER BY created_at, id');
      return rows.map(keyFromRow);
    },

    async revokeKey(id, now) {
      // The first revocation instant is kept; revoking again still reports the key as revoked.
      const rows = await query<{ id: string }>(
        'UPDATE api_keys SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1 RETURNING id',
        [id, now],
      );
      return rows.length === 1;
    },
  };
}

/**
 * Runs the calls made in one event-loop turn together: `run` gets them all (at
 * most `limit` at a time) and answers each, in order. At most `inFlight` runs
 * are under way at once; calls arriving meanwhile wait and go in the next run,
 * so under load batches grow instead of statements multiplying. One call's
 * failing input must not fail the calls it shared a run with: a failed run is
 * retried call by call, and only the calls that fail alone are rejected.
 * @example const get = batched(async (ids: string[]) => ids.map(lookup)); await get('a');
 */
function batched<I, O>(run: (items: readonly I[]) => Promise<O[]>, { limit = 256, inFlight = 4 } = {}): (item: I) => Promise<O> {
  type Call = { item: I; resolve(value: O): void; reject(error: unknown): void };
  const queue: Call[] = [];
  let running = 0;
  let scheduled = false;
  const schedule = () => {
    if (scheduled || queue.length === 0 || running >= inFlight) return;
    scheduled = true;
    setImmediate(flush);
  };
  const settle = async (chunk: readonly Call[]): Promise<void> => {
    let out: O[];
    try {
      out = await run(chunk.map((c) => c.item));
    } catch (error) {
      if (chunk.length === 1) chunk[0]!.reject(error);
      else await Promise.all(chunk.map((c) => settle([c])));
      return;
    }
    for (const [i, c] of chunk.entries()) c.resolve(out[i]!);
  };
  const flush = () => {
    scheduled = false;
    while (queue.length > 0 && running < inFlight) {
      running++;
      void settle(queue.splice(0, limit)).finally(() => {
        running--;
        schedule();
      });
    }
  };
  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    });
}
