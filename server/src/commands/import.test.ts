import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Account } from '@tandem/core';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizeConfig } from '../config.ts';
import { csvField, factsFromEvents } from '../metrics/index.ts';
import { attachReport } from '../metrics/index.ts';
import { openSqliteStore } from '../store/index.ts';
import type { Store, StoredEvent } from '../store/types.ts';
import { importFiles, registerImportCommand } from './import.ts';
import { splitCsv } from './import-rows.ts';
import { storedEvent } from '../testing/events.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const PLANS = ['starter', 'pro', 'business'];

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Accounts and their raw events with random timing; events shuffled (back-dated, any order). */
function generate(n: number, seed: number): { accounts: Account[]; events: StoredEvent[] } {
  const rand = prng(seed);
  const accounts: Account[] = [];
  const events: StoredEvent[] = [];
  let k = 0;
  const add = (type: StoredEvent['type'], accountId: string, at: number, extra: Partial<StoredEvent> = {}) =>
    events.push(storedEvent(type, accountId, at, { receivedAt: 0, source: 'import', ...extra, id: `ev-${seed}-${k++}` }));
  for (let i = 0; i < n; i++) {
    const id = `acct-${i}`;
    const activatedAt = T0 + Math.floor(rand() * 500 * DAY);
    accounts.push({
      id,
      activatedAt: new Date(activatedAt).toISOString(),
      plan: PLANS[i % PLANS.length]!,
      arr: 1000 + Math.floor(rand() * 50) * 100,
      region: rand() < 0.5 ? 'emea' : 'na',
      channel: 'direct',
    });
    const at = () => activatedAt + Math.floor(rand() * 400 * DAY);
    for (const offerId of ['o1', 'o2']) {
      if (rand() < 0.6) add('exposure', id, at(), { offerId, variant: rand() < 0.5 ? 'a' : 'b', userId: 'u1' });
      if (rand() < 0.3) add('click', id, at(), { offerId });
      if (rand() < 0.2) add('dismiss', id, at(), { offerId });
    }
    if (rand() < 0.4) add(rand() < 0.5 ? 'trial_start' : 'trial_started', id, at(), { productId: rand() < 0.5 ? 'insights' : null });
    if (rand() < 0.3) add('paid', id, at(), { productId: 'insights', arr: 348 });
    if (rand() < 0.1) add('canceled', id, at());
    if (rand() < 0.1) add('paid', id, at());
    for (let u = Math.floor(rand() * 4); u > 0; u--) add('usage', id, at(), { quantity: Math.floor(rand() * 3) });
  }
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [events[i], events[j]] = [events[j]!, events[i]!];
  }
  return { accounts, events };
}

const EVENT_COLUMNS = ['id', 'type', 'accountId', 'userId', 'offerId', 'variant', 'at', 'productId', 'arr', 'quantity'] as const;

