/**
 * The in-memory copy of the state tables that `loadFacts` answers from.
 *
 * Reading a million rows out of a database costs seconds (about 1.3 µs a row
 * from better-sqlite3, more through the pg wire protocol), while a report over
 * a million accounts has about a second in all. So each store keeps the facts
 * in memory and, on every `loadFacts`, reads back only the rows changed since
 * the previous call (SQLite: a revision counter bumped by each write
 * transaction; PostgreSQL: the writing transaction's id against the previous
 * snapshot's xmin). Other processes and other servers writing the same
 * database are picked up the same way.
 *
 * Objects handed out are shared snapshots, replaced (never mutated) when their
 * rows change: callers must treat them as read-only.
 */
import type { Arm } from '@tandem/core';
import { unpackNumbers, unpackUsage } from './facts.ts';
import type { AccountFacts, OfferFacts } from './types.ts';

/** account_id, offer_id, arm, variant, assigned_at, exposed_at, clicked_at, dismissed_at. */
export type OfferFactsRow = [string, string, Arm | null, string | null, number | null, number | null, number | null, number | null];

/**
 * account_id, activated_at (NULL until the account is upserted), arr, plan, region, channel,
 * trial_at, paid, canceled, usage_at, usage_qty (lists packed as "1,2,3").
 */
export type AccountFactsRow = [
  string,
  number | null,
  number,
  string | null,
  string | null,
  string | null,
  number | null,
  string | null,
  string | null,
  string | null,
  string | null,
];

export class FactsCache {
  /** Accounts with a known activation instant. */
  private readonly accounts = new Map<string, AccountFacts>();
  /** Offer facts by account, also for accounts not upserted yet. */
  private readonly offers = new Map<string, OfferFacts[]>();

  /** The first fill of an empty cache: nothing is handed out yet, so offer lists grow in place. */
  fill(offers: Iterable<OfferFactsRow>, accounts: Iterable<AccountFactsRow>): void {
    for (const r of offers) {
      const facts = offerFacts(r);
      const list = this.offers.get(r[0]);
      if (list) list.push(facts);
      else this.offers.set(r[0], [facts]);
    }
    for (const r of accounts) this.applyAccount(r);
  }

  applyAccount(r: AccountFactsRow): void {
    const id = r[0];
    if (r[1] === null) {
      this.accounts.delete(id);
      return;
    }
    this.accounts.set(id, {
      id,
      activatedAt: r[1],
      arr: r[2],
      plan: r[3],
      region: r[4],
      channel: r[5],
      trialAt: r[6],
      paidAt: unpackNumbers(r[7]),
      canceledAt: unpackNumbers(r[8]),
      usage: unpackUsage(r[9], r[10]),
      offers: this.offers.get(id) ?? [],
    });
  }

  applyOffer(r: OfferFactsRow): void {
    const accountId = r[0];
    const facts = offerFacts(r);
    // Copy on write: a list handed out earlier keeps its contents.
    const list = [...(this.offers.get(accountId) ?? [])];
    const at = list.findIndex((o) => o.offerId === facts.offerId);
    if (at === -1) list.push(facts);
    else list[at] = facts;
    this.offers.set(accountId, list);
    const account = this.accounts.get(accountId);
    if (account) this.accounts.set(accountId, { ...account, offers: list });
  }

  /** An account's facts (only accounts with a known activation instant are held). */
  account(id: string): AccountFacts | undefined {
    return this.accounts.get(id);
  }

  /** The facts of one (account, offer), also for an account not upserted yet. */
  offer(accountId: string, offerId: string): OfferFacts | undefined {
    return this.offers.get(accountId)?.find((o) => o.offerId === offerId);
  }

  /** Facts of every account activated at or before `activatedBefore`. */
  select(activatedBefore: number): AccountFacts[] {
    const out: AccountFacts[] = [];
    for (const a of this.accounts.values()) if (a.activatedAt <= activatedBefore) out.push(a);
    return out;
  }
}

const offerFacts = (r: OfferFactsRow): OfferFacts => ({
  offerId: r[1],
  arm: r[2],
  variant: r[3],
  assignedAt: r[4],
  exposedAt: r[5],
  clickedAt: r[6],
  dismissedAt: r[7],
});
