/**
 * The fold from raw events to per-account facts: the specification the store
 * implements incrementally (in SQL) on ingest. Whatever order the events come
 * in — back-dated, shuffled, repeated ids removed beforehand — the facts are
 * the same, because every field is a minimum or a sorted multiset.
 */
import type { Account } from '@tandem/core';
import type { AccountFacts, Assignment, OfferFacts, StoredEvent } from '../store/types.ts';

export interface FoldOptions {
  /**
   * Product-two ids. When set, conversions (`trial_started`, `paid`, `canceled`,
   * `usage`) naming another product are ignored; conversions without a
   * product id always count.
   */
  secondProductIds?: readonly string[];
}

/**
 * Builds the facts of every given account from its events and assignments.
 *
 * - `trialAt`: earliest browser `trial_start` or backend `trial_started`.
 * - `paidAt` / `canceledAt`: every `paid` / `canceled` instant, ascending.
 * - `usage`: every `usage` event as `{at, quantity}` (a missing quantity
 *   counts 1), ascending by instant (ties by quantity).
 * - `offers`: one entry per offer the account has an assignment for or a
 *   browser event naming (arm and assignedAt null without an assignment);
 *   `exposedAt`, `clickedAt`, `dismissedAt` are the earliest such event;
 *   `variant` is the assignment's, else that of the earliest browser event
 *   carrying one (equal instants: the smaller key). Browser events naming no
 *   offer do not enter the facts.
 * Events of unknown accounts are ignored.
 * @example factsFromEvents([{ id: 'a', activatedAt: '2026-01-01T00:00:00Z' }], [], [])
 */
export function factsFromEvents(
  accounts: readonly Account[],
  events: readonly StoredEvent[],
  assignments: readonly Assignment[],
  options: FoldOptions = {},
): AccountFacts[] {
  const byId = new Map<string, AccountFacts>();
  for (const a of accounts) {
    const activatedAt = Date.parse(a.activatedAt);
    if (Number.isNaN(activatedAt)) {
      throw new RangeError(`account ${JSON.stringify(a.id)}: activatedAt must be an ISO 8601 instant, got ${JSON.stringify(a.activatedAt)}`);
    }
    byId.set(a.id, {
      id: a.id,
      activatedAt,
      arr: a.arr ?? 0,
      plan: a.plan ?? null,
      region: a.region ?? null,
      channel: a.channel ?? null,
      trialAt: null,
      paidAt: [],
      canceledAt: [],
      usage: [],
      offers: [],
    });
  }
  const offerFacts = new Map<string, OfferFacts>();
  // Variant seen on browser events: the earliest (then smallest key) wins.
  const eventVariant = new Map<OfferFacts, { at: number; variant: string }>();
  const entryFor = (facts: AccountFacts, offerId: string): OfferFacts => {
    const key = `${facts.id}\u0000${offerId}`;
    let entry = offerFacts.get(key);
    if (!entry) {
      entry = { offerId, arm: null, variant: null, assignedAt: null, exposedAt: null, clickedAt: null, dismissedAt: null };
      offerFacts.set(key, entry);
      facts.offers.push(entry);
    }
    return entry;
  };
  for (const s of assignments) {
    const facts = byId.get(s.accountId);
    if (!facts) continue;
    const entry = entryFor(facts, s.offerId);
    if (entry.arm !== null) continue; // the first recorded assignment wins
    entry.arm = s.arm;
    entry.variant = s.variant;
    entry.assignedAt = s.assignedAt;
  }
  const products = options.secondProductIds ? new Set(options.secondProductIds) : null;
  for (const e of events) {
    const facts = byId.get(e.accountId);
    if (!facts) continue;
    const isConversion = e.type === 'trial_started' || e.type === 'paid' || e.type === 'canceled' || e.type === 'usage';
    if (isConversion && products && e.productId !== null && !products.has(e.productId)) continue;
    switch (e.type) {
      case 'trial_start':
      case 'trial_started':
        if (facts.trialAt === null || e.at < facts.trialAt) facts.trialAt = e.at;
        break;
      case 'paid':
        facts.paidAt.push(e.at);
        break;
      case 'canceled':
        facts.canceledAt.push(e.at);
        break;
      case 'usage':
        facts.usage.push({ at: e.at, quantity: e.quantity ?? 1 });
        break;
      case 'exposure':
      case 'click':
      case 'dismiss': {
        if (e.offerId === null) break;
        const entry = entryFor(facts, e.offerId);
        if (e.variant !== null) {
          const best = eventVariant.get(entry);
          if (!best || e.at < best.at || (e.at === best.at && e.variant < best.variant)) {
            eventVariant.set(entry, { at: e.at, variant: e.variant });
          }
        }
        const field = e.type === 'exposure' ? 'exposedAt' : e.type === 'click' ? 'clickedAt' : 'dismissedAt';
        const prev = entry[field];
        if (prev === null || e.at < prev) entry[field] = e.at;
        break;
      }
    }
  }
  for (const [entry, best] of eventVariant) if (entry.variant === null) entry.variant = best.variant;
  const facts = [...byId.values()];
  for (const f of facts) {
    f.paidAt.sort((a, b) => a - b);
    f.canceledAt.sort((a, b) => a - b);
    f.usage.sort((a, b) => a.at - b.at || a.quantity - b.quantity);
    f.offers.sort((a, b) => (a.offerId < b.offerId ? -1 : a.offerId > b.offerId ? 1 : 0));
  }
  return facts;
}
