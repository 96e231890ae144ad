import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { storedEvent } from '../../testing/events.ts';
import type { AccountFacts, Store } from '../types.ts';
import { openPostgresStore } from './postgres-store.ts';

const DATABASE_URL = process.env.DATABASE_URL;
const T0 = Date.UTC(2026, 0, 1);
const sorted = (facts: AccountFacts[]) =>
  [...facts].sort((a, b) => (a.id < b.id ? -1 : 1)).map((f) => ({ ...f, offers: [...f.offers].sort((x, y) => (x.offerId < y.offerId ? -1 : 1)) }));

if (!DATABASE_URL) {
  describe('postgres state log', () => {
    it.skip('skipped: DATABASE_URL is not set (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test)', () => {});
  });
} else {
  describe('postgres state log', () => {
    const schema = `tandem_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
    afterAll(async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    });

    it('reloads the facts copy and decide inputs whole once log entries a server has not read were pruned', async () => {
      const open = (keep: number): Store => openPostgresStore({ url: DATABASE_URL, schema, followMs: 0, stateLogKeepMs: keep, stateLogPruneEvery: 1 });
      const reader = open(60_000);
      const writer = open(0); // prunes every entry as soon as it writes
      await reader.migrate();
      await writer.migrate();
      await writer.upsertAccounts(Array.from({ length: 6 }, (_, i) => ({ id: `a${i}`, activatedAt: new Date(T0).toISOString() })), T0);
      expect(await reader.loadFacts({ activatedBefore: T0 })).toHaveLength(6);
      expect((await reader.decisionState('a0', T0, T0 + 1)).attached).toBe(false);
      for (let i = 0; i < 12; i++) {
        await writer.insertEvents([
          storedEvent('paid', `a${i % 6}`, T0 + i, { id: `p${i}` }),
          storedEvent('click', `a${(i + 1) % 6}`, T0 + i, { id: `c${i}`, offerId: 'o1', source: 'browser' }),
        ]);
      }
      const fresh = open(60_000);
      const expected = sorted(await fresh.loadFacts({ activatedBefore: T0 }));
      expect(sorted(await reader.loadFacts({ activatedBefore: T0 }))).toEqual(expected);
      expect(expected.find((f) => f.id === 'a0')!.paidAt).toEqual([T0, T0 + 6]);
      expect((await reader.decisionState('a0', T0, T0 + 1)).attached).toBe(true);
      await Promise.all([reader.close(), writer.close(), fresh.close()]);
    });
  });
}
