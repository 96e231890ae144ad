import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assignArm, type Product } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountFacts, Store, StoredEvent } from '../store/types.ts';
import { accountAged, DAY, openTestStore, trialOffer } from '../testing/harness.ts';
import { type ConsoleDeps, explainForConsole, scanEligibility, weeklyActivity, withDraft } from './console.ts';
import { storedEvent } from '../testing/events.ts';

const NOW = Date.parse('2026-06-30T12:00:00Z');
const PRODUCTS: Product[] = [
  { id: 'ledger', name: 'Ledger', listPrice: { amount: 49, currency: 'USD', interval: 'month' } },
  { id: 'insights', name: 'Insights', listPrice: { amount: 29, currency: 'USD', interval: 'month' } },
];

function paid(accountId: string, at: number): StoredEvent {
  return storedEvent('paid', accountId, at, { id: randomUUID(), productId: 'insights' });
}

describe('console look-ups over a real store', () => {
  let dir: string;
  let store: Store;
  let drop: () => Promise<void>;
  let deps: ConsoleDeps;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-console-'));
    ({ store, drop } = await openTestStore('sqlite', dir));
    deps = { store, products: PRODUCTS };
    await store.upsertAccounts(
      [
        accountAged('a_in1', 90, NOW),
        accountAged('a_in2', 100, NOW),
        accountAged('a_young', 10, NOW),
        accountAged('a_starter', 90, NOW, { plan: 'starter' }),
        accountAged('a_attached', 90, NOW),
      ],
      NOW,
    );
    await store.insertEvents([paid('a_attached', NOW - DAY)]);
  });

  afterAll(async () => {
    await drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const draftBody = trialOffer({ id: 'o_draft', status: 'draft', rules: { plans: ['pro'] }, holdout: 0 });

  it('counts the accounts a draft would reach now, with the engine’s defaults (window, already attached), recording nothing', async () => {
    const { draft, offers } = withDraft(draftBody, []);
    const answer = await scanEligibility(deps, draft, offers, NOW);
    expect(answer).toEqual({ eligible: 2, shown: 2, control: 0, outranked: 0, capped: 0, total: 5, sample: ['a_in1', 'a_in2'], truncated: false });
    expect(await store.getAssignments('a_in1')).toEqual([]);
  });

  it('splits eligible accounts by the holdout exactly as the assignment hash does', async () => {
    const { draft, offers } = withDraft({ ...draftBody, holdout: 0.5 }, []);
    const answer = await scanEligibility(deps, draft, offers, NOW);
    const control = ['a_in1', 'a_in2'].filter((id) => assignArm('o_draft', id, 0.5) === 'control');
    expect(answer.eligible).toBe(2);
    expect(answer.control).toBe(control.length);
    expect(answer.shown).toBe(2 - control.length);
    expect(answer.sample).toEqual(['a_in1', 'a_in2'].filter((id) => !control.includes(id)));
  });

  it('says when a higher-priority published offer in the placement wins', async () => {
    const top = trialOffer({ id: 'o_top', priority: 99 });
    const { draft, offers } = withDraft(draftBody, [top]);
    const answer = await scanEligibility(deps, draft, offers, NOW);
    expect(answer).toMatchObject({ eligible: 2, shown: 0, outranked: 2 });
  });

  it('evaluates the draft in place of its stored version, as if published', () => {
    const stored = trialOffer({ id: 'o_draft', content: { headline: 'old', body: '', cta: 'Go' } });
    const { draft, offers } = withDraft(draftBody, [stored, trialOffer({ id: 'o_other' })]);
    expect(draft.status).toBe('published');
    expect(offers.map((o) => [o.id, o.content.headline])).toEqual([
      ['o_other', 'Try Insights'],
      ['o_draft', 'Try Insights'],
    ]);
  });

  it('stops at the scan limit and says the count is truncated', async () => {
    const { draft, offers } = withDraft(draftBody, []);
    const answer = await scanEligibility(deps, draft, offers, NOW, 3);
    expect(answer.total).toBe(3);
    expect(answer.truncated).toBe(true);
  });

  it('explains one account: the failing rule, and every rule’s verdict', async () => {
    const { draft, offers } = withDraft(draftBody, []);
    const out = await explainForConsole(deps, 'a_starter', draft, offers, NOW);
    expect(out).toMatchObject({ accountId: 'a_starter', found: true, outcome: 'excluded', rule: 'plan' });
    expect(out.checks).toContainEqual({ rule: 'plan', pass: false, reason: expect.stringContaining('"starter"') });
    expect(out.checks).toContainEqual(expect.objectContaining({ rule: 'activationWindow', pass: true }));
    expect(out.checks.map((c) => c.rule)).not.toContain('status');

    const attached = await explainForConsole(deps, 'a_attached', draft, offers, NOW);
    expect(attached).toMatchObject({ outcome: 'excluded', rule: 'alreadyAttached' });
    expect(await explainForConsole(deps, 'nobody', draft, offers, NOW)).toEqual({
      accountId: 'nobody',
      found: false,
      outcome: 'unknown_account',
      checks: [],
      others: [],
    });
  });
});

describe('weeklyActivity', () => {
  const facts = (id: string, over: Partial<AccountFacts>, offer: Partial<AccountFacts['offers'][number]>): AccountFacts => ({
    id,
    activatedAt: NOW - 100 * DAY,
    arr: 1000,
    plan: null,
    region: null,
    channel: null,
    trialAt: null,
    paidAt: [],
    canceledAt: [],
    usage: [],
    offers: [{ offerId: 'o1', arm: 'treatment', variant: null, assignedAt: NOW - 20 * DAY, exposedAt: null, clickedAt: null, dismissedAt: null, ...offer }],
    ...over,
  });

  it('counts first exposures in the last 7 days, and exposed treatment accounts whose first attach fell then', () => {
    const rows = weeklyActivity(
      [trialOffer({ id: 'o1' }), trialOffer({ id: 'o2' })],
      [
        facts('recent', { trialAt: NOW - 2 * DAY }, { exposedAt: NOW - 3 * DAY }),
        facts('old exposure, new paid', { paidAt: [NOW - DAY] }, { exposedAt: NOW - 30 * DAY }),
        facts('old attach', { trialAt: NOW - 9 * DAY, paidAt: [NOW - DAY] }, { exposedAt: NOW - 10 * DAY }),
        facts('control', { trialAt: NOW - DAY }, { arm: 'control', exposedAt: NOW - 2 * DAY }),
        facts('never exposed', { trialAt: NOW - DAY }, {}),
        facts('exposed after now', {}, { exposedAt: NOW + DAY }),
      ],
      NOW,
    );
    expect(rows.map((r) => [r.offer.id, r.exposedThisWeek, r.attachedThisWeek])).toEqual([
      ['o1', 2, 2],
      ['o2', 0, 0],
    ]);
  });
});
