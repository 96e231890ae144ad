/**
 * One conformance suite for every store: SQLite always, PostgreSQL when
 * DATABASE_URL is set (each test in its own fresh schema, dropped afterwards,
 * because other people run tests against the same database at the same time).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Account, type OfferDefinition, uuidv7 } from '@tandem/core';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attachReport, funnelReport, liftReport } from '../metrics/index.ts';
import { factsFromEvents } from '../metrics/facts.ts';
import { DAY as WORLD_DAY, generate, OFFERS as WORLD_OFFERS, START as WORLD_START } from '../metrics/testing-world.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { AccountFacts, Assignment, Store, StoredEvent } from './types.ts';
import { storedEvent } from '../testing/events.ts';

const DATABASE_URL = process.env.DATABASE_URL;

interface Harness {
  name: string;
  /** A fresh store; `another()` opens a second instance on the same database (another process or server). */
  open(): Promise<{ store: Store; another(): Store; cleanup(): Promise<void> }>;
}

const sqliteHarness: Harness = {
  name: 'sqlite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-store-'));
    // Small warm-up steps, so writes and reports land between them.
    const store = openSqliteStore({ dataDir: join(dir, 'data'), warmPageRows: 2 });
    return {
      store,
      another: () => openSqliteStore({ dataDir: join(dir, 'data') }),
      async cleanup() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

let admin: pg.Pool | undefined;
const postgresHarness: Harness = {
  name: 'postgres',
  async open() {
    admin ??= new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
    const schema = `tandem_test_${randomBytes(6).toString('hex')}`;
    // followMs 0: a read sees every write committed before it, this server's or another's.
    const store = openPostgresStore({ url: DATABASE_URL!, schema, followMs: 0 });
    return {
      store,
      another: () => openPostgresStore({ url: DATABASE_URL!, schema, followMs: 0 }),
      async cleanup() {
        await store.close();
        await admin!.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      },
    };
  },
};

afterAll(async () => {
  await admin?.end();
});

const HARNESSES = DATABASE_URL ? [sqliteHarness, postgresHarness] : [sqliteHarness];

if (!DATABASE_URL) {
  describe('postgres store', () => {
    it.skip('skipped: DATABASE_URL is not set (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test runs this suite on PostgreSQL)', () => {});
  });
}

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

function account(id: string, activatedAt: number, extra: Partial<Account> = {}): Account {
  return { id, activatedAt: new Date(activatedAt).toISOString(), plan: 'pro', arr: 1200, region: 'eu', channel: 'direct', ...extra };
}

function event(type: StoredEvent['type'], accountId: string, at: number, extra: Partial<StoredEvent> = {}): StoredEvent {
  return storedEvent(type, accountId, at, { id: uuidv7(), ...extra });
}

function offer(id: string, extra: Partial<OfferDefinition> = {}): OfferDefinition {
  return {
    id,
    name: `Offer ${id}`,
    status: 'published',
    kind: 'trial',
    placement: 'dashboard',
    display: 'inline',
    priority: 1,
    productId: 'insights',
    content: { headline: 'Try Insights', body: 'Fourteen days free.', cta: 'Start trial' },
    trialDays: 14,
    action: { type: 'callback' },
    holdout: 0.2,
    rules: {},
    ...extra,
  };
}

/** A deterministic pseudo-random generator so failures replay. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const byId = (facts: AccountFacts[]) => new Map(facts.map((f) => [f.id, f]));
const sortOffers = (f: AccountFacts) => ({ ...f, offers: [...f.offers].sort((a, b) => (a.offerId < b.offerId ? -1 : 1)) });

describe.each(HARNESSES)('$name store', (harness) => {
  let store: Store;
  let another: () => Store;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ store, another, cleanup } = await harness.open());
    await store.migrate();
  });

  afterEach(async () => {
    await cleanup();
  });

  it('migrates twice without harm and keeps the data', async () => {
    await store.upsertAccounts([account('a1', T0)], T0);
    await store.migrate();
    await store.migrate();
    expect(await store.getAccount('a1')).toEqual(account('a1', T0));
    expect(await store.countEvents()).toBe(0);
  });

  it('upserts accounts singly and in batches; the last copy wins; pages ids', async () => {
    expect(await store.upsertAccounts([account('a1', T0)], T0)).toBe(1);
    expect(await store.getAccount('a1')).toEqual(account('a1', T0));
    const batch = [account('a3', T0 + DAY), account('a2', T0), account('a1', T0, { plan: 'team', arr: 5000 })];
    expect(await store.upsertAccounts(batch, T0 + 1)).toBe(3);
    expect(await store.getAccount('a1')).toEqual(account('a1', T0, { plan: 'team', arr: 5000 }));
    expect(await store.getAccount('missing')).toBeNull();
    expect(await store.listAccountIds({ limit: 2 })).toEqual(['a1', 'a2']);
    expect(await store.listAccountIds({ limit: 2, after: 'a2' })).toEqual(['a3']);
    const facts = await store.loadFacts({ activatedBefore: T0 + DAY });
    expect(byId(facts).get('a1')).toMatchObject({ plan: 'team', arr: 5000, region: 'eu', channel: 'direct', activatedAt: T0 });
  });

  it('refuses an account without a valid activatedAt, naming the field', async () => {
    await expect(store.upsertAccounts([account('a1', T0), { id: 'a2', activatedAt: 'soon' }], T0)).rejects.toThrow(
      /accounts\[1\]\.activatedAt .*"soon"/,
    );
    expect(await store.getAccount('a1')).toBeNull();
  });

  it('stores each event id once, within a batch and across batches, and counts facts once', async () => {
    await store.upsertAccounts([account('a1', T0)], T0);
    const paid = event('paid', 'a1', T0 + 10 * DAY);
    const usage = event('usage', 'a1', T0 + 11 * DAY, { quantity: 3 });
    const first = await store.insertEvents([paid, paid, usage]);
    expect(first).toEqual({ inserted: [paid.id, usage.id], duplicates: [paid.id] });
    const other = event('canceled', 'a1', T0 + 12 * DAY);
    const second = await store.insertEvents([usage, other, paid]);
    expect(second).toEqual({ inserted: [other.id], duplicates: [usage.id, paid.id] });
    expect(await store.countEvents()).toBe(3);
    const [facts] = await store.loadFacts({ activatedBefore: T0 });
    expect(facts).toMatchObject({
      paidAt: [T0 + 10 * DAY],
      canceledAt: [T0 + 12 * DAY],
      usage: [{ at: T0 + 11 * DAY, quantity: 3 }],
    });
  });

  it('stores an id once when 20 calls send it at the same moment', async () => {
    await store.upsertAccounts([account('a1', T0)], T0);
    const paid = event('paid', 'a1', T0 + DAY);
    const results = await Promise.all(Array.from({ length: 20 }, () => store.insertEvents([paid])));
    expect(results.flatMap((r) => r.inserted)).toEqual([paid.id]);
    expect(results.flatMap((r) => r.duplicates)).toHaveLength(19);
    expect(await store.countEvents()).toBe(1);
    const [facts] = await store.loadFacts({ activatedBefore: T0 });
    expect(facts!.paidAt).toEqual([T0 + DAY]);
  });

  it('stores overlapping concurrent batches once each, in any order, without deadlock', async () => {
    const accounts = ['a1', 'a2', 'a3', 'a4'];
    await store.upsertAccounts(
      accounts.map((id) => account(id, T0)),
      T0,
    );
    const events = accounts.flatMap((id, i) => [
      event('paid', id, T0 + i * DAY),
      event('exposure', id, T0 + i * DAY, { offerId: 'o1', source: 'browser' }),
      event('usage', id, T0 + i * DAY, { quantity: 2 }),
    ]);
    const random = rng(7);
    const results = await Promise.all(Array.from({ length: 12 }, () => store.insertEvents(shuffle(events, random))));
    expect(results.flatMap((r) => r.inserted).sort()).toEqual(events.map((e) => e.id).sort());
    expect(await store.countEvents()).toBe(events.length);
    for (const f of await store.loadFacts({ activatedBefore: T0 })) {
      const i = accounts.indexOf(f.id);
      expect(f.paidAt).toEqual([T0 + i * DAY]);
      expect(f.usage).toEqual([{ at: T0 + i * DAY, quantity: 2 }]);
      expect(f.offers).toEqual([
        { offerId: 'o1', arm: null, variant: null, assignedAt: null, exposedAt: T0 + i * DAY, clickedAt: null, dismissedAt: null },
      ]);
    }
  });

  it('fails a batch the database refuses on its own; batches sent at the same moment are kept', async () => {
    const good1 = [event('paid', 'a1', T0), event('usage', 'a1', T0)];
    const bad = [event('paid', 'a2', T0), { ...event('paid', 'a2', T0), type: null as unknown as StoredEvent['type'] }];
    const good2 = [event('canceled', 'a1', T0 + DAY)];
    const [r1, r2, r3] = await Promise.allSettled([store.insertEvents(good1), store.insertEvents(bad), store.insertEvents(good2)]);
    expect(r1).toEqual({ status: 'fulfilled', value: { inserted: good1.map((e) => e.id), duplicates: [] } });
    expect(r2.status).toBe('rejected');
    expect(r3).toEqual({ status: 'fulfilled', value: { inserted: [good2[0]!.id], duplicates: [] } });
    // Nothing of the refused batch was kept, not even its valid event.
    expect(await store.countEvents()).toBe(3);
    expect((await store.insertEvents([bad[0]!])).inserted).toEqual([bad[0]!.id]);
  });

  it('keeps paid, canceled and usage sorted and trialAt the first of both trial types', async () => {
    await store.upsertAccounts([account('a1', T0)], T0);
    await store.insertEvents([
      event('paid', 'a1', T0 + 30 * DAY),
      event('usage', 'a1', T0 + 9 * DAY, { quantity: 5 }),
      event('trial_started', 'a1', T0 + 8 * DAY),
      event('canceled', 'a1', T0 + 40 * DAY),
    ]);
    await store.insertEvents([
      event('paid', 'a1', T0 + 10 * DAY),
      event('usage', 'a1', T0 + 2 * DAY),
      event('trial_start', 'a1', T0 + 5 * DAY, { source: 'browser', offerId: 'o1' }),
      event('canceled', 'a1', T0 + 20 * DAY),
      event('paid', 'a1', T0 + 50 * DAY),
    ]);
    await store.insertEvents([event('trial_started', 'a1', T0 + 6 * DAY), event('usage', 'a1', T0 + 9 * DAY, { quantity: 0.5 })]);
    const [facts] = await store.loadFacts({ activatedBefore: T0 });
    expect(facts).toEqual({
      id: 'a1',
      activatedAt: T0,
      arr: 1200,
      plan: 'pro',
      region: 'eu',
      channel: 'direct',
      trialAt: T0 + 5 * DAY,
      paidAt: [T0 + 10 * DAY, T0 + 30 * DAY, T0 + 50 * DAY],
      canceledAt: [T0 + 20 * DAY, T0 + 40 * DAY],
      usage: [
        { at: T0 + 2 * DAY, quantity: 1 },
        { at: T0 + 9 * DAY, quantity: 0.5 },
        { at: T0 + 9 * DAY, quantity: 5 },
      ],
      offers: [],
    });
  });

  it('answers attach, funnel and lift exactly as the reference fold over the raw events', async () => {
    // The same generated world in every store: equal answers here are what makes
    // SQLite and PostgreSQL report the same figures.
    const world = generate(7, 300);
    await store.upsertAccounts(world.accounts, WORLD_START);
    const events = world.events.map((e, i) => ({ ...e, id: `w-${String(i).padStart(6, '0')}` }));
    // Back-dated, in a scrambled order, in batches of 50 as clients send them.
    const order = events.map((_, i) => (i * 7919) % events.length);
    for (let i = 0; i < order.length; i += 50) await store.insertEvents(order.slice(i, i + 50).map((k) => events[k]!));
    await store.recordAssignments(world.assignments);
    const expected = factsFromEvents(world.accounts, events, world.assignments);
    const late = attachReport(expected, { definition: 'paid', denominator: 'all', weight: 'logo', asOf: WORLD_START + 900 * WORLD_DAY });
    expect(late.overall.base).toBeGreaterThan(200);
    expect(late.overall.attached).toBeGreaterThan(20);
    for (const days of [200, 420, 900]) {
      const asOf = WORLD_START + days * WORLD_DAY;
      const actual = await store.loadFacts({ activatedBefore: asOf });
      for (const definition of ['trial', 'paid', 'active'] as const) {
        for (const [denominator, weight, offerId, by] of [
          ['all', 'logo', undefined, 'plan'],
          ['exposed', 'arr', undefined, 'channel'],
          ['exposed', 'logo', 'o2', 'variant'],
        ] as const) {
          const q = { definition, denominator, weight, asOf, offerId, by };
          expect(attachReport(actual, q)).toEqual(attachReport(expected, q));
        }
      }
      for (const offerId of WORLD_OFFERS) {
        expect(funnelReport(actual, { offerId, asOf })).toEqual(funnelReport(expected, { offerId, asOf }));
        const lq = { offerId, definition: 'paid' as const, asOf, holdout: 0.2 };
        expect(liftReport(actual, lq)).toEqual(liftReport(expected, lq));
      }
    }
  });

  it('leaves the same state after a shuffled back-dated import as after in-order arrival', async () => {
    const random = rng(42);
    const types: StoredEvent['type'][] = ['exposure', 'click', 'dismiss', 'trial_start', 'trial_started', 'paid', 'canceled', 'usage'];
    const plan: { type: StoredEvent['type']; account: number; offer: string; at: number; quantity: number; variant: string }[] = [];
    for (let i = 0; i < 400; i++) {
      plan.push({
        type: types[Math.floor(random() * types.length)]!,
        account: Math.floor(random() * 25),
        offer: random() < 0.5 ? 'o1' : 'o2',
        // Coarse instants so ties happen too.
        at: T0 + Math.floor(random() * 60) * DAY,
        quantity: Math.floor(random() * 4) + 1,
        variant: random() < 0.5 ? 'A' : 'B',
      });
    }
    const ids = Array.from({ length: 25 }, (_, i) => `acct-${String(i).padStart(2, '0')}`);
    await store.upsertAccounts(
      ids.flatMap((id) => [account(`in-${id}`, T0), account(`sh-${id}`, T0)]),
      T0,
    );
    const make = (prefix: string) =>
      plan.map((p) =>
        event(p.type, `${prefix}-${ids[p.account]}`, p.at, {
          quantity: p.type === 'usage' ? p.quantity : null,
          offerId: ['exposure', 'click', 'dismiss'].includes(p.type) ? p.offer : null,
          variant: ['exposure', 'click', 'dismiss'].includes(p.type) ? p.variant : null,
          source: 'import',
        }),
      );
    const inOrder = make('in').sort((a, b) => a.at - b.at);
    for (let i = 0; i < inOrder.length; i += 10) {
      // Halfway, the facts copy is filled: from then on the store folds against it.
      if (i === 200) await store.loadFacts({ activatedBefore: T0 });
      await store.insertEvents(inOrder.slice(i, i + 10));
    }
    const shuffled = shuffle(make('sh'), random);
    const other = another();
    await other.migrate();
    for (let i = 0; i < shuffled.length; ) {
      const size = 1 + Math.floor(random() * 40);
      // Some batches come through another instance, which this one must take in before folding.
      await (random() < 0.3 ? other : store).insertEvents(shuffled.slice(i, i + size));
      i += size;
    }
    await other.close();
    const facts = byId(await store.loadFacts({ activatedBefore: T0 }));
    // What the tables hold, read by an instance with no copy of its own, is the same.
    const fresh = another();
    const stored = byId(await fresh.loadFacts({ activatedBefore: T0 }));
    await fresh.close();
    for (const id of ids) {
      for (const side of ['in', 'sh']) expect(sortOffers(stored.get(`${side}-${id}`)!)).toEqual(sortOffers(facts.get(`${side}-${id}`)!));
      const a = sortOffers(facts.get(`in-${id}`)!);
      const b = sortOffers(facts.get(`sh-${id}`)!);
      expect({ ...b, id: a.id }).toEqual(a);
      // And both equal a brute-force reading of the raw events.
      const mine = inOrder.filter((e) => e.accountId === `in-${id}`);
      const trials = mine.filter((e) => e.type === 'trial_start' || e.type === 'trial_started').map((e) => e.at);
      expect(a.trialAt).toBe(trials.length ? Math.min(...trials) : null);
      expect(a.paidAt).toEqual(mine.filter((e) => e.type === 'paid').map((e) => e.at));
      expect(a.canceledAt).toEqual(mine.filter((e) => e.type === 'canceled').map((e) => e.at));
      expect(a.usage).toEqual(
        mine
          .filter((e) => e.type === 'usage')
          .map((e) => ({ at: e.at, quantity: e.quantity! }))
          .sort((x, y) => x.at - y.at || x.quantity - y.quantity),
      );
      for (const o of a.offers) {
        const first = (type: string) => {
          const ats = mine.filter((e) => e.type === type && e.offerId === o.offerId).map((e) => e.at);
          return ats.length ? Math.min(...ats) : null;
        };
        expect(o).toMatchObject({ exposedAt: first('exposure'), clickedAt: first('click'), dismissedAt: first('dismiss') });
      }
    }
  });

  it('moves firsts and the trial earlier, never later, once its facts copy is filled', async () => {
    await store.upsertAccounts([account('a1', T0)], T0);
    const b = (type: StoredEvent['type'], at: number) => event(type, 'a1', at, { source: 'browser', offerId: 'o1' });
    await store.insertEvents([b('exposure', T0 + 5 * DAY), b('click', T0 + 5 * DAY), b('dismiss', T0 + 5 * DAY), event('trial_start', 'a1', T0 + 5 * DAY)]);
    await store.loadFacts({ activatedBefore: T0 });
    for (const t of [T0 + 6 * DAY, T0 + 3 * DAY, T0 + 4 * DAY, T0 + 2 * DAY]) {
      await store.insertEvents([b('exposure', t), b('click', t), b('dismiss', t), event('trial_start', 'a1', t)]);
    }
    const expected = { trialAt: T0 + 2 * DAY, offers: [expect.objectContaining({ exposedAt: T0 + 2 * DAY, clickedAt: T0 + 2 * DAY, dismissedAt: T0 + 2 * DAY })] };
    expect((await store.loadFacts({ activatedBefore: T0 }))[0]).toMatchObject(expected);
    const fresh = another();
    expect((await fresh.loadFacts({ activatedBefore: T0 }))[0]).toMatchObject(expected);
    await fresh.close();
  });

  it('keeps the first exposure, click and dismiss per offer, and the assignment when one is recorded', async () => {
    await store.upsertAccounts([account('a1', T0)], T0);
    const browser = { source: 'browser' as const, userId: 'u1' };
    await store.insertEvents([
      event('exposure', 'a1', T0 + 5 * DAY, { ...browser, offerId: 'o1', variant: 'B' }),
      event('exposure', 'a1', T0 + 3 * DAY, { ...browser, offerId: 'o1', variant: 'A' }),
      event('click', 'a1', T0 + 6 * DAY, { ...browser, offerId: 'o1' }),
      event('dismiss', 'a1', T0 + 7 * DAY, { ...browser, offerId: 'o2' }),
      event('exposure', 'a1', T0 + 1 * DAY, browser),
    ]);
    await store.insertEvents([event('click', 'a1', T0 + 4 * DAY, { ...browser, offerId: 'o1' })]);
    let [facts] = await store.loadFacts({ activatedBefore: T0 });
    expect(sortOffers(facts!).offers).toEqual([
      { offerId: 'o1', arm: null, variant: 'A', assignedAt: null, exposedAt: T0 + 3 * DAY, clickedAt: T0 + 4 * DAY, dismissedAt: null },
      { offerId: 'o2', arm: null, variant: null, assignedAt: null, exposedAt: null, clickedAt: null, dismissedAt: T0 + 7 * DAY },
    ]);
    await store.recordAssignments([{ accountId: 'a1', offerId: 'o1', arm: 'treatment', variant: 'B', assignedAt: T0 + 2 * DAY }]);
    [facts] = await store.loadFacts({ activatedBefore: T0 });
    expect(sortOffers(facts!).offers[0]).toEqual({
      offerId: 'o1',
      arm: 'treatment',
      variant: 'B',
      assignedAt: T0 + 2 * DAY,
      exposedAt: T0 + 3 * DAY,
      clickedAt: T0 + 4 * DAY,
      dismissedAt: null,
    });
  });

  it('answers recent exposures and dismissals of one account since an instant (inclusive), oldest first', async () => {
    const b = (type: StoredEvent['type'], accountId: string, at: number, userId: string | null, offerId = 'o1') =>
      event(type, accountId, at, { source: 'browser', userId, offerId });
    await store.insertEvents([
      b('exposure', 'a1', T0 + 3 * DAY, 'u1'),
      b('exposure', 'a1', T0 + 1 * DAY, 'u2', 'o2'),
      b('exposure', 'a1', T0 - DAY, 'u1'),
      b('dismiss', 'a1', T0 + 2 * DAY, null),
      b('click', 'a1', T0 + 2 * DAY, 'u1'),
      b('exposure', 'a2', T0 + 2 * DAY, 'u9'),
      b('exposure', 'a1', T0, 'u3'),
    ]);
    expect(await store.recentHistory('a1', T0)).toEqual({
      exposures: [
        { offerId: 'o1', userId: 'u3', at: T0 },
        { offerId: 'o2', userId: 'u2', at: T0 + DAY },
        { offerId: 'o1', userId: 'u1', at: T0 + 3 * DAY },
      ],
      dismissals: [{ offerId: 'o1', userId: null, at: T0 + 2 * DAY }],
    });
    expect(await store.recentHistory('nobody', T0)).toEqual({ exposures: [], dismissals: [] });
  });

  it('answers history over any span, whatever was asked or stored before, each event once', async () => {
    const b = (type: StoredEvent['type'], at: number, extra: Partial<StoredEvent> = {}) =>
      event(type, 'a1', at, { source: 'browser', offerId: 'o1', userId: 'u1', ...extra });
    const ats = (since: number) => store.recentHistory('a1', since).then((h) => [...h.exposures, ...h.dismissals].map((e) => e.at).sort((x, y) => x - y));
    const early = b('exposure', T0 - 30 * DAY);
    await store.insertEvents([early, b('exposure', T0), b('dismiss', T0 + DAY)]);
    expect(await ats(T0)).toEqual([T0, T0 + DAY]);
    // Back-dated after the first question, then asked from further back; repeated ids change nothing.
    await store.insertEvents([b('exposure', T0 - 5 * DAY), b('exposure', T0 + 2 * DAY), early]);
    expect(await ats(T0)).toEqual([T0, T0 + DAY, T0 + 2 * DAY]);
    expect(await ats(T0 - 10 * DAY)).toEqual([T0 - 5 * DAY, T0, T0 + DAY, T0 + 2 * DAY]);
    expect(await ats(T0 - 60 * DAY)).toEqual([T0 - 30 * DAY, T0 - 5 * DAY, T0, T0 + DAY, T0 + 2 * DAY]);
    // Received long before its instant (a future `at`), then found by its instant.
    await store.insertEvents([b('exposure', T0 + 9 * DAY, { receivedAt: T0 - 90 * DAY })]);
    expect(await ats(T0 + 3 * DAY)).toEqual([T0 + 9 * DAY]);
    // Another process (or server) writes; this store sees it on the next question.
    const other = another();
    await other.migrate();
    await other.insertEvents([b('exposure', T0 + 3 * DAY, { userId: 'u2' }), b('exposure', T0 - 40 * DAY)]);
    await other.close();
    expect(await ats(T0 + 2 * DAY)).toEqual([T0 + 2 * DAY, T0 + 3 * DAY, T0 + 9 * DAY]);
    expect(await ats(T0 - 60 * DAY)).toEqual([T0 - 40 * DAY, T0 - 30 * DAY, T0 - 5 * DAY, T0, T0 + DAY, T0 + 2 * DAY, T0 + 3 * DAY, T0 + 9 * DAY]);
    await store.upsertAccounts([account('a1', T0 - 100 * DAY)], T0);
    expect((await store.decisionState('a1', T0 + 3 * DAY, T0 + 10 * DAY)).history).toEqual(await store.recentHistory('a1', T0 + 3 * DAY));
  });

  it('says whether an account has product two: trial, paid, canceled, paid again', async () => {
    expect(await store.isAttached('a1', T0)).toBe(false);
    await store.insertEvents([event('paid', 'a1', T0 + 10 * DAY), event('canceled', 'a1', T0 + 20 * DAY)]);
    expect(await store.isAttached('a1', T0 + 9 * DAY)).toBe(false);
    expect(await store.isAttached('a1', T0 + 10 * DAY)).toBe(true);
    expect(await store.isAttached('a1', T0 + 20 * DAY)).toBe(false);
    await store.insertEvents([event('paid', 'a1', T0 + 30 * DAY)]);
    expect(await store.isAttached('a1', T0 + 25 * DAY)).toBe(false);
    expect(await store.isAttached('a1', T0 + 30 * DAY)).toBe(true);
    expect(await store.isAttached('a2', T0 + 30 * DAY)).toBe(false);
    await store.insertEvents([event('trial_start', 'a2', T0 + 5 * DAY, { source: 'browser' })]);
    expect(await store.isAttached('a2', T0 + 5 * DAY - 1)).toBe(false);
    expect(await store.isAttached('a2', T0 + 5 * DAY)).toBe(true);
  });

  it('keeps the first recorded assignment forever', async () => {
    const first: Assignment = { accountId: 'a1', offerId: 'o1', arm: 'control', variant: null, assignedAt: T0 };
    expect(await store.recordAssignments([first])).toEqual([first]);
    const later: Assignment = { ...first, arm: 'treatment', variant: 'A', assignedAt: T0 + DAY };
    const other: Assignment = { accountId: 'a1', offerId: 'o2', arm: 'treatment', variant: 'B', assignedAt: T0 + DAY };
    expect(await store.recordAssignments([later, other, { ...other, arm: 'control' }])).toEqual([first, other]);
    expect(await store.getAssignments('a1')).toEqual([first, other]);
    expect(await store.getAssignments('a2')).toEqual([]);
  });

  it('answers the reads of decide in one go exactly as the single getters do', async () => {
    const b = (type: StoredEvent['type'], accountId: string, at: number, userId: string | null, offerId: string | null = 'o1') =>
      event(type, accountId, at, { source: 'browser', userId, offerId });
    await store.upsertAccounts([account('a1', T0 - 90 * DAY, { usage: { reports: 3 } }), account('a2', T0 - 10 * DAY)], T0);
    await store.insertEvents([
      b('exposure', 'a1', T0 + 3 * DAY, 'u1'),
      b('exposure', 'a1', T0 + DAY, 'u2', 'o2'),
      b('exposure', 'a1', T0 - DAY, 'u1'),
      b('exposure', 'a1', T0 + 2 * DAY, 'u1', null),
      b('dismiss', 'a1', T0 + 2 * DAY, null),
      b('click', 'a1', T0 + 2 * DAY, 'u1'),
      b('exposure', 'a2', T0 + 2 * DAY, 'u9'),
      event('paid', 'a1', T0 + 10 * DAY),
      event('canceled', 'a1', T0 + 20 * DAY),
      event('trial_start', 'nobody', T0, { source: 'browser' }),
    ]);
    await store.recordAssignments([
      { accountId: 'a1', offerId: 'o2', arm: 'treatment', variant: 'B', assignedAt: T0 + DAY },
      { accountId: 'a1', offerId: 'o1', arm: 'control', variant: null, assignedAt: T0 },
    ]);
    for (const [id, since, now] of [
      ['a1', T0, T0 + 15 * DAY],
      ['a1', T0 + 2 * DAY, T0 + 25 * DAY],
      ['a1', T0 - 5 * DAY, T0 + 5 * DAY],
      ['a2', T0, T0 + 30 * DAY],
    ] as const) {
      const state = await store.decisionState(id, since, now);
      expect(state).toEqual({
        account: await store.getAccount(id),
        history: await store.recentHistory(id, since),
        assignments: await store.getAssignments(id),
        attached: await store.isAttached(id, now),
      });
      expect(state.account?.id).toBe(id);
    }
    const a1 = await store.decisionState('a1', T0, T0 + 15 * DAY);
    expect(a1.attached).toBe(true);
    expect(a1.history.exposures.map((e) => e.at)).toEqual([T0 + DAY, T0 + 3 * DAY]);
    expect(a1.history.dismissals).toEqual([{ offerId: 'o1', userId: null, at: T0 + 2 * DAY }]);
    expect(a1.assignments.map((a) => a.offerId)).toEqual(['o1', 'o2']);
    // Events alone do not make an account: unknown means nothing to decide on.
    expect(await store.decisionState('nobody', T0, T0 + DAY)).toEqual({
      account: null,
      history: { exposures: [], dismissals: [] },
      assignments: [],
      attached: false,
    });
  });

  it('answers decide reads after every kind of write, its own or another instance\'s, as the tables read then', async () => {
    const now = T0 + 100 * DAY;
    const matchesGetters = async (id: string) =>
      expect(await store.decisionState(id, T0, now)).toEqual({
        account: await store.getAccount(id),
        history: await store.recentHistory(id, T0),
        assignments: await store.getAssignments(id),
        attached: await store.isAttached(id, now),
      });
    const other = another();
    await other.migrate();
    const steps: [string, () => Promise<unknown>][] = [
      ['account created', () => store.upsertAccounts([account('a1', T0 - 90 * DAY)], T0)],
      ['account changed', () => store.upsertAccounts([account('a1', T0 - 90 * DAY, { plan: 'team' })], T0)],
      ['assignment', () => store.recordAssignments([{ accountId: 'a1', offerId: 'o1', arm: 'treatment', variant: 'A', assignedAt: T0 }])],
      ['exposure', () => store.insertEvents([event('exposure', 'a1', T0 + DAY, { source: 'browser', offerId: 'o1' })])],
      ['paid', () => store.insertEvents([event('paid', 'a1', T0 + 2 * DAY)])],
      ['canceled elsewhere', () => other.insertEvents([event('canceled', 'a1', T0 + 3 * DAY)])],
      ['account changed elsewhere', () => other.upsertAccounts([account('a1', T0 - 90 * DAY, { plan: 'scale' })], T0)],
      ['assignment elsewhere', () => other.recordAssignments([{ accountId: 'a1', offerId: 'o2', arm: 'control', variant: null, assignedAt: T0 }])],
      ['dismiss elsewhere', () => other.insertEvents([event('dismiss', 'a1', T0 + 4 * DAY, { source: 'browser', offerId: 'o2' })])],
      ['trial', () => store.insertEvents([event('trial_start', 'a1', T0 + 5 * DAY, { source: 'browser' })])],
    ];
    await matchesGetters('a1');
    for (const [name, write] of steps) {
      await write();
      // Another process's commit lands between this one's event-loop turns (a store may
      // answer all reads of one turn as of its start): let one pass.
      if (name.endsWith('elsewhere')) await new Promise((resolve) => setImmediate(resolve));
      await matchesGetters('a1');
    }
    await other.close();
    const last = await store.decisionState('a1', T0, now);
    expect(last.account?.plan).toBe('scale');
    expect(last.assignments.map((a) => [a.offerId, a.arm])).toEqual([['o1', 'treatment'], ['o2', 'control']]);
    expect(last.history.dismissals).toHaveLength(1);
    expect(last.attached).toBe(true);
  });

  it('answers concurrent decisionState calls each for itself, even beside a call that fails', async () => {
    await store.upsertAccounts([account('a1', T0), account('a2', T0)], T0);
    await store.recordAssignments([{ accountId: 'a2', offerId: 'o1', arm: 'control', variant: null, assignedAt: T0 }]);
    const [r1, r2, rBad, rNobody] = await Promise.allSettled([
      store.decisionState('a1', T0, T0 + DAY),
      store.decisionState('a2', T0, T0 + DAY),
      // PostgreSQL refuses a NUL byte in text; whatever a store does with it, the other calls stand.
      store.decisionState('a\u0000bad', T0, T0 + DAY),
      store.decisionState('nobody', T0, T0 + DAY),
    ]);
    expect(rBad).toBeDefined();
    expect(r1).toMatchObject({ status: 'fulfilled', value: { account: { id: 'a1' }, assignments: [] } });
    expect(r2).toMatchObject({ status: 'fulfilled', value: { account: { id: 'a2' }, assignments: [{ accountId: 'a2', offerId: 'o1', arm: 'control' }] } });
    expect(rNobody).toMatchObject({ status: 'fulfilled', value: { account: null } });
  });

  it('keeps one assignment when 20 calls record different arms at the same moment', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.recordAssignments([
          { accountId: 'a1', offerId: 'o1', arm: i % 2 ? 'treatment' : 'control', variant: `v${i}`, assignedAt: T0 + i },
        ]),
      ),
    );
    const [stored] = await store.getAssignments('a1');
    expect(stored).toBeDefined();
    for (const r of results) expect(r).toEqual([stored]);
  });

  it('answers each of many concurrent assignment and event writes with its own result, all stored', async () => {
    await store.upsertAccounts([account('a1', T0), account('a2', T0)], T0);
    const browser = { source: 'browser' as const, userId: 'u1' };
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      const accountId = i % 2 ? 'a1' : 'a2';
      calls.push(
        store.recordAssignments([
          { accountId, offerId: `o${i}`, arm: 'treatment', variant: null, assignedAt: T0 + i },
          { accountId, offerId: 'shared', arm: i % 3 ? 'treatment' : 'control', variant: `v${i}`, assignedAt: T0 + i },
        ]),
        store.insertEvents([event('exposure', accountId, T0 + DAY + i, { ...browser, offerId: `o${i}` })]),
      );
    }
    const results = await Promise.all(calls);
    const shared = new Map((await Promise.all(['a1', 'a2'].map((a) => store.getAssignments(a)))).flat().filter((a) => a.offerId === 'shared').map((a) => [a.accountId, a]));
    for (let i = 0; i < 10; i++) {
      const accountId = i % 2 ? 'a1' : 'a2';
      expect(results[2 * i]).toEqual([
        { accountId, offerId: `o${i}`, arm: 'treatment', variant: null, assignedAt: T0 + i },
        shared.get(accountId),
      ]);
      expect(results[2 * i + 1]).toMatchObject({ inserted: [expect.any(String)], duplicates: [] });
    }
    const facts = await store.loadFacts({ activatedBefore: T0 });
    for (const f of facts) {
      expect(f.offers).toHaveLength(6);
      for (const o of f.offers.filter((x) => x.offerId !== 'shared')) {
        expect(o).toMatchObject({ arm: 'treatment', exposedAt: T0 + DAY + Number(o.offerId.slice(1)) });
      }
    }
  });

  it('answers concurrent event writes each for itself: a shared id is inserted once, a failing call fails alone', async () => {
    const shared = event('exposure', 'a1', T0, { source: 'browser', offerId: 'o1' });
    const own = [0, 1, 2].map((i) => event('click', 'a1', T0 + i, { source: 'browser', offerId: 'o1' }));
    // PostgreSQL refuses a NUL byte in text; whatever a store does with it, the other calls stand.
    const bad = event('exposure', 'a2', T0, { source: 'browser', offerId: 'o\u0000bad' });
    const [r0, r1, r2, rBad] = await Promise.allSettled([
      store.insertEvents([shared, own[0]!]),
      store.insertEvents([own[1]!, shared]),
      store.insertEvents([own[2]!]),
      store.insertEvents([bad]),
    ]);
    expect(rBad).toBeDefined();
    const [a, b, c] = [r0, r1, r2].map((r) => {
      if (r?.status !== 'fulfilled') throw new Error(`a valid call failed: ${String(r?.status === 'rejected' ? r.reason : r)}`);
      return r.value;
    });
    expect(a!.inserted).toContain(own[0]!.id);
    expect(b!.inserted).toContain(own[1]!.id);
    expect(c).toEqual({ inserted: [own[2]!.id], duplicates: [] });
    // Exactly one of the two calls carrying the shared id stored it.
    expect([a!.inserted.includes(shared.id), b!.inserted.includes(shared.id)].filter(Boolean)).toHaveLength(1);
    expect([a!.duplicates.includes(shared.id), b!.duplicates.includes(shared.id)].filter(Boolean)).toHaveLength(1);
    expect((await store.recentHistory('a1', T0)).exposures).toEqual([{ offerId: 'o1', userId: null, at: T0 }]);
  });

  it('saves offers with versions and a before/after audit log; deletes; re-creates', async () => {
    const v1 = await store.saveOffer(offer('o1'), 'alice', 'create', T0);
    expect(v1).toEqual({ ...offer('o1'), version: 1, updatedAt: new Date(T0).toISOString() });
    const v2 = await store.saveOffer(offer('o1', { priority: 5 }), 'bob', 'update', T0 + 1000);
    expect(v2.version).toBe(2);
    await store.saveOffer(offer('o0'), 'alice', 'create', T0 + 2000);
    expect(await store.getOffer('o1')).toEqual(v2);
    expect((await store.listOffers()).map((o) => o.id)).toEqual(['o0', 'o1']);
    const audit = await store.listAudit('o1');
    expect(audit.map((a) => [a.action, a.actor, a.at, a.before?.version ?? null, a.after?.version ?? null])).toEqual([
      ['create', 'alice', T0, null, 1],
      ['update', 'bob', T0 + 1000, 1, 2],
    ]);
    expect(audit[1]!.before).toEqual(v1);
    expect(audit[1]!.after).toEqual(v2);
    expect(await store.getAudit(audit[1]!.id)).toEqual(audit[1]);
    expect(await store.getAudit(999_999)).toBeNull();

    expect(await store.deleteOffer('o1', 'carol', T0 + 3000)).toBe(true);
    expect(await store.deleteOffer('o1', 'carol', T0 + 4000)).toBe(false);
    expect(await store.deleteOffer('nope', 'carol', T0)).toBe(false);
    expect(await store.getOffer('o1')).toBeNull();
    expect((await store.listOffers()).map((o) => o.id)).toEqual(['o0']);
    const v3 = await store.saveOffer(offer('o1'), 'dave', 'rollback', T0 + 5000);
    expect(v3.version).toBe(3);
    const after = await store.listAudit('o1');
    expect(after.slice(2).map((a) => [a.action, a.actor, a.before?.version ?? null, a.after?.version ?? null])).toEqual([
      ['delete', 'carol', 2, null],
      ['rollback', 'dave', null, 3],
    ]);
  });

  it('numbers concurrent saves of one offer without gaps or repeats', async () => {
    const saved = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.saveOffer(offer('o1', { priority: i }), `u${i}`, 'update', T0 + i)),
    );
    expect(saved.map((o) => o.version).sort((a, b) => a! - b!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const audit = await store.listAudit('o1');
    expect(audit.map((a) => a.after?.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(audit.slice(1).map((a) => a.before?.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('claims a Stripe event exactly once under concurrent delivery', async () => {
    const claims = await Promise.all(Array.from({ length: 20 }, () => store.claimStripeEvent('evt_1', T0)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.claimStripeEvent('evt_1', T0 + 1)).toBe(false);
    expect(await store.claimStripeEvent('evt_2', T0 + 1)).toBe(true);
  });

  it('creates, lists and revokes API keys (hashes only), keeping the first revocation instant', async () => {
    const key = { id: 'k1', kind: 'secret' as const, hash: 'a'.repeat(64), prefix: 'sk_live_ab', createdAt: T0, revokedAt: null, label: 'ci' };
    await store.createKey(key);
    await store.createKey({ ...key, id: 'k2', kind: 'publishable', hash: 'b'.repeat(64), prefix: 'pk_live_cd', createdAt: T0 + 1, label: null });
    expect((await store.listKeys()).map((k) => k.id)).toEqual(['k1', 'k2']);
    expect((await store.listKeys())[0]).toEqual(key);
    expect(await store.revokeKey('k1', T0 + 10)).toBe(true);
    expect(await store.revokeKey('k1', T0 + 20)).toBe(true);
    expect(await store.revokeKey('missing', T0)).toBe(false);
    expect((await store.listKeys())[0]!.revokedAt).toBe(T0 + 10);
    expect((await store.listKeys())[1]!.revokedAt).toBeNull();
  });

  it('loads facts of accounts activated at or before the instant only, never of event-only accounts', async () => {
    await store.upsertAccounts(
      [account('early', T0), account('edge', T0 + DAY, { arr: 99.5, plan: 'team', region: 'us', channel: 'acme' }), account('late', T0 + 2 * DAY)],
      T0,
    );
    await store.insertEvents([event('paid', 'ghost', T0), event('paid', 'edge', T0 + 3 * DAY)]);
    const facts = await store.loadFacts({ activatedBefore: T0 + DAY });
    expect(facts.map((f) => f.id).sort()).toEqual(['early', 'edge']);
    expect(byId(facts).get('edge')).toMatchObject({ arr: 99.5, plan: 'team', region: 'us', channel: 'acme', paidAt: [T0 + 3 * DAY] });
    // Conversions that arrived before the account keep their state once it is upserted.
    await store.upsertAccounts([{ id: 'ghost', activatedAt: new Date(T0).toISOString() }], T0);
    const ghost = byId(await store.loadFacts({ activatedBefore: T0 })).get('ghost');
    expect(ghost).toMatchObject({ paidAt: [T0], arr: 0, plan: null, region: null, channel: null });
  });

  it('loads facts that follow every later write, also writes made by another instance on the same database', async () => {
    await store.upsertAccounts([account('a1', T0), account('a2', T0)], T0);
    const before = await store.loadFacts({ activatedBefore: T0 });
    const snapshot = JSON.parse(JSON.stringify(before));
    await store.insertEvents([event('paid', 'a1', T0 + DAY), event('exposure', 'a2', T0 + DAY, { offerId: 'o1', source: 'browser' })]);
    await store.recordAssignments([{ accountId: 'a2', offerId: 'o1', arm: 'treatment', variant: null, assignedAt: T0 }]);
    await store.upsertAccounts([account('a2', T0, { plan: 'team' }), account('a3', T0 + DAY)], T0);
    let facts = byId(await store.loadFacts({ activatedBefore: T0 + DAY }));
    expect(facts.get('a1')!.paidAt).toEqual([T0 + DAY]);
    expect(facts.get('a2')).toMatchObject({ plan: 'team', offers: [{ offerId: 'o1', arm: 'treatment', exposedAt: T0 + DAY }] });
    expect(facts.has('a3')).toBe(true);
    // What an earlier call returned is a snapshot: later writes do not change it.
    expect(JSON.parse(JSON.stringify(before))).toEqual(snapshot);

    const other = another();
    try {
      await other.migrate();
      await other.insertEvents([event('canceled', 'a1', T0 + 2 * DAY), event('click', 'a2', T0 + 2 * DAY, { offerId: 'o1' })]);
      await other.recordAssignments([{ accountId: 'a1', offerId: 'o1', arm: 'control', variant: null, assignedAt: T0 }]);
      await other.upsertAccounts([{ ...account('a3', T0 + DAY), activatedAt: new Date(T0 + 5 * DAY).toISOString() }], T0);
    } finally {
      await other.close();
    }
    facts = byId(await store.loadFacts({ activatedBefore: T0 + DAY }));
    expect(facts.get('a1')).toMatchObject({ canceledAt: [T0 + 2 * DAY], offers: [{ offerId: 'o1', arm: 'control' }] });
    expect(facts.get('a2')!.offers[0]).toMatchObject({ clickedAt: T0 + 2 * DAY, exposedAt: T0 + DAY });
    expect(facts.has('a3')).toBe(false);
  });

  it('warms the facts copy while writes and reports go on, then answers like a fresh load', async () => {
    const ids = Array.from({ length: 9 }, (_, i) => `a${i}`);
    await store.upsertAccounts(ids.map((id) => account(id, T0)), T0);
    await store.recordAssignments(ids.slice(0, 5).map((accountId) => ({ accountId, offerId: 'o1', arm: 'treatment', variant: null, assignedAt: T0 })));
    await store.insertEvents(ids.map((id, i) => event('exposure', id, T0 + i, { offerId: i % 2 ? 'o1' : 'o2', source: 'browser' })));
    const warming = store.warmFacts();
    const writes = Promise.all([
      store.insertEvents([event('paid', 'a3', T0 + DAY), event('click', 'a7', T0 + DAY, { offerId: 'o2', source: 'browser' })]),
      store.recordAssignments([{ accountId: 'a8', offerId: 'o2', arm: 'control', variant: null, assignedAt: T0 }]),
      store.upsertAccounts([account('a9', T0), account('a0', T0, { plan: 'team' })], T0),
      (async () => {
        // One after the other, so they spread over the whole warm-up, each account once (last first):
        // some land on rows already read back and must still be in the warmed copy.
        for (const id of [...ids].reverse()) await store.insertEvents([event('paid', id, T0 + 2 * DAY)]);
      })(),
    ]);
    const during = store.loadFacts({ activatedBefore: T0 });
    await Promise.all([warming, writes]);
    expect((await during).length).toBeGreaterThanOrEqual(9);
    await store.warmFacts(); // already warm: nothing to do
    const warmed = (await store.loadFacts({ activatedBefore: T0 })).map(sortOffers);
    const fresh = another();
    try {
      const reference = (await fresh.loadFacts({ activatedBefore: T0 })).map(sortOffers);
      const byAccount = (xs: AccountFacts[]) => [...xs].sort((x, y) => (x.id < y.id ? -1 : 1));
      expect(byAccount(warmed)).toEqual(byAccount(reference));
      expect(byId(warmed).get('a3')!.paidAt).toEqual([T0 + DAY, T0 + 2 * DAY]);
      for (const id of ids) expect(byId(warmed).get(id)!.paidAt).toContain(T0 + 2 * DAY);
      expect(byId(warmed).get('a0')!.plan).toBe('team');
      expect(byId(warmed).get('a8')!.offers).toContainEqual(expect.objectContaining({ offerId: 'o2', arm: 'control' }));
      expect(byId(warmed).has('a9')).toBe(true);
    } finally {
      await fresh.close();
    }
  });

  it('loads the same facts when many reports and writes interleave', async () => {
    await store.upsertAccounts(
      Array.from({ length: 20 }, (_, i) => account(`a${i}`, T0)),
      T0,
    );
    const random = rng(3);
    const written: StoredEvent[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async (_, w) => {
        for (let k = 0; k < 5; k++) {
          const batch = Array.from({ length: 10 }, () => event('paid', `a${Math.floor(random() * 20)}`, T0 + Math.floor(random() * 100) * DAY));
          written.push(...batch);
          await store.insertEvents(batch);
          if (w % 2 === 0) await store.loadFacts({ activatedBefore: T0 });
        }
      }),
    );
    const facts = byId(await store.loadFacts({ activatedBefore: T0 }));
    for (let i = 0; i < 20; i++) {
      const expected = written
        .filter((e) => e.accountId === `a${i}`)
        .map((e) => e.at)
        .sort((x, y) => x - y);
      expect(facts.get(`a${i}`)!.paidAt).toEqual(expected);
    }
  });
});