function eventsCsv(events: readonly StoredEvent[]): string {
  const rows = events.map((e) =>
    EVENT_COLUMNS.map((c) => (c === 'at' ? new Date(e.at).toISOString() : csvField(e[c] as string | number | null))).join(','),
  );
  return [EVENT_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-import-'));
  store = openSqliteStore({ dataDir: join(dir, 'data') });
  await store.migrate();
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('importFiles', () => {
  it('imports NDJSON accounts and shuffled CSV events so that reports equal the fold over the raw events', async () => {
    const { accounts, events } = generate(400, 7);
    // Half the events go in before the accounts exist, half after: arrival order must not matter.
    const half = Math.floor(events.length / 2);
    writeFileSync(join(dir, 'early-events.csv'), eventsCsv(events.slice(0, half)));
    writeFileSync(join(dir, 'accounts.ndjson'), accounts.map((a) => JSON.stringify(a)).join('\n') + '\n');
    writeFileSync(join(dir, 'late-events.csv'), eventsCsv(events.slice(half)));
    const summary = await importFiles(store, ['early-events.csv', 'accounts.ndjson', 'late-events.csv'].map((f) => join(dir, f)), {
      batchSize: 97,
      productIds: ['ledger', 'insights'],
    });
    expect(summary.errors).toEqual([]);
    expect(summary.accounts).toEqual({ imported: 400, rejected: 0 });
    expect(summary.events).toEqual({ imported: events.length, duplicates: 0, rejected: 0 });

    const expectedFacts = factsFromEvents(accounts, events, []);
    for (const asOf of [T0 + 100 * DAY, T0 + 400 * DAY, T0 + 700 * DAY, T0 + 1000 * DAY]) {
      const stored = await store.loadFacts({ activatedBefore: asOf });
      const reference = expectedFacts.filter((f) => f.activatedAt <= asOf);
      for (const definition of ['trial', 'paid', 'active'] as const) {
        for (const [denominator, offerId] of [['all', null], ['exposed', null], ['exposed', 'o2']] as const) {
          for (const weight of ['logo', 'arr'] as const) {
            const opts = { definition, denominator, weight, asOf, offerId, by: 'variant' as const };
            expect(attachReport(stored, opts)).toEqual(attachReport(reference, opts));
          }
        }
      }
    }
  });

  it('counts a re-imported file as duplicates and changes nothing', async () => {
    const { accounts, events } = generate(50, 3);
    writeFileSync(join(dir, 'accounts.ndjson'), accounts.map((a) => JSON.stringify(a)).join('\n'));
    writeFileSync(join(dir, 'events.csv'), eventsCsv(events));
    const files = [join(dir, 'accounts.ndjson'), join(dir, 'events.csv')];
    await importFiles(store, files);
    const before = await store.loadFacts({ activatedBefore: Number.MAX_SAFE_INTEGER });
    const again = await importFiles(store, files);
    expect(again.events).toEqual({ imported: 0, duplicates: events.length, rejected: 0 });
    expect(await store.countEvents()).toBe(events.length);
    expect(await store.loadFacts({ activatedBefore: Number.MAX_SAFE_INTEGER })).toEqual(before);
  });

  it('refuses bad rows with their line, field and received value, and keeps the good ones', async () => {
    writeFileSync(
      join(dir, 'accounts.ndjson'),
      [
        '{"id":"a1","activatedAt":"2025-02-01T00:00:00Z","plan":"pro","arr":1200}',
        '',
        '{"id":"a2","activatedAt":"2025-02-01T00:00:00Z","arr":"lots"}',
        '{"id":"a3"}',
        '{"id":"a4", oops}',
        '[1,2]',
        '{"id":"a5","activatedAt":"yesterday"}',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'events.csv'),
      [
        'id,type,accountId,at,productId,quantity',
        'e1,paid,a1,2025-03-01T00:00:00Z,insights,',
        'e2,bought,a1,2025-03-01T00:00:00Z,,',
        'e3,usage,a1,last tuesday,,',
        'e4,usage,a1,2025-03-02T00:00:00Z,,many',
        'e5,paid,a1,2025-03-01T00:00:00Z,other,',
        'e6,paid,a1',
        '"e7,with comma",usage,a1,2025-03-03T00:00:00Z,,2',
        '"e8',
        'still e8",usage,a1,2025-03-04T00:00:00Z,,x',
      ].join('\n'),
    );
    const summary = await importFiles(store, [join(dir, 'accounts.ndjson'), join(dir, 'events.csv')], {
      productIds: ['ledger', 'insights'],
    });
    expect(summary.accounts).toEqual({ imported: 1, rejected: 5 });
    expect(summary.events).toEqual({ imported: 2, duplicates: 0, rejected: 6 });
    const byLine = summary.errors.map((e) => `${e.file}:${e.line} ${e.message}`);
    expect(byLine[0]).toBe('accounts.ndjson:3 `arr` must be a number, got "lots"');
    expect(byLine[1]).toBe('accounts.ndjson:4 `activatedAt` is required');
    expect(byLine[2]).toMatch(/^accounts\.ndjson:5 not valid JSON/);
    expect(byLine[3]).toBe('accounts.ndjson:6 must be a JSON object, got an array');
    expect(byLine[4]).toBe('accounts.ndjson:7 `activatedAt` must be an ISO 8601 date-time string (e.g. 2026-01-31T12:00:00Z), got "yesterday"');
    expect(byLine[5]).toMatch(/^events\.csv:3 `type` must be one of .*"paid".*, got "bought"$/);
    expect(byLine[6]).toBe('events.csv:4 `at` must be an ISO 8601 date-time string (e.g. 2026-01-31T12:00:00Z), got "last tuesday"');
    expect(byLine[7]).toBe('events.csv:5 `quantity` must be a number, got "many"');
    expect(byLine[8]).toBe('events.csv:6 `productId` must be one of the configured products (ledger, insights), got "other"');
    expect(byLine[9]).toBe('events.csv:7 has 3 fields, the header has 6');
    // The quoted id spans lines 9–10: the record is reported at the line it starts on.
    expect(byLine[10]).toBe('events.csv:9 `quantity` must be a number, got "x"');
    const facts = await store.loadFacts({ activatedBefore: Number.MAX_SAFE_INTEGER });
    expect(facts).toHaveLength(1);
    expect(facts[0]!.paidAt).toEqual([Date.parse('2025-03-01T00:00:00Z')]);
    expect(facts[0]!.usage).toEqual([{ at: Date.parse('2025-03-03T00:00:00Z'), quantity: 2 }]);
  });

  it('tells accounts from events by the first record when the name does not say', async () => {
    writeFileSync(join(dir, 'batch1.csv'), 'id,activatedAt,plan,arr,usage.reports,pastDue\nx1,2025-01-01T00:00:00Z,pro,99.5,12,true\n');
    const summary = await importFiles(store, [join(dir, 'batch1.csv')]);
    expect(summary.accounts.imported).toBe(1);
    expect(await store.getAccount('x1')).toMatchObject({ plan: 'pro', arr: 99.5, usage: { reports: 12 }, pastDue: true });
  });

  it('refuses a file it cannot read before importing anything', async () => {
    await expect(importFiles(store, [join(dir, 'missing.csv')])).rejects.toThrow(/cannot read .*missing\.csv/);
    await expect(importFiles(store, [join(dir, 'accounts.xlsx')])).rejects.toThrow('must end in .ndjson, .jsonl, .json or .csv');
  });
});

describe('splitCsv', () => {
  it('handles quotes, doubled quotes and open quoted fields', () => {
    expect(splitCsv('a,"b,c","d""e",')).toEqual(['a', 'b,c', 'd"e', '']);
    expect(splitCsv('a,"open')).toBeNull();
  });
});

describe('tandem import', () => {
  it('prints refused rows, plain progress lines off a terminal, and the summary', async () => {
    writeFileSync(join(dir, 'accounts.ndjson'), '{"id":"a1","activatedAt":"2025-02-01T00:00:00Z"}\n{"id":"a2"}\n');
    writeFileSync(join(dir, 'events.csv'), 'id,type,accountId,at\ne1,paid,a1,2025-03-01T00:00:00Z\ne1,paid,a1,2025-03-01T00:00:00Z\n');
    const out: string[] = [];
    const err: string[] = [];
    const config = normalizeConfig({ dataDir: join(dir, 'data'), identity: { verify: false } }, {}, dir);
    const program = new Command('tandem').exitOverride();
    registerImportCommand(program, { io: { out: (l) => out.push(l), err: (l) => err.push(l) }, config: () => config, stderrTty: false });
    try {
      await program.parseAsync(['node', 'tandem', 'import', join(dir, 'accounts.ndjson'), join(dir, 'events.csv')]);
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = undefined;
    }
    expect(err).toContain('accounts.ndjson line 2: `activatedAt` is required');
    expect(err.some((l) => /^events\.csv: read 2 rows in \d/.test(l))).toBe(true);
    expect(out).toEqual(['accounts: 1 imported, 1 rejected', 'events: 1 imported, 1 duplicates, 0 rejected']);
  });
});
