/**
 * The SQLite store's per-account state: the account_state and offer_state
 * rows that ingest, assignments and account upserts keep up to date, and the
 * in-memory copy of them (FactsCache) that reports read.
 *
 * Every write transaction calls `begin` first, then the writes, then `finish`,
 * and `committed` once it has committed. Under the write lock nobody else can
 * commit, so `begin` brings the copy to the database's current revision; the
 * event fold then asks the copy, without a read, which rows change and what an
 * account's lists become, and writes only those. The rows written go into the
 * copy after the commit, so it never needs to read back this process's writes;
 * other processes' writes are found through the state log (migration 003).
 */
import type Database from 'better-sqlite3';
import type { Assignment, AccountFacts, StoredEvent } from '../types.ts';
import { byNumber, byUsage, mergeSorted, packNumbers, summarizeEvents, unpackNumbers, unpackUsage } from '../facts.ts';
import { type AccountFactsRow, FactsCache, type OfferFactsRow } from '../facts-cache.ts';
import { type AccountDims, uniqueAssignments } from '../rows.ts';

/** Prepared statements by text (the store's cache), in the three row modes. */
export interface Statements {
  sql(text: string): Database.Statement;
  raw(text: string): Database.Statement;
  pluck(text: string): Database.Statement;
}

/** What one write transaction changed in the state tables. */
export interface StateWrite {
  /** The copy's revision when the transaction began (-1: the copy is not filled). */
  base: number;
  /** The state log entry this transaction appended (null: nothing changed). */
  rev: number | null;
  changed: Set<string>;
  accounts: AccountFactsRow[];
  offers: OfferFactsRow[];
}

/** The columns of a state row in the order the copy reads them (facts-cache.ts row types). */
const OFFER_FACTS = 'account_id, offer_id, arm, coalesce(variant, event_variant), assigned_at, exposed_at, clicked_at, dismissed_at';
const ACCOUNT_FACTS = 'account_id, activated_at, arr, plan, region, channel, trial_at, paid, canceled, usage_at, usage_qty';

// The statement decides when the copy cannot (a row it does not hold, or an event
// carrying a variant, whose bookkeeping it does not keep). Only a row that changes is written.
const earlier = (c: string) => `(excluded.${c} IS NOT NULL AND (offer_state.${c} IS NULL OR excluded.${c} < offer_state.${c}))`;
const betterVariant = `(${earlier('event_variant_at')} OR (excluded.event_variant_at = offer_state.event_variant_at AND excluded.event_variant < offer_state.event_variant))`;
const first = (c: string) => `${c} = CASE WHEN ${earlier(c)} THEN excluded.${c} ELSE offer_state.${c} END`;
const UPSERT_OFFER = `INSERT INTO offer_state (account_id, offer_id, exposed_at, clicked_at, dismissed_at, event_variant, event_variant_at)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (account_id, offer_id) DO UPDATE SET
    ${first('exposed_at')}, ${first('clicked_at')}, ${first('dismissed_at')},
    event_variant = CASE WHEN ${betterVariant} THEN excluded.event_variant ELSE offer_state.event_variant END,
    event_variant_at = CASE WHEN ${betterVariant} THEN excluded.event_variant_at ELSE offer_state.event_variant_at END
  WHERE ${earlier('exposed_at')} OR ${earlier('clicked_at')} OR ${earlier('dismissed_at')} OR ${betterVariant}
  RETURNING ${OFFER_FACTS}`;

const UPDATE_ACCOUNT_LISTS = 'UPDATE account_state SET trial_at = ?, paid = ?, canceled = ?, usage_at = ?, usage_qty = ? WHERE account_id = ?';
const UPSERT_ACCOUNT_LISTS = `INSERT INTO account_state (account_id, trial_at, paid, canceled, usage_at, usage_qty) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (account_id) DO UPDATE SET trial_at = excluded.trial_at, paid = excluded.paid,
    canceled = excluded.canceled, usage_at = excluded.usage_at, usage_qty = excluded.usage_qty
  RETURNING ${ACCOUNT_FACTS}`;
