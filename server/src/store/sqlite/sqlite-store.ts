/**
 * The embedded default store: one SQLite file (`<dataDir>/tandem.db`) through
 * better-sqlite3, in WAL mode with `synchronous=NORMAL` (a committed
 * transaction survives a process crash; only power loss may drop the last ones).
 * better-sqlite3 is synchronous, so every write transaction runs whole, in
 * one go, and concurrent calls in this process are serialised for free;
 * `BEGIN IMMEDIATE` plus `busy_timeout` serialise other processes (the CLI).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Account, OfferDefinition } from '@tandem/core';
import Database from 'better-sqlite3';
import { byNumber, byUsage, isAttachedAt, mergeSorted, packNumbers, summarizeEvents, unpackNumbers, unpackUsage } from '../facts.ts';
import { readMigrations } from '../migrations.ts';
import { type Checkpointer, startCheckpointer } from './checkpointer.ts';
import { type HistoryEntry, HistoryIndex } from './history-index.ts';
import { type AccountFactsRow, FactsCache, type OfferFactsRow } from '../facts-cache.ts';
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
import type { AccountFacts, ApiKeyRecord, Assignment, AuditEntry, InsertEventsResult, RecentHistory, Store, StoredEvent } from '../types.ts';

export interface SqliteStoreOptions {
  /** Folder holding `tandem.db`; created if missing. */
  dataDir: string;
  /** Rows read per step by `warmFacts` (default 2000: a few milliseconds each). */
  warmPageRows?: number;
}

const MIGRATIONS = new URL('./migrations/', import.meta.url);
/** How often the history index drops what no caller asked about in the last two such periods. */
const HISTORY_PRUNE_MS = 30 * 60_000;
const HISTORY_ROW = `SELECT seq, id, type, account_id, offer_id, user_id, at FROM events`;
type HistoryRow = [number, string, 'exposure' | 'dismiss', string, string, string | null, number];
const historyEntry = (r: HistoryRow): HistoryEntry => ({ id: r[1], type: r[2], accountId: r[3], offerId: r[4], userId: r[5], at: r[6] });
const isHistory = (e: StoredEvent): boolean => (e.type === 'exposure' || e.type === 'dismiss') && e.offerId !== null;

/** The columns of a state row as the facts copy reads them (facts-cache.ts row types). */
const OFFER_FACTS = 'account_id, offer_id, arm, coalesce(variant, event_variant), assigned_at, exposed_at, clicked_at, dismissed_at';
const ACCOUNT_FACTS = 'account_id, activated_at, arr, plan, region, channel, trial_at, paid, canceled, usage_at, usage_qty';

// Only a row that changes is written: in live traffic most browser events are
// not an offer's first, and untouched pages stay out of the WAL.
const earlier = (c: string) => `(excluded.${c} IS NOT NULL AND (offer_state.${c} IS NULL OR excluded.${c} < offer_state.${c}))`;
const betterVariant = `(${earlier('event_variant_at')} OR (excluded.event_variant_at = offer_state.event_variant_at AND excluded.event_variant < offer_state.event_variant))`;
const first = (c: string) => `${c} = CASE WHEN ${earlier(c)} THEN excluded.${c} ELSE offer_state.${c} END`;
const UPSERT_OFFER_STATE = `INSERT INTO offer_state (account_id, offer_id, exposed_at, clicked_at, dismissed_at, event_variant, event_variant_at, rev)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (account_id, offer_id) DO UPDATE SET rev = excluded.rev,
    ${first('exposed_at')}, ${first('clicked_at')}, ${first('dismissed_at')},
    event_variant = CASE WHEN ${betterVariant} THEN excluded.event_variant ELSE offer_state.event_variant END,
    event_variant_at = CASE WHEN ${betterVariant} THEN excluded.event_variant_at ELSE offer_state.event_variant_at END
  WHERE ${earlier('exposed_at')} OR ${earlier('clicked_at')} OR ${earlier('dismissed_at')} OR ${betterVariant}
  RETURNING ${OFFER_FACTS}`;

