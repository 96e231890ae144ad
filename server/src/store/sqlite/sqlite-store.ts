/**
 * The embedded default store: one SQLite file (`<dataDir>/tandem.db`) through
 * better-sqlite3, in WAL mode with `synchronous=NORMAL` (a committed
 * transaction survives a process crash; only power loss may drop the last ones).
 * better-sqlite3 is synchronous, so every write transaction runs whole, in
 * one go, and concurrent calls in this process are serialised for free;
 * `BEGIN IMMEDIATE` plus `busy_timeout` serialise other processes (the CLI).
 *
 * In memory, kept in step with the tables: browser history by account for caps
 * and cooldowns (history-index.ts), decide's other inputs of recently decided
 * accounts, and the facts copy reports read (state.ts). This process's writes
 * go in as they commit; other processes' from the next event-loop turn, found
 * through SQLite's data_version, the events' seq and the state log.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Account, OfferDefinition } from '@tandem/core';
import Database from 'better-sqlite3';
import { type AssignmentTuple, type AttachTuple, DecisionCache, type DecisionEntry, decisionEntry, decisionStateOf } from '../decision-cache.ts';
import { isAttachedAt, unpackNumbers } from '../facts.ts';
import { readMigrations } from '../migrations.ts';
import { type Checkpointer, startCheckpointer } from './checkpointer.ts';
import { type HistoryEntry, HistoryIndex } from '../history-index.ts';
import { SqliteState, type StateWrite } from './state.ts';
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
import type { AccountFacts, ApiKeyRecord, Assignment, AuditEntry, DecisionState, InsertEventsResult, RecentHistory, Store, StoredEvent } from '../types.ts';

export interface SqliteStoreOptions {
  /** Folder holding `tandem.db`; created if missing. */
  dataDir: string;
  /** Rows read per step by `warmFacts` (default 2000: a few milliseconds each). */
  warmPageRows?: number;
  /** State log entries kept (default 10,000 write transactions); a process further behind reloads its facts copy whole. */
  stateLogKeep?: number;
}