const UPDATE_OFFER_FIRSTS = 'UPDATE offer_state SET exposed_at = ?, clicked_at = ?, dismissed_at = ? WHERE account_id = ? AND offer_id = ?';
const RECORD_ASSIGNMENT = `INSERT INTO offer_state (account_id, offer_id, arm, variant, assigned_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (account_id, offer_id) DO UPDATE SET arm = excluded.arm, variant = excluded.variant,
    assigned_at = excluded.assigned_at WHERE offer_state.arm IS NULL
  RETURNING ${OFFER_FACTS}`;
const UPSERT_DIMS = `INSERT INTO account_state (account_id, activated_at, arr, plan, region, channel) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (account_id) DO UPDATE SET activated_at = excluded.activated_at, arr = excluded.arr,
    plan = excluded.plan, region = excluded.region, channel = excluded.channel
  RETURNING ${ACCOUNT_FACTS}`;
const ACCOUNT_FACTS_OF = `SELECT ${ACCOUNT_FACTS} FROM account_state WHERE account_id = ?`;
const OFFER_FACTS_OF = `SELECT ${OFFER_FACTS} FROM offer_state WHERE account_id = ?`;

const minOf = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b));
const isEarlier = (next: number | null, held: number | null): boolean => next !== null && (held === null || next < held);

interface AccountLists {
  trialAt: number | null;
  paid: readonly number[];
  canceled: readonly number[];
  usage: readonly { at: number; quantity: number }[];
}

export class SqliteState {
  private facts = new FactsCache();
  /** The state log revision the copy holds (-1: not filled). */
  private seen = -1;
  private warming: Promise<void> | null = null;

  private readonly pruneEvery: number;

  constructor(
    private readonly db: Database.Database,
    private readonly q: Statements,
    private readonly options: {
      /** Rows read per step by `warm`. */
      warmPage: number;
      /** State log entries kept; a reader further behind reloads everything. */
      logKeep: number;
    },
  ) {
    this.pruneEvery = Math.max(1, Math.floor(options.logKeep / 10));
  }

  newWrite(): StateWrite {
    return { base: -1, rev: null, changed: new Set(), accounts: [], offers: [] };
  }

  /** First step of a write transaction: the copy brought to the current revision, when it is filled. */
  begin(w: StateWrite): void {
    if (this.seen === -1) return;
    this.refresh();
    w.base = this.seen;
  }

  /** Folds newly stored events (duplicates removed) into the state rows. */
  fold(fresh: readonly StoredEvent[], w: StateWrite): void {
    if (fresh.length === 0) return;
    const { accounts, offers } = summarizeEvents(fresh);
    const known = w.base !== -1;
    for (const a of accounts) {
      const held = known ? this.facts.account(a.accountId) : undefined;
      const current = held ? { trialAt: held.trialAt, paid: held.paidAt, canceled: held.canceledAt, usage: held.usage } : this.readLists(a.accountId);
      const trialAt = current?.trialAt ?? null;
      const trialUnchanged = a.trialAt === null || (trialAt !== null && trialAt <= a.trialAt);
      if (current && trialUnchanged && a.paid.length === 0 && a.canceled.length === 0 && a.usage.length === 0) continue;
      const usage = mergeSorted(current?.usage ?? [], a.usage, byUsage);
      const values = [
        minOf(trialAt, a.trialAt),
        packNumbers(mergeSorted(current?.paid ?? [], a.paid, byNumber)),
        packNumbers(mergeSorted(current?.canceled ?? [], a.canceled, byNumber)),
        packNumbers(usage.map((u) => u.at)),
        packNumbers(usage.map((u) => u.quantity)),
      ] as const;
      if (held) {
        this.q.sql(UPDATE_ACCOUNT_LISTS).run(...values, a.accountId);
        w.accounts.push([a.accountId, held.activatedAt, held.arr, held.plan, held.region, held.channel, ...values]);
      } else {
        const row = this.q.raw(UPSERT_ACCOUNT_LISTS).get(a.accountId, ...values) as AccountFactsRow;
        w.accounts.push(row);
      }
      w.changed.add(a.accountId);
    }
    for (const o of offers) {
      const held = known && o.variant === null ? this.facts.offer(o.accountId, o.offerId) : undefined;
      if (held) {
        if (!isEarlier(o.exposedAt, held.exposedAt) && !isEarlier(o.clickedAt, held.clickedAt) && !isEarlier(o.dismissedAt, held.dismissedAt))
          continue;
        const firsts = [minOf(held.exposedAt, o.exposedAt), minOf(held.clickedAt, o.clickedAt), minOf(held.dismissedAt, o.dismissedAt)] as const;
        this.q.sql(UPDATE_OFFER_FIRSTS).run(...firsts, o.accountId, o.offerId);
        w.offers.push([o.accountId, o.offerId, held.arm, held.variant, held.assignedAt, ...firsts]);
      } else {
        const row = this.q
          .raw(UPSERT_OFFER)
          .get(o.accountId, o.offerId, o.exposedAt, o.clickedAt, o.dismissedAt, o.variant, o.variantAt) as OfferFactsRow | undefined;
        if (!row) continue;
        w.offers.push(row);
      }
      w.changed.add(o.accountId);
    }
  }

