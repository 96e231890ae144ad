/**
 * A random but deterministic world of accounts, raw events and assignments for
 * tests that check reports against a reference (metrics) or across stores
 * (store conformance). Instants sit on an hour grid so exact coincidences occur.
 */
import type { Account, Arm, EventType } from '@tandem/core';
import type { Assignment, StoredEvent } from '../store/types.ts';
import { storedEvent } from '../testing/events.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const START = Date.UTC(2024, 0, 1);
export const SPAN_HOURS = 900 * 24;
export const COHORT_DAYS = [30, 60, 90, 120, 180, 365, 730];
export const OFFERS = ['o1', 'o2', 'o3'];
export const PLANS = ['basic', 'pro', 'team', null];

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface World {
  accounts: Account[];
  events: StoredEvent[];
  assignments: Assignment[];
}

export function generate(seed: number, n: number): World {
  const rnd = mulberry32(seed);
  const int = (k: number): number => Math.floor(rnd() * k);
  // Instants on an hour grid so that exact coincidences (e.g. usage exactly 30 days before asOf) happen.
  const hourAt = (from: number, maxHours: number): number => from + int(maxHours) * HOUR;
  const accounts: Account[] = [];
  const events: StoredEvent[] = [];
  const assignments: Assignment[] = [];
  let seq = 0;
  const ev = (type: EventType, accountId: string, at: number, extra: Partial<StoredEvent> = {}): void => {
    events.push(storedEvent(type, accountId, at, { source: 'import', ...extra, id: `e${seq++}` }));
  };
  for (let i = 0; i < n; i++) {
    const id = `acct-${i}`;
    const act = hourAt(START, SPAN_HOURS);
    accounts.push({
      id,
      activatedAt: new Date(act).toISOString(),
      plan: PLANS[int(PLANS.length)] ?? undefined,
      arr: rnd() < 0.1 ? 0 : int(50) * 1000 + (rnd() < 0.2 ? 0.5 : 0),
      region: rnd() < 0.5 ? 'eu' : 'us',
      channel: rnd() < 0.7 ? 'direct' : 'partner-a',
    });
    // Events may precede activation a little (back-dated data is messy) and run past the last asOf.
    const around = (): number => hourAt(act - 10 * DAY, 500 * 24);
    for (const offerId of OFFERS) {
      const r = rnd();
      if (r < 0.45) {
        const arm: Arm = rnd() < 0.2 ? 'control' : 'treatment';
        const variant = arm === 'treatment' ? (rnd() < 0.5 ? 'v1' : 'v2') : null;
        assignments.push({ accountId: id, offerId, arm, variant, assignedAt: around() });
        if (arm === 'treatment') {
          for (let k = int(3); k > 0; k--) ev('exposure', id, around(), { offerId, variant });
          for (let k = int(2); k > 0; k--) ev('click', id, around(), { offerId, variant });
          if (rnd() < 0.2) ev('dismiss', id, around(), { offerId, variant });
        }
      } else if (r < 0.5) {
        // A browser event with no recorded assignment still counts as an exposure.
        ev('exposure', id, around(), { offerId });
      }
    }
    if (rnd() < 0.05) ev('exposure', id, around()); // no offer: ignored
    for (let k = int(3); k > 0; k--) ev(rnd() < 0.5 ? 'trial_start' : 'trial_started', id, around());
    const payments = rnd() < 0.5 ? 1 + int(3) : 0;
    for (let k = 0; k < payments; k++) ev('paid', id, around());
    for (let k = payments > 0 ? int(3) : int(2); k > 0; k--) ev('canceled', id, around());
    for (let k = rnd() < 0.6 ? int(12) : 0; k > 0; k--) {
      const q = rnd() < 0.2 ? undefined : int(3);
      ev('usage', id, around(), q === undefined ? {} : { quantity: q });
    }
  }
  return { accounts, events, assignments };
}