/**
 * Opens (and creates if needed) the SQLite store. Call `migrate()` before use.
 * @example const store = openSqliteStore({ dataDir: './.tandem' }); await store.migrate();
 */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  if (typeof options?.dataDir !== 'string' || options.dataDir === '') {
    throw new TypeError(`dataDir must be a non-empty path, got ${JSON.stringify(options?.dataDir)}`);
  }
  mkdirSync(options.dataDir, { recursive: true });
  const file = join(options.dataDir, 'tandem.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536');
  db.pragma('foreign_keys = OFF');
  db.pragma('temp_store = MEMORY');

  // Checkpoints move to a worker thread once this store has written enough to
  // care (tests and CLI commands never start one); the writer keeps a far
  // larger automatic checkpoint only as a fallback. See checkpointer.ts.
  let checkpointer: Checkpointer | null = null;
  let written = 0;
  const wrote = (rows: number) => {
    written += rows;
    if (checkpointer === null && written >= 2000 && db.open) {
      checkpointer = startCheckpointer({ file });
      db.pragma('wal_autocheckpoint = 20000');
      db.pragma('journal_size_limit = 67108864');
    }
  };

  // Statements are prepared on first use (tables exist only after migrate()),
  // one per text and row mode: pluck/raw are modes of a statement, never toggled on a shared one.
  const cache = new Map<string, Database.Statement>();
  const prepare = (text: string, mode: 'object' | 'pluck' | 'raw'): Database.Statement => {
    const key = `${mode}:${text}`;
    let stmt = cache.get(key);
    if (!stmt) {
      stmt = db.prepare(text);
      if (mode === 'pluck') stmt.pluck();
      else if (mode === 'raw') stmt.raw();
      cache.set(key, stmt);
    }
    return stmt;
  };
  const sql = (text: string) => prepare(text, 'object');
  const pluck = (text: string) => prepare(text, 'pluck');
  const raw = (text: string) => prepare(text, 'raw');

  /** The revision this write transaction stamps on the state rows it changes. */
  const nextRev = () => pluck("UPDATE meta SET value = value + 1 WHERE key = 'state_rev' RETURNING value").get() as number;

  /**
   * Stores event batches (inside the group transaction); each batch gets its own answer.
   * New history events go to `written`, for the history index once the transaction commits.
   */
  function insertBatches(batches: readonly (readonly StoredEvent[])[], written: Written): InsertEventsResult[] {
    if (batches.length === 0) return [];
    const insert = sql(
      `INSERT INTO events (id, type, account_id, user_id, offer_id, variant, decision_id, placement, at, received_at, source, product_id, arr, quantity)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    const fresh: StoredEvent[] = [];
    const results = batches.map((events) => {
      const { unique, repeats } = splitRepeats(events);
      const stored = new Set<string>();
      for (const e of unique) {
        const r = insert.run(
          e.id,
          e.type,
          e.accountId,
          e.userId,
          e.offerId,
          e.variant,
          e.decisionId,
          e.placement,
          e.at,
          e.receivedAt,
          e.source,
          e.productId,
          e.arr,
          e.quantity,
        );
        if (r.changes === 1) {
          stored.add(e.id);
          fresh.push(e);
          written.seq = Number(r.lastInsertRowid);
          if (isHistory(e)) written.history.push(e);
        }
      }
      const inserted: string[] = [];
      const duplicates: string[] = [];
      events.forEach((e, i) => {
        if (!repeats.has(i) && stored.has(e.id)) inserted.push(e.id);
        else duplicates.push(e.id);
      });
      return { inserted, duplicates };
    });
    applyFacts(fresh, written);
    return results;
  }

  /**
   * Records assignment sets (inside the group transaction): the first one
   * recorded for an (account, offer) wins; each set is answered with what is
   * recorded afterwards for its own offers.
   */
  function recordSets(sets: readonly (readonly Assignment[])[], written: Written): Assignment[][] {
    if (sets.length === 0) return [];
    const record = raw(
      `INSERT INTO offer_state (account_id, offer_id, arm, variant, assigned_at, rev) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, offer_id) DO UPDATE SET arm = excluded.arm, variant = excluded.variant,
         assigned_at = excluded.assigned_at, rev = excluded.rev WHERE offer_state.arm IS NULL
       RETURNING ${OFFER_FACTS}`,
    );
    const read = sql('SELECT account_id, offer_id, arm, variant, assigned_at FROM offer_state WHERE account_id = ? AND offer_id = ?');
    for (const a of uniqueAssignments(sets.flat())) {
      const row = record.get(a.accountId, a.offerId, a.arm, a.variant, a.assignedAt, stamp(written)) as OfferFactsRow | undefined;
      if (row) written.offers.push(row);
    }
    return sets.map((set) => uniqueAssignments(set).map((a) => assignmentFromRow(read.get(a.accountId, a.offerId) as AssignmentRow)));
  }

  // Group commit: event batches and decide's first-time assignments that arrive
  // while the event loop is busy (concurrent requests) share one transaction,
  // so one commit writes each dirty page once. Every caller is answered only
  // after that commit: what decide returned and what ingest acknowledged is on disk.
  type Job =
    | { kind: 'events'; events: readonly StoredEvent[]; resolve(r: InsertEventsResult): void; reject(e: unknown): void }
    | { kind: 'assignments'; assignments: readonly Assignment[]; resolve(r: Assignment[]): void; reject(e: unknown): void };
  const writeGroupTx = db.transaction((jobs: readonly Job[], written: Written): (InsertEventsResult | Assignment[])[] => {
    begin(written);
    const events = insertBatches(jobs.flatMap((j) => (j.kind === 'events' ? [j.events] : [])), written);
    const assignments = recordSets(jobs.flatMap((j) => (j.kind === 'assignments' ? [j.assignments] : [])), written);
    let e = 0;
    let a = 0;
    return jobs.map((j) => (j.kind === 'events' ? events[e++]! : assignments[a++]!));
  });
  const settle = (job: Job, result: InsertEventsResult | Assignment[]) => {
    if (job.kind === 'events') {
      wrote((result as InsertEventsResult).inserted.length);
      job.resolve(result as InsertEventsResult);
    } else {
      wrote((result as Assignment[]).length);
      job.resolve(result as Assignment[]);
    }
  };
  let queue: Job[] = [];
  const enqueue = (job: Job) => {
    if (queue.length === 0) setImmediate(flush);
    queue.push(job);
  };
  const flush = () => {
    // The checkpointer is about to rewind the log: let it finish first (a few ms at most).
    if (checkpointer?.holding()) {
      setTimeout(flush, 2);
      return;
    }
    const group = queue;
    queue = [];
    let results: (InsertEventsResult | Assignment[])[];
    const commit = (jobs: readonly Job[]) => {
      const written = newWritten();
      const out = writeGroupTx.immediate(jobs, written);
      committed(written);
      return out;
    };
    try {
      results = commit(group);
    } catch {
      // One bad job must not fail the others: retry each alone.
      for (const job of group) {
        try {
          settle(job, commit([job])[0]!);
        } catch (error) {
          job.reject(error);
        }
      }
      return;
    }
    group.forEach((job, i) => {
      settle(job, results[i]!);
    });
  };

  // The history index (history-index.ts) mirrors the log: this process's inserts
  // once committed, other processes' through `seq > lastSeq` whenever SQLite's
  // data_version says another connection committed, and older spans on demand.
  const history = new HistoryIndex();
  let lastSeq = 0;
  let seenDataVersion = -1;
  const dataVersion = () => pluck('PRAGMA data_version').get() as number;

  /**
   * What a write transaction changed, for the in-memory copies once it commits:
   * the log position and new history events, and the state rows as they now read.
   * When the facts copy was current as the transaction began (`base`), those rows
   * bring it to the transaction's revision without reading anything back.
   */
  interface Written {
    /** The log position of the last event inserted (0: none). */
    seq: number;
    history: StoredEvent[];
    /** The facts copy's revision when the transaction began (-1: not filled yet). */
    base: number;
    /** The revision stamped on the rows this transaction changed (null: none changed). */
    rev: number | null;
    accounts: AccountFactsRow[];
    offers: OfferFactsRow[];
  }
  const newWritten = (): Written => ({ seq: 0, history: [], base: -1, rev: null, accounts: [], offers: [] });
  const stamp = (written: Written): number => (written.rev ??= nextRev());

  /**
   * First step of every write transaction. Under the write lock nobody else can
   * commit: take in what others wrote so far, so the log position and revision this
   * transaction moves to cover everything before it.
   */
  function begin(written: Written): void {
    if (dataVersion() !== seenDataVersion) catchUp();
    if (seenRev === -1) return;
    refreshFacts();
    written.base = seenRev;
  }

  function committed(written: Written): void {
    if (written.seq > lastSeq) lastSeq = written.seq;
    for (const e of written.history)
      history.add({ id: e.id, type: e.type as HistoryEntry['type'], accountId: e.accountId, offerId: e.offerId!, userId: e.userId, at: e.at });
    if (written.rev !== null && written.base !== -1 && written.base === seenRev) {
      for (const r of written.accounts) facts.applyAccount(r);
      for (const r of written.offers) facts.applyOffer(r);
      seenRev = written.rev;
    }
  }

  /** Takes in events other connections committed since `lastSeq`; call inside a transaction. */
  function catchUp(): void {
    seenDataVersion = dataVersion();
    const rows = raw(`${HISTORY_ROW} WHERE seq > ? AND type IN ('exposure', 'dismiss') AND offer_id IS NOT NULL ORDER BY seq`).all(
      lastSeq,
    ) as HistoryRow[];
    for (const r of rows) history.add(historyEntry(r));
    lastSeq = Math.max(lastSeq, pluck('SELECT coalesce(max(seq), 0) FROM events').get() as number);
  }

  // One snapshot for both steps, so no event is taken in twice.
  const syncHistoryTx = db.transaction((since: number) => {
    catchUp();
    if (since >= history.coveredSince) return;
    const rows = raw(
      `${HISTORY_ROW} WHERE max(at, received_at) >= ? AND at >= ? AND type IN ('exposure', 'dismiss') AND offer_id IS NOT NULL`,
    ).iterate(since, since) as IterableIterator<HistoryRow>;
    history.extend(since, (function* () {
      for (const r of rows) yield historyEntry(r);
    })());
  });

  // Retention: what callers asked about in the last two periods stays loaded.
  let askedNow = Number.POSITIVE_INFINITY;
  let askedBefore = Number.POSITIVE_INFINITY;
  let prunedAt = Date.now();

  function historyOf(accountId: string, since: number): RecentHistory {
    if (since < history.coveredSince || dataVersion() !== seenDataVersion) syncHistoryTx(since);
    if (since < askedNow) askedNow = since;
    const t = Date.now();
    if (t - prunedAt >= HISTORY_PRUNE_MS) {
      prunedAt = t;
      const floor = Math.min(askedNow, askedBefore);
      askedBefore = askedNow;
      askedNow = Number.POSITIVE_INFINITY;
      if (Number.isFinite(floor)) history.prune(floor);
    }
    return history.get(accountId, since);
  }

  /**
   * Folds newly stored events into account_state / offer_state (inside the insert
   * transaction), writing only rows that change. Once the facts copy is filled it is
   * brought up to date first and then tells, without a read, which rows change and
   * what an account's lists become; rows it does not hold are read.
   */
  function applyFacts(fresh: readonly StoredEvent[], written: Written): void {
    if (fresh.length === 0) return;
    const { accounts, offers } = summarizeEvents(fresh);
    const known = written.base !== -1;
    const read = raw('SELECT trial_at, paid, canceled, usage_at, usage_qty FROM account_state WHERE account_id = ?');
    const write = raw(
      `INSERT INTO account_state (account_id, trial_at, paid, canceled, usage_at, usage_qty, rev) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET trial_at = excluded.trial_at, paid = excluded.paid,
         canceled = excluded.canceled, usage_at = excluded.usage_at, usage_qty = excluded.usage_qty, rev = excluded.rev
       RETURNING ${ACCOUNT_FACTS}`,
    );
    for (const a of accounts) {
      const held = known ? facts.account(a.accountId) : undefined;
      let current: { trialAt: number | null; paid: readonly number[]; canceled: readonly number[]; usage: readonly { at: number; quantity: number }[] } | null;
      if (held) current = { trialAt: held.trialAt, paid: held.paidAt, canceled: held.canceledAt, usage: held.usage };
      else {
        const row = read.get(a.accountId) as [number | null, string | null, string | null, string | null, string | null] | undefined;
        current = row
          ? { trialAt: row[0], paid: unpackNumbers(row[1]), canceled: unpackNumbers(row[2]), usage: unpackUsage(row[3], row[4]) }
          : null;
      }
      const trialAt = current?.trialAt ?? null;
      const trialUnchanged = a.trialAt === null || (trialAt !== null && trialAt <= a.trialAt);
      if (current && trialUnchanged && a.paid.length === 0 && a.canceled.length === 0 && a.usage.length === 0) continue;
      const usage = mergeSorted(current?.usage ?? [], a.usage, byUsage);
      const row = write.get(
        a.accountId,
        trialAt === null ? a.trialAt : a.trialAt === null ? trialAt : Math.min(trialAt, a.trialAt),
        packNumbers(mergeSorted(current?.paid ?? [], a.paid, byNumber)),
        packNumbers(mergeSorted(current?.canceled ?? [], a.canceled, byNumber)),
        packNumbers(usage.map((u) => u.at)),
        packNumbers(usage.map((u) => u.quantity)),
        stamp(written),
      ) as AccountFactsRow;
      written.accounts.push(row);
    }
    const upsertOffer = raw(UPSERT_OFFER_STATE);
    const earlier = (next: number | null, held: number | null) => next !== null && (held === null || next < held);
    for (const o of offers) {
      // An event's variant needs the row's own bookkeeping (event_variant_at): the statement decides.
      const held = known && o.variant === null ? facts.offer(o.accountId, o.offerId) : undefined;
      if (held && !earlier(o.exposedAt, held.exposedAt) && !earlier(o.clickedAt, held.clickedAt) && !earlier(o.dismissedAt, held.dismissedAt))
        continue;
      const row = upsertOffer.get(o.accountId, o.offerId, o.exposedAt, o.clickedAt, o.dismissedAt, o.variant, o.variantAt, stamp(written));
      if (row) written.offers.push(row as OfferFactsRow);
    }
  }

  const upsertAccountsTx = db.transaction((accounts: readonly Account[], now: number, written: Written): number => {
    begin(written);
    const dims = accountDims(accounts);
    const account = sql(
      `INSERT INTO accounts (id, data, activated_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET data = excluded.data, activated_at = excluded.activated_at, updated_at = excluded.updated_at`,
    );
    const state = raw(
      `INSERT INTO account_state (account_id, activated_at, arr, plan, region, channel, rev) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET activated_at = excluded.activated_at, arr = excluded.arr,
         plan = excluded.plan, region = excluded.region, channel = excluded.channel, rev = excluded.rev
       RETURNING ${ACCOUNT_FACTS}`,
    );
    for (const d of dims) {
      account.run(d.id, d.data, d.activatedAt, now);
      written.accounts.push(state.get(d.id, d.activatedAt, d.arr, d.plan, d.region, d.channel, stamp(written)) as AccountFactsRow);
    }
    return dims.length;
  });

  const saveOfferTx = db.transaction(
    (offer: OfferDefinition, actor: string, action: AuditEntry['action'], now: number): OfferDefinition => {
      const prev = sql('SELECT data, version, deleted_at FROM offers WHERE id = ?').get(offer.id) as
        | { data: string; version: number; deleted_at: number | null }
        | undefined;
      const stored = versionedOffer(offer, (prev?.version ?? 0) + 1, now);
      const after = JSON.stringify(stored);
      sql(
        `INSERT INTO offers (id, data, version, updated_at, deleted_at) VALUES (?, ?, ?, ?, NULL)
         ON CONFLICT (id) DO UPDATE SET data = excluded.data, version = excluded.version,
           updated_at = excluded.updated_at, deleted_at = NULL`,
      ).run(offer.id, after, stored.version, now);
      const before = prev && prev.deleted_at === null ? prev.data : null;
      writeAudit(offer.id, actor, now, action, before, after);
      return stored;
    },
  );

  const deleteOfferTx = db.transaction((id: string, actor: string, now: number): boolean => {
    const prev = sql('SELECT data FROM offers WHERE id = ? AND deleted_at IS NULL').get(id) as { data: string } | undefined;
    if (!prev) return false;
    sql('UPDATE offers SET deleted_at = ?, updated_at = ? WHERE id = ?').run(now, now, id);
    writeAudit(id, actor, now, 'delete', prev.data, null);
    return true;
  });

  function writeAudit(
    offerId: string,
    actor: string,
    at: number,
    action: AuditEntry['action'],
    before: string | null,
    after: string | null,
  ): void {
    sql('INSERT INTO offer_audit (offer_id, actor, at, action, before, after) VALUES (?, ?, ?, ?, ?, ?)').run(
      offerId,
      actor,
      at,
      action,
      before,
      after,
    );
  }

  // loadFacts answers from memory, reading back only state rows changed since
  // the revision it last saw (by this process or any other), in one snapshot.
  let facts = new FactsCache();
  let seenRev = -1;
  const stateRev = () => pluck("SELECT value FROM meta WHERE key = 'state_rev'").get() as number;
  /** Brings the copy up to the current revision; call inside a transaction (one snapshot). */
  function refreshFacts(): void {
    const rev = stateRev();
    if (rev === seenRev) return;
    const offers = raw(
      `SELECT account_id, offer_id, arm, coalesce(variant, event_variant), assigned_at, exposed_at, clicked_at, dismissed_at
       FROM offer_state WHERE rev > ?`,
    );
    const accounts = raw(
      `SELECT account_id, activated_at, arr, plan, region, channel, trial_at, paid, canceled, usage_at, usage_qty
       FROM account_state WHERE rev > ?`,
    );
    if (seenRev === -1) {
      // Statements run one after the other: better-sqlite3 allows one open iterator per connection.
      const offerRows = offers.all(seenRev) as OfferFactsRow[];
      facts.fill(offerRows, accounts.iterate(seenRev) as IterableIterator<AccountFactsRow>);
    } else {
      for (const r of accounts.iterate(seenRev) as IterableIterator<AccountFactsRow>) facts.applyAccount(r);
      for (const r of offers.iterate(seenRev) as IterableIterator<OfferFactsRow>) facts.applyOffer(r);
    }
    seenRev = rev;
  }
  const refreshFactsTx = db.transaction(refreshFacts);

  // The first fill, in keyset pages between which the event loop runs: rows
  // are read back at most `WARM_PAGE` at a time (a few ms each). Pages are
  // separate snapshots, so the fill then counts as of the revision read
  // before the first page: every row written meanwhile carries a later one
  // and is read again, whole, by the next refresh.
  const WARM_PAGE = Math.max(1, Math.floor(options.warmPageRows ?? 2000));
  let warming: Promise<void> | null = null;
  async function warmInPages(): Promise<void> {
    const rev = pluck("SELECT value FROM meta WHERE key = 'state_rev'").get() as number;
    const offers = raw(
      `SELECT account_id, offer_id, arm, coalesce(variant, event_variant), assigned_at, exposed_at, clicked_at, dismissed_at
       FROM offer_state WHERE (account_id, offer_id) > (?, ?) ORDER BY account_id, offer_id LIMIT ${WARM_PAGE}`,
    );
    const accounts = raw(
      `SELECT account_id, activated_at, arr, plan, region, channel, trial_at, paid, canceled, usage_at, usage_qty
       FROM account_state WHERE account_id > ? ORDER BY account_id LIMIT ${WARM_PAGE}`,
    );
    const pause = () => new Promise<void>((resolve) => setImmediate(resolve));
    // Offers first: an account picks up its offer list when it is filled.
    for (let key = ['', '']; ; await pause()) {
      const rows = offers.all(key[0], key[1]) as OfferFactsRow[];
      facts.fill(rows, []);
      if (rows.length < WARM_PAGE || !db.open) break;
      const last = rows[rows.length - 1]!;
      key = [last[0], last[1]];
    }
    for (let key = ''; ; await pause()) {
      const rows = accounts.all(key) as AccountFactsRow[];
      facts.fill([], rows);
      if (rows.length < WARM_PAGE || !db.open) break;
      key = rows[rows.length - 1]![0];
    }
    seenRev = rev;
  }

  const migrateTx = db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    const done = new Set(
      (db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]).map(Number),
    );
    for (const m of readMigrations(MIGRATIONS)) {
      if (done.has(m.version)) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
    }
  });

  return {
    kind: 'sqlite',

    async migrate() {
      migrateTx.immediate();
      cache.clear();
      // The log so far is read on demand (syncHistoryTx); what comes after is taken in as it arrives.
      seenDataVersion = dataVersion();
      lastSeq = pluck('SELECT coalesce(max(seq), 0) FROM events').get() as number;
    },

    async close() {
      const running = checkpointer;
      checkpointer = null;
      written = Number.NEGATIVE_INFINITY; // never start another one
      await running?.stop();
      if (db.open) db.close();
    },

    async upsertAccounts(accounts, now) {
      const written = newWritten();
      const n = upsertAccountsTx.immediate(accounts, now, written);
      committed(written);
      wrote(n);
      return n;
    },

    async getAccount(id) {
      const row = sql('SELECT data FROM accounts WHERE id = ?').get(id) as { data: string } | undefined;
      return row ? (JSON.parse(row.data) as Account) : null;
    },

    async listAccountIds({ limit, after }) {
      return pluck('SELECT id FROM accounts WHERE id > ? ORDER BY id LIMIT ?')
        .all(after ?? '', limit) as string[];
    },

    async insertEvents(events) {
      if (events.length === 0) return { inserted: [], duplicates: [] };
      return new Promise<InsertEventsResult>((resolve, reject) => {
        enqueue({ kind: 'events', events, resolve, reject });
      });
    },

    async countEvents() {
      return pluck('SELECT count(*) FROM events').get() as number;
    },

    async recentHistory(accountId, since): Promise<RecentHistory> {
      return historyOf(accountId, since);
    },

    async isAttached(accountId, now) {
      const row = sql('SELECT trial_at, paid, canceled FROM account_state WHERE account_id = ?').get(accountId) as
        | { trial_at: number | null; paid: string | null; canceled: string | null }
        | undefined;
      if (!row) return false;
      return isAttachedAt({ trialAt: row.trial_at, paidAt: unpackNumbers(row.paid), canceledAt: unpackNumbers(row.canceled) }, now);
    },

    async getAssignments(accountId) {
      const rows = sql(
        `SELECT account_id, offer_id, arm, variant, assigned_at FROM offer_state
         WHERE account_id = ? AND arm IS NOT NULL ORDER BY offer_id`,
      ).all(accountId) as AssignmentRow[];
      return rows.map(assignmentFromRow);
    },

    async decisionState(accountId, since, now) {
      // The account, its assignments and its state in one statement (each part as JSON, in
      // the order the single getters use); the history from memory.
      const row = sql(
        `SELECT (SELECT data FROM accounts WHERE id = @id) AS account,
           (SELECT json_group_array(json_array(offer_id, arm, variant, assigned_at) ORDER BY offer_id) FROM offer_state
             WHERE account_id = @id AND arm IS NOT NULL) AS assignments,
           (SELECT json_array(trial_at, paid, canceled) FROM account_state WHERE account_id = @id) AS state`,
      ).get({ id: accountId }) as { account: string | null; assignments: string; state: string | null };
      if (row.account === null) return { account: null, history: { exposures: [], dismissals: [] }, assignments: [], attached: false };
      const history = historyOf(accountId, since);
      const assignments = (JSON.parse(row.assignments) as [string, Assignment['arm'], string | null, number][]).map(
        ([offerId, arm, variant, assignedAt]): Assignment => ({ accountId, offerId, arm, variant, assignedAt }),
      );
      const st = row.state === null ? null : (JSON.parse(row.state) as [number | null, string | null, string | null]);
      const attached = st !== null && isAttachedAt({ trialAt: st[0], paidAt: unpackNumbers(st[1]), canceledAt: unpackNumbers(st[2]) }, now);
      return { account: JSON.parse(row.account) as Account, history, assignments, attached };
    },

    async recordAssignments(assignments) {
      if (assignments.length === 0) return [];
      return new Promise<Assignment[]>((resolve, reject) => {
        enqueue({ kind: 'assignments', assignments, resolve, reject });
      });
    },

    async loadFacts({ activatedBefore }): Promise<AccountFacts[]> {
      if (warming) await warming.catch(() => {});
      refreshFactsTx();
      return facts.select(activatedBefore);
    },

    async warmFacts() {
      if (seenRev !== -1) return;
      warming ??= warmInPages()
        .catch((error: unknown) => {
          // Half a fill is no fill: the next loadFacts starts from scratch.
          facts = new FactsCache();
          throw error;
        })
        .finally(() => {
          warming = null;
        });
      await warming;
    },

    async listOffers() {
      const rows = pluck('SELECT data FROM offers WHERE deleted_at IS NULL ORDER BY id').all() as string[];
      return rows.map((d) => JSON.parse(d) as OfferDefinition);
    },

    async getOffer(id) {
      const data = pluck('SELECT data FROM offers WHERE id = ? AND deleted_at IS NULL').get(id) as string | undefined;
      return data === undefined ? null : (JSON.parse(data) as OfferDefinition);
    },

    async saveOffer(offer, actor, action, now) {
      return saveOfferTx.immediate(offer, actor, action, now);
    },

    async deleteOffer(id, actor, now) {
      return deleteOfferTx.immediate(id, actor, now);
    },

    async listAudit(offerId) {
      const rows = sql('SELECT id, offer_id, actor, at, action, before, after FROM offer_audit WHERE offer_id = ? ORDER BY id').all(
        offerId,
      ) as AuditRow[];
      return rows.map(auditFromRow);
    },

    async getAudit(id) {
      const row = sql('SELECT id, offer_id, actor, at, action, before, after FROM offer_audit WHERE id = ?').get(id) as
        | AuditRow
        | undefined;
      return row ? auditFromRow(row) : null;
    },

    async claimStripeEvent(id, now) {
      return sql('INSERT INTO stripe_events (id, claimed_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING').run(id, now).changes === 1;
    },

    async createKey(record: ApiKeyRecord) {
      sql(
        'INSERT INTO api_keys (id, kind, hash, prefix, created_at, revoked_at, label) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(record.id, record.kind, record.hash, record.prefix, record.createdAt, record.revokedAt, record.label);
    },

    async listKeys() {
      const rows = sql('SELECT id, kind, hash, prefix, created_at, revoked_at, label FROM api_keys ORDER BY created_at, id').all() as KeyRow[];
      return rows.map(keyFromRow);
    },

    async revokeKey(id, now) {
      // The first revocation instant is kept; revoking again still reports the key as revoked.
      sql('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id);
      return sql('SELECT 1 FROM api_keys WHERE id = ?').get(id) !== undefined;
    },
  };
}
