/**
 * A store's per-account index of browser history (exposures and dismissals
 * with an offer), in memory. Caps and cooldowns read it on every decide; on
 * disk the events are a log whose indexes only grow at the end (each store's
 * migration 002), so ingest never writes a random page for them.
 *
 * It holds every such event with `at ≥ coveredSince`. A question about an
 * earlier instant first loads the missing span from the log (`extend`); the
 * store feeds it what it inserts and what other processes or servers inserted
 * (an event given twice is kept once), so the answers are those of a query
 * over the events table.
 */
import type { RecentHistory } from './types.ts';

export interface HistoryEntry {
  id: string;
  type: 'exposure' | 'dismiss';
  accountId: string;
  offerId: string;
  userId: string | null;
  at: number;
}

/** The order of the events table's `ORDER BY at, id`. */
const before = (a: HistoryEntry, b: HistoryEntry): boolean => a.at < b.at || (a.at === b.at && a.id < b.id);

/** How often the index drops what no caller asked about in the last two such periods. */
const PRUNE_EVERY_MS = 30 * 60_000;

/** @example const h = new HistoryIndex(); h.extend(since, rows); h.get('acct_1', since) */
export class HistoryIndex {
  /** Each account's entries, ascending by (at, id). */
  private readonly byAccount = new Map<string, HistoryEntry[]>();
  private since = Number.POSITIVE_INFINITY;
  private entries = 0;
  // Retention: what callers asked about in the last two periods stays loaded.
  private askedNow = Number.POSITIVE_INFINITY;
  private askedBefore = Number.POSITIVE_INFINITY;
  private prunedAt = Date.now();

  /** Every event at or after this instant is held (+∞ until the first `extend`). */
  get coveredSince(): number {
    return this.since;
  }

  get size(): number {
    return this.entries;
  }

  /** Adds one event; one before `coveredSince` is left to a later `extend`, which reads it from the log. */
  add(e: HistoryEntry): void {
    if (e.at < this.since) return;
    const list = this.byAccount.get(e.accountId);
    if (!list) {
      this.byAccount.set(e.accountId, [e]);
      this.entries++;
      return;
    }
    // Live events arrive nearly in order: walk back from the end.
    let i = list.length;
    while (i > 0 && before(e, list[i - 1]!)) i--;
    const prev = list[i - 1];
    if (prev !== undefined && prev.at === e.at && prev.id === e.id) return; // given twice
    list.splice(i, 0, e);
    this.entries++;
  }

  /**
   * Lowers `coveredSince` to `since`, adding the events of [since, coveredSince)
   * that the caller read from the log (others are ignored).
   */
  extend(since: number, rows: Iterable<HistoryEntry>): void {
    if (since >= this.since) return;
    const upper = this.since;
    this.since = since;
    for (const e of rows) if (e.at >= since && e.at < upper) this.add(e);
  }

  /**
   * The account's exposures and dismissals at or after `since` (≥ coveredSince), oldest
   * first. Every half hour, what nobody asked about for two half hours is dropped.
   */
  get(accountId: string, since: number, clock: number = Date.now()): RecentHistory {
    if (since < this.since) throw new RangeError(`history before ${this.since} is not loaded (asked from ${since})`);
    if (since < this.askedNow) this.askedNow = since;
    if (clock - this.prunedAt >= PRUNE_EVERY_MS) {
      this.prunedAt = clock;
      const floor = Math.min(this.askedNow, this.askedBefore);
      this.askedBefore = this.askedNow;
      this.askedNow = Number.POSITIVE_INFINITY;
      if (Number.isFinite(floor)) this.prune(floor);
    }
    const history: RecentHistory = { exposures: [], dismissals: [] };
    const list = this.byAccount.get(accountId);
    if (!list) return history;
    let i = list.length;
    while (i > 0 && list[i - 1]!.at >= since) i--;
    for (; i < list.length; i++) {
      const e = list[i]!;
      (e.type === 'exposure' ? history.exposures : history.dismissals).push({ offerId: e.offerId, userId: e.userId, at: e.at });
    }
    return history;
  }

  /** Forgets events before `instant` (raising `coveredSince` to it); asking about them again reloads them. */
  prune(instant: number): void {
    if (instant <= this.since) return;
    this.since = instant;
    for (const [accountId, list] of this.byAccount) {
      let n = 0;
      while (n < list.length && list[n]!.at < instant) n++;
      if (n === 0) continue;
      this.entries -= n;
      if (n === list.length) this.byAccount.delete(accountId);
      else list.splice(0, n);
    }
  }
}