  /** Records assignments not recorded yet (the first one for an (account, offer) wins). */
  assign(assignments: readonly Assignment[], w: StateWrite): void {
    const record = this.q.raw(RECORD_ASSIGNMENT);
    for (const a of uniqueAssignments(assignments)) {
      const row = record.get(a.accountId, a.offerId, a.arm, a.variant, a.assignedAt) as OfferFactsRow | undefined;
      if (!row) continue;
      w.offers.push(row);
      w.changed.add(a.accountId);
    }
  }

  /** Sets the accounts' own columns (activation, ARR, dimensions). */
  upsertDims(dims: readonly AccountDims[], w: StateWrite): void {
    const state = this.q.raw(UPSERT_DIMS);
    for (const d of dims) {
      w.accounts.push(state.get(d.id, d.activatedAt, d.arr, d.plan, d.region, d.channel) as AccountFactsRow);
      w.changed.add(d.id);
    }
  }

  /** Last step of a write transaction: one log entry naming the accounts changed. */
  finish(w: StateWrite): void {
    if (w.changed.size === 0) return;
    const rev = this.q.pluck('INSERT INTO state_log (accounts) VALUES (?) RETURNING rev').get(JSON.stringify([...w.changed])) as number;
    w.rev = rev;
    const keep = this.options.logKeep;
    if (rev % this.pruneEvery === 0 && rev > keep) {
      this.q.sql('DELETE FROM state_log WHERE rev <= ?').run(rev - keep);
      this.q.sql("UPDATE meta SET value = ? WHERE key = 'state_log_pruned'").run(rev - keep);
    }
  }

  /** After the commit: the rows written go into the copy, when it held the revision they follow. */
  committed(w: StateWrite): void {
    if (w.rev === null || w.base === -1 || w.base !== this.seen) return;
    for (const r of w.accounts) this.facts.applyAccount(r);
    for (const r of w.offers) this.facts.applyOffer(r);
    this.seen = w.rev;
  }

  /** Facts of every account activated at or before the instant, current as of now. */
  async load(activatedBefore: number): Promise<AccountFacts[]> {
    if (this.warming) await this.warming.catch(() => {});
    this.db.transaction(() => this.refresh())();
    return this.facts.select(activatedBefore);
  }

  /**
   * Fills the copy in keyset pages between which the event loop runs. Pages are
   * separate snapshots, so the fill counts as of the revision read before the
   * first page: accounts changed meanwhile are named in later log entries and
   * read again, whole, by the next refresh.
   */
  warm(): Promise<void> {
    if (this.seen !== -1) return Promise.resolve();
    this.warming ??= this.warmInPages()
      .catch((error: unknown) => {
        // Half a fill is no fill: the next load starts from scratch.
        this.facts = new FactsCache();
        throw error;
      })
      .finally(() => {
        this.warming = null;
      });
    return this.warming;
  }

