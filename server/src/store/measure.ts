/**
 * Measures the store: insert throughput of 50-event batches and `loadFacts`
 * time over N accounts. Figures only, no pass/fail.
 *
 *   node --import tsx server/src/store/measure.ts sqlite 100000
 *   DATABASE_URL=postgres://… node --import tsx server/src/store/measure.ts postgres 100000 [concurrency]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uuidv7 } from '@tandem/core';
import pg from 'pg';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Assignment, Store, StoredEvent } from './types.ts';

const [kind = 'sqlite', accountsArg = '100000', concurrencyArg = '1'] = process.argv.slice(2);
const ACCOUNTS = Number(accountsArg);
const CONCURRENCY = Number(concurrencyArg);
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);

let seed = 12345;
const random = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};

function eventsFor(accountId: string, activatedAt: number): StoredEvent[] {
  const out: StoredEvent[] = [];
  const add = (type: StoredEvent['type'], at: number, extra: Partial<StoredEvent> = {}) =>
    out.push({
      id: uuidv7(),
      type,
      accountId,
      userId: null,
      offerId: null,
      variant: null,
      decisionId: null,
      placement: null,
      at,
      receivedAt: at,
      source: 'backend',
      productId: null,
      arr: null,
      quantity: null,
      ...extra,
    });
  const start = activatedAt + 60 * DAY;
  for (const offerId of random() < 0.3 ? ['o1', 'o2'] : ['o1']) {
    const exposures = 1 + Math.floor(random() * 6);
    for (let i = 0; i < exposures; i++) add('exposure', start + i * DAY, { offerId, userId: 'u1', source: 'browser', variant: 'A' });
    if (random() < 0.3) add('click', start + DAY, { offerId, source: 'browser' });
    if (random() < 0.2) add('dismiss', start + 2 * DAY, { offerId, source: 'browser' });
  }
  if (random() < 0.3) {
    add('trial_start', start + 2 * DAY, { source: 'browser' });
    if (random() < 0.5) {
      add('paid', start + 16 * DAY);
      for (let m = 0; m < 4; m++) add('usage', start + (16 + m * 30) * DAY, { quantity: 1 + Math.floor(random() * 10) });
      if (random() < 0.2) add('canceled', start + 100 * DAY);
    }
  }
  return out;
}

async function open(): Promise<{ store: Store; cleanup: () => Promise<void> }> {
  if (kind === 'postgres') {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL must be set to measure the postgres store');
    const schema = `tandem_measure_${randomBytes(4).toString('hex')}`;
    const store = openPostgresStore({ url, schema, max: Math.max(CONCURRENCY, 2) });
    return {
      store,
      async cleanup() {
        await store.close();
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'tandem-measure-'));
  const store = openSqliteStore({ dataDir: dir });
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const { store, cleanup } = await open();
try {
  await store.migrate();
  const ids = Array.from({ length: ACCOUNTS }, (_, i) => `acct-${String(i).padStart(7, '0')}`);
  const activated = ids.map(() => T0 + Math.floor(random() * 365) * DAY);
  let t = performance.now();
  for (let i = 0; i < ids.length; i += 1000) {
    await store.upsertAccounts(
      ids.slice(i, i + 1000).map((id, j) => ({
        id,
        activatedAt: new Date(activated[i + j]!).toISOString(),
        plan: ['starter', 'pro', 'team'][j % 3]!,
        arr: 500 + (j % 50) * 100,
        region: j % 2 ? 'eu' : 'us',
        channel: 'direct',
      })),
      Date.now(),
    );
  }
  console.log(`${kind}: upserted ${ACCOUNTS} accounts in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  t = performance.now();
  const assignments: Assignment[] = ids.map((id, i) => ({
    accountId: id,
    offerId: 'o1',
    arm: random() < 0.2 ? 'control' : 'treatment',
    variant: 'A',
    assignedAt: activated[i]! + 60 * DAY,
  }));
  for (let i = 0; i < assignments.length; i += 1000) await store.recordAssignments(assignments.slice(i, i + 1000));
  console.log(`${kind}: recorded ${ACCOUNTS} assignments in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // Events in arrival order (by time), as a live system would see them, in 50-event batches.
  const events = ids.flatMap((id, i) => eventsFor(id, activated[i]!));
  events.sort((a, b) => a.at - b.at);
  const batches: StoredEvent[][] = [];
  for (let i = 0; i < events.length; i += 50) batches.push(events.slice(i, i + 50));
  t = performance.now();
  const cpu = process.cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < batches.length) await store.insertEvents(batches[next++]!);
    }),
  );
  const insertSeconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  // CPU seconds of this process too: on a shared machine wall time also counts other people's work.
  console.log(
    `${kind}: inserted ${events.length} events in 50-event batches (concurrency ${CONCURRENCY}) in ${insertSeconds.toFixed(1)} s = ${Math.round(events.length / insertSeconds)} events/s wall; ${cpuSeconds.toFixed(1)} s CPU in this process = ${Math.round(events.length / cpuSeconds)} events per CPU-second`,
  );

  // Cold: the first call reads every state row. Warm: each later call reads
  // back only what the 50-event batch before it changed.
  const cpuMs = (since: NodeJS.CpuUsage) => {
    const u = process.cpuUsage(since);
    return ((u.user + u.system) / 1000).toFixed(0);
  };
  t = performance.now();
  let c = process.cpuUsage();
  const loaded = (await store.loadFacts({ activatedBefore: Date.now() })).length;
  console.log(
    `${kind}: loadFacts cold (all ${loaded} accounts read from the database): ${(performance.now() - t).toFixed(0)} ms wall, ${cpuMs(c)} ms CPU in this process`,
  );
  const times: string[] = [];
  for (let run = 0; run < 5; run++) {
    await store.insertEvents(eventsFor(ids[run]!, activated[run]!).concat(eventsFor(ids[run + 1]!, T0)).slice(0, 50));
    t = performance.now();
    c = process.cpuUsage();
    await store.loadFacts({ activatedBefore: Date.now() });
    times.push(`${(performance.now() - t).toFixed(0)}/${cpuMs(c)}`);
  }
  console.log(`${kind}: loadFacts warm after a 50-event batch, ms wall/CPU: ${times.join(', ')}`);
} finally {
  await cleanup();
}