const MIGRATIONS = new URL('./migrations/', import.meta.url);
const HISTORY_ROW = `SELECT seq, id, type, account_id, offer_id, user_id, at FROM events`;
type HistoryRow = [number, string, 'exposure' | 'dismiss', string, string, string | null, number];
const historyEntry = (r: HistoryRow): HistoryEntry => ({ id: r[1], type: r[2], accountId: r[3], offerId: r[4], userId: r[5], at: r[6] });
const isHistory = (e: StoredEvent): boolean => (e.type === 'exposure' || e.type === 'dismiss') && e.offerId !== null;

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
  // Keyed by the text itself, not a string built from it: the hot paths pass the same
  // constant each time, whose hash V8 keeps (a built key was hashed again on every call).
  const cache = { object: new Map<string, Database.Statement>(), pluck: new Map<string, Database.Statement>(), raw: new Map<string, Database.Statement>() };
  const prepare = (text: string, mode: 'object' | 'pluck' | 'raw'): Database.Statement => {
    let stmt = cache[mode].get(text);
    if (!stmt) {
      stmt = db.prepare(text);
      if (mode === 'pluck') stmt.pluck();
      else if (mode === 'raw') stmt.raw();
      cache[mode].set(text, stmt);
    }
    return stmt;
  };
  const sql = (text: string) => prepare(text, 'object');
  const pluck = (text: string) => prepare(text, 'pluck');
  const raw = (text: string) => prepare(text, 'raw');

  const state = new SqliteState(db, { sql, raw, pluck }, { warmPage: options.warmPageRows ?? 2000, logKeep: options.stateLogKeep ?? 10_000 });

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
    state.fold(fresh, written.state);
    return results;
  }

  /**
   * Records assignment sets (inside the group transaction): the first one
   * recorded for an (account, offer) wins; each set is answered with what is
   * recorded afterwards for its own offers.
   */
  function recordSets(sets: readonly (readonly Assignment[])[], written: Written): Assignment[][] {
    if (sets.length === 0) return [];
    state.assign(sets.flat(), written.state);
    const read = sql('SELECT account_id, offer_id, arm, variant, assigned_at FROM offer_state WHERE account_id = ? AND offer_id = ?');
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
    state.finish(written.state);
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

  /** What a write transaction changed, for the in-memory copies once it commits. */
  interface Written {
    /** The log position of the last event inserted (0: none). */
    seq: number;
    /** New exposures and dismissals, for the history index. */
    history: StoredEvent[];
    state: StateWrite;
  }
  const newWritten = (): Written => ({ seq: 0, history: [], state: state.newWrite() });

  /**
   * First step of every write transaction. Under the write lock nobody else can
   * commit: take in what others wrote so far, so the log position and the state
   * revision this transaction moves to cover everything before it.
   */
  function begin(written: Written): void {
    if (dataVersion() !== seenDataVersion) catchUp();
    state.begin(written.state);
  }

  function committed(written: Written): void {
    for (const id of written.state.changed) decisions.delete(id);
    if (written.seq > lastSeq) lastSeq = written.seq;
    for (const e of written.history)
      history.add({ id: e.id, type: e.type as HistoryEntry['type'], accountId: e.accountId, offerId: e.offerId!, userId: e.userId, at: e.at });
    state.committed(written.state);
  }

  /**
   * Takes in what other connections committed: events since `lastSeq` for the history
   * index, and the accounts their state log entries name, dropped from the decide
   * cache. Call inside a transaction.
   */
  function catchUp(): void {
    seenDataVersion = dataVersion();
    const named = state.changedSince(decisionsSeen);
    if (named === null) decisions.clear();
    else for (const id of named.accounts) decisions.delete(id);
    decisionsSeen = named?.rev ?? state.latest();
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

  // decide's other inputs of recently decided accounts (decision-cache.ts), dropped
  // whenever a write names the account: this process's at commit, other processes'
  // through the state log.
  const decisions = new DecisionCache();
  let decisionsSeen = 0;

  function entryOf(accountId: string): DecisionEntry | null {
    const held = decisions.get(accountId);
    if (held !== undefined) return held;
    const row = sql(
      `SELECT (SELECT data FROM accounts WHERE id = @id) AS account,
         (SELECT json_group_array(json_array(offer_id, arm, variant, assigned_at) ORDER BY offer_id) FROM offer_state
           WHERE account_id = @id AND arm IS NOT NULL) AS assignments,
         (SELECT json_array(trial_at, paid, canceled) FROM account_state WHERE account_id = @id) AS state`,
    ).get({ id: accountId }) as { account: string | null; assignments: string; state: string | null };
    const attach = row.state === null ? null : (JSON.parse(row.state) as AttachTuple);
    const entry = decisionEntry(accountId, row.account, JSON.parse(row.assignments) as AssignmentTuple[], attach);
    decisions.set(accountId, entry);
    return entry;
  }

  /** decide's reads, all answered here and now (better-sqlite3 is synchronous). */
  function decisionStateNow(accountId: string, since: number, now: number): DecisionState {
    // Others' writes first, so neither the cache nor the history answers from before them.
    noticeOthers();
    return decisionStateOf(entryOf(accountId), accountId, since, now, historyOf);
  }

  // Checking for other processes' writes is a statement of its own (a read lock on
  // the shared log index, a few µs): done once per event-loop turn, so every read
  // of a turn answers as of the turn's start, however many requests it serves.
  let othersChecked = false;
  const catchUpTx = db.transaction(catchUp);
  function noticeOthers(): void {
    if (othersChecked) return;
    othersChecked = true;
    setImmediate(() => {
      othersChecked = false;
    });
    if (dataVersion() !== seenDataVersion) catchUpTx();
  }

  function historyOf(accountId: string, since: number): RecentHistory {
    noticeOthers();
    if (since < history.coveredSince) syncHistoryTx(since);
    return history.get(accountId, since);
  }

  const upsertAccountsTx = db.transaction((accounts: readonly Account[], now: number, written: Written): number => {
    begin(written);
    const dims = accountDims(accounts);
    const account = sql(
      `INSERT INTO accounts (id, data, activated_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET data = excluded.data, activated_at = excluded.activated_at, updated_at = excluded.updated_at`,
    );
    for (const d of dims) account.run(d.id, d.data, d.activatedAt, now);
    state.upsertDims(dims, written.state);
    state.finish(written.state);
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
      for (const statements of Object.values(cache)) statements.clear();
      // The log so far is read on demand (syncHistoryTx); what comes after is taken in as it arrives.
      seenDataVersion = dataVersion();
      lastSeq = pluck('SELECT coalesce(max(seq), 0) FROM events').get() as number;
      decisionsSeen = state.latest();
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
      return decisionStateNow(accountId, since, now);
    },

    decisionStateNow,

    async recordAssignments(assignments) {
      if (assignments.length === 0) return [];
      return new Promise<Assignment[]>((resolve, reject) => {
        enqueue({ kind: 'assignments', assignments, resolve, reject });
      });
    },

    async loadFacts({ activatedBefore }): Promise<AccountFacts[]> {
      return state.load(activatedBefore);
    },

    async warmFacts() {
      await state.warm();
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