  /** The current state log revision. */
  latest(): number {
    return this.q.pluck('SELECT coalesce(max(rev), 0) FROM state_log').get() as number;
  }

  /**
   * The accounts whose state changed after revision `rev`, and the revision that
   * covers; null when entries after `rev` were pruned (any account may have changed).
   */
  changedSince(rev: number): { accounts: Set<string>; rev: number } | null {
    const pruned = this.q.pluck("SELECT value FROM meta WHERE key = 'state_log_pruned'").get() as number;
    if (rev < pruned) return null;
    const accounts = new Set<string>();
    let last = rev;
    for (const [r, ids] of this.q.raw('SELECT rev, accounts FROM state_log WHERE rev > ? ORDER BY rev').all(rev) as [number, string][]) {
      for (const id of JSON.parse(ids) as string[]) accounts.add(id);
      last = r;
    }
    return { accounts, rev: last };
  }

  private readLists(accountId: string): AccountLists | null {
    const row = this.q.raw('SELECT trial_at, paid, canceled, usage_at, usage_qty FROM account_state WHERE account_id = ?').get(accountId) as
      | [number | null, string | null, string | null, string | null, string | null]
      | undefined;
    return row ? { trialAt: row[0], paid: unpackNumbers(row[1]), canceled: unpackNumbers(row[2]), usage: unpackUsage(row[3], row[4]) } : null;
  }

  /** Brings the copy to the current revision; call inside a transaction (one snapshot). */
  private refresh(): void {
    const rev = this.latest();
    if (rev === this.seen) return;
    const changed = this.seen === -1 ? null : this.changedSince(this.seen);
    if (changed === null) {
      const facts = new FactsCache();
      // One statement after the other: better-sqlite3 allows one open iterator per connection.
      const offers = this.q.raw(`SELECT ${OFFER_FACTS} FROM offer_state`).all() as OfferFactsRow[];
      facts.fill(offers, this.q.raw(`SELECT ${ACCOUNT_FACTS} FROM account_state`).iterate() as IterableIterator<AccountFactsRow>);
      this.facts = facts;
      this.seen = rev;
      return;
    }
    const account = this.q.raw(ACCOUNT_FACTS_OF);
    const offers = this.q.raw(OFFER_FACTS_OF);
    for (const id of changed.accounts) {
      const row = account.get(id) as AccountFactsRow | undefined;
      if (row) this.facts.applyAccount(row);
      for (const o of offers.all(id) as OfferFactsRow[]) this.facts.applyOffer(o);
    }
    this.seen = rev;
  }

  private async warmInPages(): Promise<void> {
    const rev = this.latest();
    const page = Math.max(1, Math.floor(this.options.warmPage));
    const offers = this.q.raw(`SELECT ${OFFER_FACTS} FROM offer_state WHERE (account_id, offer_id) > (?, ?) ORDER BY account_id, offer_id LIMIT ${page}`);
    const accounts = this.q.raw(`SELECT ${ACCOUNT_FACTS} FROM account_state WHERE account_id > ? ORDER BY account_id LIMIT ${page}`);
    const pause = () => new Promise<void>((resolve) => setImmediate(resolve));
    // Offers first: an account picks up its offer list when it is filled.
    for (let key = ['', '']; ; await pause()) {
      const rows = offers.all(key[0], key[1]) as OfferFactsRow[];
      this.facts.fill(rows, []);
      if (rows.length < page || !this.db.open) break;
      const last = rows[rows.length - 1]!;
      key = [last[0], last[1]];
    }
    for (let key = ''; ; await pause()) {
      const rows = accounts.all(key) as AccountFactsRow[];
      this.facts.fill([], rows);
      if (rows.length < page || !this.db.open) break;
      key = rows[rows.length - 1]![0];
    }
    this.seen = rev;
  }
}
