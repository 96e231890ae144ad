/**
 * The full attach report (all cohorts, breakdown by plan) over many accounts
 * and events, on SQLite and (with DATABASE_URL) PostgreSQL.
 * Goal (issue 4): ≤ 1 s at 1M accounts and 20M events, and doubling the
 * events changes report time by < 10 %. Baselines in the same run: report time
 * at N vs 2N events, and the cold loadFacts vs a bare scan of the same state rows.
 *
 *   pnpm bench attach [--accounts 1000000] [--events 20000000] [--runs 9] [--store sqlite|postgres|both]
 *
 * Data is generated straight into the store's tables (bench/lib/bulk.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { attachReport } from '../server/src/metrics/index.ts';
import { openPostgresStore, openSqliteStore, type Store } from '../server/src/store/index.ts';
import { type BulkSpec, bulkPostgres, bulkSqlite } from './lib/bulk.ts';
import Database from 'better-sqlite3';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const ACCOUNTS = Number(arg('accounts', '1000000'));
const EVENTS = Number(arg('events', '20000000'));
const RUNS = Number(arg('runs', '9'));
const databaseUrl = process.env.DATABASE_URL;
const which = arg('store', databaseUrl ? 'both' : 'sqlite');
const NOW = Date.UTC(2026, 5, 30);
const spec: BulkSpec = { accounts: ACCOUNTS, eventsPerAccount: EVENTS / ACCOUNTS, now: NOW };

interface Measure {
  events: number;
  stateRows: number;
  coldMs: number;
  warmMs: number;
  /** CPU time of this process for the warm report: less sensitive to a busy shared machine than wall time. */
  warmCpuMs: number;
  computeMs: number;
  scanMs: number;
  attached: number;
}

