/**
 * The full attach report (all cohorts, breakdown by plan) over many accounts
 * and events, on SQLite and (with DATABASE_URL) PostgreSQL.
 * Goal (issue 4): ≤ 1 s at 1M accounts and 20M events, and doubling the
 * events changes report time by < 10 %. Baselines in the same run: report time
 * at N vs 2N events, and the cold loadFacts vs a bare scan of the same state rows.
 *
 *   pnpm bench attach [--accounts 1000000] [--events 20000000] [--runs 9] [--processes 3] [--store sqlite|postgres|both]
 *
 * Data is generated straight into the store's tables (bench/lib/bulk.ts); each
 * phase's reports run in fresh processes (bench/lib/attach-report.ts): `--runs`
 * reports in each of `--processes`, the median of the processes' medians counts.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { openPostgresStore, openSqliteStore } from '../server/src/store/index.ts';
import type { ReportJob, ReportMeasure, ReportTarget } from './lib/attach-report.ts';
import { type BulkSpec, bulkPostgres, bulkSqlite } from './lib/bulk.ts';
import { median } from './lib/stats.ts';
import Database from 'better-sqlite3';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const ACCOUNTS = Number(arg('accounts', '1000000'));
const EVENTS = Number(arg('events', '20000000'));
const RUNS = Number(arg('runs', '9'));
/** Fresh processes per phase; each reports its median, the phase the median of those (one process alone swung ±15 %). */
const PROCESSES = Math.max(1, Number(arg('processes', '3')));
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
const run = promisify(execFile);
const REPORT_SCRIPT = resolve(import.meta.dirname, 'lib/attach-report.ts');

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

/**
 * Measures one phase: the bare scans here, the reports in fresh processes of their
 * own (bench/lib/attach-report.ts), as a server that has just started would run them.
 */
async function measure(target: ReportTarget, scan: () => Promise<number>, countEvents: () => Promise<number>): Promise<Measure> {
  const events = await countEvents();
  const scanTimes: number[] = [];
  let stateRows = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    stateRows = await scan();
    scanTimes.push(performance.now() - t);
  }
  const job: ReportJob = { ...target, now: NOW, runs: RUNS };
  const each: ReportMeasure[] = [];
  for (let i = 0; i < PROCESSES; i++) {
    const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', REPORT_SCRIPT, JSON.stringify(job)], { maxBuffer: 1 << 20 });
    each.push(JSON.parse(stdout.trim().split('\n').at(-1)!) as ReportMeasure);
  }
  const mid = (pick: (m: ReportMeasure) => number) => median(each.map(pick));
  const r: ReportMeasure = {
    coldMs: mid((m) => m.coldMs),
    warmMs: mid((m) => m.warmMs),
    warmCpuMs: mid((m) => m.warmCpuMs),
    computeMs: mid((m) => m.computeMs),
    attached: each[0]!.attached,
  };
  console.log(`  warm report per process: ${each.map((m) => ms(m.warmMs)).join(', ')}`);
  return { events, stateRows, ...r, scanMs: median(scanTimes) };
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
    for (const phase of [1, 2] as const) {
      const t = performance.now();
      const n = bulkSqlite(file, spec, phase, progress(`sqlite bulk phase ${phase}`));
      const sec = (performance.now() - t) / 1000;
      console.log(`sqlite: phase ${phase} wrote ${n.toLocaleString()} events (+ state) in ${sec.toFixed(0)} s = ${Math.round(n / sec).toLocaleString()} events/s`);
      if (phase === 1) first = await measure({ store: 'sqlite', dataDir: dir }, scan, count);
      else print('sqlite', first!, await measure({ store: 'sqlite', dataDir: dir }, scan, count));
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
    let a: Measure | undefined;
    for (const phase of [1, 2] as const) {
      const t = performance.now();
      const n = await bulkPostgres(url, schema, spec, phase, progress(`postgres bulk phase ${phase}`));
      const sec = (performance.now() - t) / 1000;
      console.log(`postgres: phase ${phase} wrote ${n.toLocaleString()} events (+ state) in ${sec.toFixed(0)} s = ${Math.round(n / sec).toLocaleString()} events/s`);
      await admin.query('VACUUM ANALYZE account_state');
      await admin.query('VACUUM ANALYZE offer_state');
      if (phase === 1) a = await measure({ store: 'postgres', url, schema }, scan, count);
      else print('postgres', a!, await measure({ store: 'postgres', url, schema }, scan, count));
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
