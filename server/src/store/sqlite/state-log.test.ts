import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { storedEvent } from '../../testing/events.ts';
import type { AccountFacts, Store } from '../types.ts';
import { openSqliteStore } from './sqlite-store.ts';

const T0 = Date.UTC(2026, 0, 1);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const sorted = (facts: AccountFacts[]) =>
  [...facts].sort((a, b) => (a.id < b.id ? -1 : 1)).map((f) => ({ ...f, offers: [...f.offers].sort((x, y) => (x.offerId < y.offerId ? -1 : 1)) }));

it('reloads the facts copy whole once the state log entries it has not read were pruned', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-state-log-'));
  dirs.push(dir);
  const open = (): Store => openSqliteStore({ dataDir: dir, stateLogKeep: 4 });
  const reader = open();
  const writer = open();
  await reader.migrate();
  await writer.migrate();
  const accounts = Array.from({ length: 6 }, (_, i) => ({ id: `a${i}`, activatedAt: new Date(T0).toISOString() }));
  await writer.upsertAccounts(accounts, T0);
  expect(await reader.loadFacts({ activatedBefore: T0 })).toHaveLength(6);
  // Twenty write transactions from the other process: only the last four log entries stay.
  for (let i = 0; i < 20; i++) {
    await writer.insertEvents([
      storedEvent('paid', `a${i % 6}`, T0 + i, { id: `p${i}` }),
      storedEvent('click', `a${(i + 1) % 6}`, T0 + i, { id: `c${i}`, offerId: 'o1', source: 'browser' }),
    ]);
  }
  const fresh = open();
  const expected = sorted(await fresh.loadFacts({ activatedBefore: T0 }));
  expect(sorted(await reader.loadFacts({ activatedBefore: T0 }))).toEqual(expected);
  expect(expected.find((f) => f.id === 'a0')!.paidAt).toEqual([T0, T0 + 6, T0 + 12, T0 + 18]);
  await Promise.all([reader.close(), writer.close(), fresh.close()]);
});