const ms = (t: number) => `${t.toFixed(0)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function progress(label: string) {
  let shown = -1;
  const t = performance.now();
  return (done: number, total: number) => {
    const tenth = Math.floor((done / total) * 10);
    if (tenth === shown) return;
    shown = tenth;
    console.log(`  ${label}: ${tenth * 10}% (${((performance.now() - t) / 1000).toFixed(0)} s)`);
  };
}

/** The report as the server computes it for GET /v1/metrics/attach?by=plan. */
/** A full collection when the process allows it (`pnpm bench` runs with --expose-gc). */
const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});

async function report(store: Store): Promise<{ ms: number; cpuMs: number; computeMs: number; attached: number }> {
  // Every run starts from a collected heap, so it pays for its own garbage, not for
  // what the run before left (which made single runs swing by a fifth either way).
  collect();
  const cpu = process.cpuUsage();
  const t = performance.now();
  const facts = await store.loadFacts({ activatedBefore: NOW });
  const c = performance.now();
  const answer = attachReport(facts, { definition: 'paid', denominator: 'all', weight: 'logo', asOf: NOW, by: 'plan' });
  const end = performance.now();
  if (answer.cohorts.length < 24) throw new Error(`expected two years of cohorts, got ${answer.cohorts.length}`);
  const used = process.cpuUsage(cpu);
  return { ms: end - t, cpuMs: (used.user + used.system) / 1000, computeMs: end - c, attached: answer.overall.attached };
}

async function measure(open: () => Store, scan: () => Promise<number>, countEvents: () => Promise<number>): Promise<Measure> {
  const events = await countEvents();
  const scanTimes: number[] = [];
  let stateRows = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    stateRows = await scan();
    scanTimes.push(performance.now() - t);
  }
  const store = open();
  try {
    const cold = await report(store); // first request after start: reads every state row
    const warm: number[] = [];
    const warmCpu: number[] = [];
    const compute: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await report(store);
      warm.push(r.ms);
      warmCpu.push(r.cpuMs);
      compute.push(r.computeMs);
    }
    return { events, stateRows, coldMs: cold.ms, warmMs: median(warm), warmCpuMs: median(warmCpu), computeMs: median(compute), scanMs: median(scanTimes), attached: cold.attached };
  } finally {
    await store.close();
  }
}

function print(kind: string, a: Measure, b: Measure): void {
  console.log(`\nattach report benchmark (${kind}, ${ACCOUNTS.toLocaleString()} accounts, definition paid, all cohorts, breakdown by plan)`);
  const row = (m: Measure) => ({
    events: m.events.toLocaleString(),
    'state rows': m.stateRows.toLocaleString(),
    'report (warm, median)': ms(m.warmMs),
    'of which compute': ms(m.computeMs),
    'warm CPU time': ms(m.warmCpuMs),
    'first report (cold load)': ms(m.coldMs),
    'bare scan of state rows': ms(m.scanMs),
    'cold / scan': (m.coldMs / m.scanMs).toFixed(2),
  });
  console.table({ 'phase 1': row(a), 'phase 2 (events doubled)': row(b) });
  const change = (b.warmMs / a.warmMs - 1) * 100;
  console.log(`report time, ${b.events.toLocaleString()} vs ${a.events.toLocaleString()} events: ${change >= 0 ? '+' : ''}${change.toFixed(1)} % (goal: < 10 %)`);
  console.log(`report CPU time, 2x events: ${((b.warmCpuMs / a.warmCpuMs - 1) * 100).toFixed(1)} %`);
  console.log(`cold first report, 2x events: ${((b.coldMs / a.coldMs - 1) * 100).toFixed(1)} %`);
  console.log(`warm report ≤ 1 s: ${a.warmMs <= 1000 && b.warmMs <= 1000 ? 'yes' : 'NO'}`);
}

async function runSqlite(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-attach-'));
  try {
    const s = openSqliteStore({ dataDir: dir });
    await s.migrate();
    await s.close();
    const file = join(dir, 'tandem.db');
    const scan = async () => {
      // The baseline: the same rows and columns loadFacts reads, without building anything.
      const db = new Database(file, { readonly: true });
      let n = 0;
      const a = db.prepare('SELECT account_id, activated_at, arr, plan, region, channel, trial_at, paid, canceled, usage_at, usage_qty FROM account_state').raw();
      for (const _ of a.iterate()) n++;
      const o = db.prepare('SELECT account_id, offer_id, arm, coalesce(variant, event_variant), assigned_at, exposed_at, clicked_at, dismissed_at FROM offer_state').raw();
      for (const _ of o.iterate()) n++;
      db.close();
      return n;
    };
    const count = async () => {
      const db = new Database(file, { readonly: true });
      const n = db.prepare('SELECT count(*) FROM events').pluck().get() as number;
      db.close();
      return n;
    };
    const open = () => openSqliteStore({ dataDir: dir });
    for (const phase of [1, 2] as const) {
      const t = performance.now();
      const n = bulkSqlite(file, spec, phase, progress(`sqlite bulk phase ${phase}`));
      const sec = (performance.now() - t) / 1000;
      console.log(`sqlite: phase ${phase} wrote ${n.toLocaleString()} events (+ state) in ${sec.toFixed(0)} s = ${Math.round(n / sec).toLocaleString()} events/s`);
      if (phase === 1) first = await measure(open, scan, count);
      else print('sqlite', first!, await measure(open, scan, count));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
let first: Measure | undefined;

async function runPostgres(url: string): Promise<void> {
  const schema = `tandem_bench_${randomBytes(4).toString('hex')}`;
  const s = openPostgresStore({ url, schema, max: 2 });
  await s.migrate();
  await s.close();
  const admin = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await admin.connect();
  try {
    const scan = async () => {
      const r = await admin.query({
        text: `SELECT account_id, activated_at, arr, plan, region, channel, trial_at, array_to_string(paid, ','),
                 array_to_string(canceled, ','), array_to_string(usage_at, ','), array_to_string(usage_qty, ',') FROM account_state`,
        rowMode: 'array',
      });
      const o = await admin.query({
        text: 'SELECT account_id, offer_id, arm, coalesce(variant, event_variant), assigned_at, exposed_at, clicked_at, dismissed_at FROM offer_state',
        rowMode: 'array',
      });
      return r.rows.length + o.rows.length;
    };
    const count = async () => Number((await admin.query('SELECT count(*) AS n FROM events')).rows[0].n);
    const open = () => openPostgresStore({ url, schema, max: 2 });
    let a: Measure | undefined;
    for (const phase of [1, 2] as const) {
      const t = performance.now();
      const n = await bulkPostgres(url, schema, spec, phase, progress(`postgres bulk phase ${phase}`));
      const sec = (performance.now() - t) / 1000;
      console.log(`postgres: phase ${phase} wrote ${n.toLocaleString()} events (+ state) in ${sec.toFixed(0)} s = ${Math.round(n / sec).toLocaleString()} events/s`);
      await admin.query('VACUUM ANALYZE account_state');
      await admin.query('VACUUM ANALYZE offer_state');
      if (phase === 1) a = await measure(open, scan, count);
      else print('postgres', a!, await measure(open, scan, count));
    }
  } finally {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} (shared with other work)`);
if (which === 'sqlite' || which === 'both') await runSqlite();
if (which === 'postgres' || which === 'both') {
  if (!databaseUrl) console.log('postgres: skipped (DATABASE_URL is not set)');
  else await runPostgres(databaseUrl);
}
