/**
 * Ingest throughput: 50-event batches POSTed to the real server (secret key)
 * into a store already holding many events, against raw inserts of the same
 * rows into the same table in the same run.
 * Goal (issue 3): ≥ 50,000 events/s into SQLite holding 10M events, and ≥ 0.25
 * of raw better-sqlite3 (50-row transactions, one prepared statement); the same
 * on PostgreSQL when DATABASE_URL is set (raw baseline: `pg` multi-row INSERT).
 * The server is measured once its facts copy is warm (it fills it at start-up).
 *
 *   pnpm bench ingest [--prefill 10000000] [--events 300000] [--passes 3] [--warmup 150000] [--connections 64]
 *                     [--store sqlite|postgres|both] [--reuse DIR]
 *
 * Each pass sends `--events` new events; the server's passes run one after the other on one
 * server (the store grows by each), then the raw baseline's; the medians are compared.
 *
 * --reuse DIR keeps the prefilled store for the next run (prefilling 10M events takes 1–2 minutes):
 * SQLite as DIR/ingest-<prefill>-<accounts>.db (each run starts from a copy), PostgreSQL as the
 * schema tandem_bench_ingest_<prefill>_<accounts> (each run adds its events to it).
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { uuidv7 } from '@tandem/core';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openPostgresStore, openSqliteStore } from '../server/src/store/index.ts';
import { accountEvents, accountId, accountRow, assignments, bulkPostgres, bulkSqlite } from './lib/bulk.ts';
import { prng } from './lib/seed.ts';
import { median } from './lib/stats.ts';
import { BENCH_KEYS, type RunningServer, startTandem } from './lib/tandem-server.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const PREFILL = Number(arg('prefill', '10000000'));
/** Whole batches only. */
const EVENTS = Math.max(1, Math.floor(Number(arg('events', '300000')) / 50)) * 50;
// A live ingest endpoint serves many clients at once (each browser sends a batch every few
// seconds); a store's commit latency, not its throughput, bounds a benchmark with few of them.
const CONNECTIONS = Number(arg('connections', '64'));
const REUSE = arg('reuse', '');
/** Passes of each (server, raw) against the same store; the medians are compared. */
const PASSES = Math.max(1, Number(arg('passes', '3')));
const BATCH = 50;
const WARMUP = Math.max(BATCH, Math.floor(Number(arg('warmup', '150000')) / BATCH) * BATCH);
const databaseUrl = process.env.DATABASE_URL;
const which = arg('store', databaseUrl ? 'both' : 'sqlite');
const NOW = Date.now();
/** Prefill: accounts aiming at 18 events each (bench/lib/bulk.ts); some have fewer, so count them. */
const PER_ACCOUNT = 18;
const ACCOUNTS = accountsHolding(PREFILL);
const spec = { accounts: ACCOUNTS, eventsPerAccount: PER_ACCOUNT, now: NOW };

/** How many accounts the generator needs for at least `events` events (it is deterministic per account). */
function accountsHolding(events: number): number {
  const counting = { accounts: 0, eventsPerAccount: PER_ACCOUNT, now: NOW };
  const nop = () => '';
  let n = 0;
  let i = 0;
  while (n < events || i < 100) {
    const a = accountRow(i, NOW);
    n += accountEvents(i, 1, a, assignments(i, a), counting, nop).length;
    i++;
  }
  return i;
}

interface WireEvent {
  id: string;
  type: string;
  accountId: string;
  userId?: string;
  offerId?: string;
  productId?: string;
  quantity?: number;
  at: string;
}

/**
 * Live traffic for existing accounts: events that happened in the last minute, each
 * with the UUIDv7 its client made then (ids grow with time, as the SDK's do). Mostly
 * exposures, clicks and dismissals of an offer the account is in treatment for (what
 * decide showed it), some trials, payments and usage reports.
 */
function makeEvents(n: number, seed: number): WireEvent[] {
  const rand = prng(seed);
  const out: WireEvent[] = [];
  while (out.length < n) {
    const k = Math.floor(rand() * ACCOUNTS);
    const r = rand();
    const at = Date.now() - Math.floor(rand() * 60_000);
    const e: WireEvent = { id: uuidv7(at), type: 'exposure', accountId: accountId(k), at: new Date(at).toISOString() };
    if (r < 0.85) {
      const treated = assignments(k, accountRow(k, NOW)).filter((o) => o[2] === 'treatment');
      if (treated.length === 0) continue; // a control account is shown nothing
      const offer = treated[Math.floor(rand() * treated.length)]!;
      Object.assign(e, { type: r < 0.7 ? 'exposure' : r < 0.8 ? 'click' : 'dismiss', offerId: offer[1], userId: `u${Math.floor(rand() * 5)}` });
    } else if (r < 0.9) e.type = 'trial_start';
    else if (r < 0.93) Object.assign(e, { type: 'paid', productId: 'insights' });
    else Object.assign(e, { type: 'usage', productId: 'insights', quantity: 1 + Math.floor(rand() * 10) });
    out.push(e);
  }
  return out;
}

function batches(events: WireEvent[]): string[] {
  const bodies: string[] = [];
  for (let i = 0; i < events.length; i += BATCH) bodies.push(JSON.stringify({ events: events.slice(i, i + BATCH) }));
  return bodies;
}

/** One POST over a keep-alive agent: status and parsed answer. node:http, not fetch: the client shares the machine, and fetch costs it several times the CPU. */
function request(agent: Agent, url: URL, body: string): Promise<{ status: number; answer: { accepted?: number; rejected?: unknown[] } }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/v1/events',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEYS.secret}`, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, answer: JSON.parse(Buffer.concat(chunks).toString()) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends every body once over `CONNECTIONS` concurrent keep-alive loops; events/s of accepted events. */
async function post(url: string, bodies: string[]): Promise<{ rate: number; accepted: number; seconds: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const target = new URL(url);
  let next = 0;
  let accepted = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < bodies.length) {
        const { status, answer } = await request(agent, target, bodies[next++]!);
        if (status !== 202) throw new Error(`POST /v1/events answered ${status}: ${JSON.stringify(answer)}`);
        if (answer.rejected && answer.rejected.length > 0) throw new Error(`events rejected: ${JSON.stringify(answer.rejected[0])}`);
        accepted += answer.accepted ?? 0;
      }
    }),
  );
  const seconds = (performance.now() - t) / 1000;
  agent.destroy();
  return { rate: accepted / seconds, accepted, seconds };
}

type Row = [string, string, string, string | null, string | null, null, null, null, number, number, string, string | null, null, number | null];

function rowsOf(events: WireEvent[]): Row[] {
  return events.map((e) => {
    const at = Date.parse(e.at);
    return [e.id, e.type, e.accountId, e.userId ?? null, e.offerId ?? null, null, null, null, at, NOW, 'backend', e.productId ?? null, null, e.quantity ?? null];
  });
}

interface Pass {
  rate: number;
  accepted: number;
  seconds: number;
}

/** Each pass of the server and of the raw baseline, then the medians and the goals. */
function line(kind: string, prefilled: number, server: Pass[], raw: Pass[], rawLabel: string): void {
  console.log(
    `\ningest benchmark (${kind}, store holding ${prefilled.toLocaleString()} events, ${BATCH}-event batches, ${CONNECTIONS} connections, ${server.length} passes)`,
  );
  const table: Record<string, { 'events/s': number; events: number; seconds: string }> = {};
  const row = (p: Pass) => ({ 'events/s': Math.round(p.rate), events: p.accepted, seconds: p.seconds.toFixed(1) });
  server.forEach((p, i) => {
    table[`${i + 1}: tandem POST /v1/events`] = row(p);
    table[`${i + 1}: ${rawLabel}`] = row(raw[i]!);
  });
  console.table(table);
  const rate = median(server.map((p) => p.rate));
  const rawRate = median(raw.map((p) => p.rate));
  console.log(
    `median: tandem ${Math.round(rate).toLocaleString()} events/s, raw ${Math.round(rawRate).toLocaleString()} events/s; ` +
      `ratio to raw ${(rate / rawRate).toFixed(2)} (goal ≥ 0.25); events/s goal ≥ 50,000: ${rate >= 50_000 ? 'yes' : 'NO'}`,
  );
}

/**
 * Waits until the server has filled its facts copy (a report waits for it), then warms it up
 * with `--warmup` events (not measured): a server under sustained load has its code optimized
 * and its page cache filled, which the first seconds of a fresh one have not.
 */
async function ready(server: RunningServer): Promise<void> {
  const res = await fetch(`${server.url}/v1/metrics/attach`, { headers: { authorization: `Bearer ${BENCH_KEYS.secret}` } });
  if (!res.ok) throw new Error(`GET /v1/metrics/attach answered ${res.status}: ${await res.text()}`);
  await post(server.url, batches(makeEvents(WARMUP, 1)));
}

/** A prefilled SQLite file: a copy of the one kept by --reuse, or a new one (kept when --reuse is given). */
function prefillSqlite(file: string): number {
  const kept = REUSE ? join(resolve(REUSE), `ingest-${PREFILL}-${ACCOUNTS}.db`) : null;
  if (kept && existsSync(kept)) {
    copyFileSync(kept, file);
    const db = new Database(file, { readonly: true });
    const n = db.prepare('SELECT count(*) FROM events').pluck().get() as number;
    db.close();
    console.log(`sqlite: reusing ${kept} (${n.toLocaleString()} events)`);
    return n;
  }
  const t = performance.now();
  const n = bulkSqlite(file, spec, 1);
  console.log(`sqlite: prefilled ${n.toLocaleString()} events for ${ACCOUNTS.toLocaleString()} accounts in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  if (kept) {
    mkdirSync(resolve(REUSE), { recursive: true });
    copyFileSync(file, kept);
  }
  return n;
}

async function runSqlite(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-ingest-'));
  try {
    const s = openSqliteStore({ dataDir: dir });
    await s.migrate();
    await s.close();
    const file = join(dir, 'tandem.db');
    const prefilled = prefillSqlite(file);

    const server = await startTandem({ dataDir: dir });
    const passes: Pass[] = [];
    try {
      await ready(server);
      for (let p = 0; p < PASSES; p++) passes.push(await post(server.url, batches(makeEvents(EVENTS, 2 + p))));
    } finally {
      await server.stop();
    }

    // Raw: the same rows (fresh ids) into the same table, 50-row transactions, one prepared statement.
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const insert = db.prepare(
      `INSERT INTO events (id, type, account_id, user_id, offer_id, variant, decision_id, placement, at, received_at, source, product_id, arr, quantity)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    const tx = db.transaction((rows: Row[]) => {
      const received = Date.now(); // as the server stamps each batch
      for (const r of rows) {
        r[9] = received;
        insert.run(...r);
      }
    });
    const raw: Pass[] = [];
    for (let p = 0; p < PASSES; p++) {
      const rows = rowsOf(makeEvents(EVENTS, 2 + p).map((e) => ({ ...e, id: uuidv7(Date.parse(e.at)) })));
      const t = performance.now();
      for (let i = 0; i < rows.length; i += BATCH) tx.immediate(rows.slice(i, i + BATCH));
      const seconds = (performance.now() - t) / 1000;
      raw.push({ rate: rows.length / seconds, accepted: rows.length, seconds });
    }
    db.close();
    line('sqlite', prefilled, passes, raw, 'raw better-sqlite3 (50-row tx)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runPostgres(url: string): Promise<void> {
  const schema = REUSE ? `tandem_bench_ingest_${PREFILL}_${ACCOUNTS}` : `tandem_bench_${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${schema}`, max: CONNECTIONS });
  try {
    const kept = REUSE !== '' && (await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1;
    let prefilled: number;
    if (kept) {
      prefilled = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]!.n);
      console.log(`postgres: reusing schema ${schema} (${prefilled.toLocaleString()} events)`);
    } else {
      const s = openPostgresStore({ url, schema, max: 2 });
      await s.migrate();
      await s.close();
      const t = performance.now();
      prefilled = await bulkPostgres(url, schema, spec, 1);
      console.log(`postgres: prefilled ${prefilled.toLocaleString()} events for ${ACCOUNTS.toLocaleString()} accounts in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    }
    const sep = url.includes('?') ? '&' : '?';
    const server = await startTandem({ databaseUrl: `${url}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}` });
    const passes: Pass[] = [];
    try {
      await ready(server);
      for (let p = 0; p < PASSES; p++) passes.push(await post(server.url, batches(makeEvents(EVENTS, 2 + p))));
    } finally {
      await server.stop();
      rmSync(server.dataDir, { recursive: true, force: true }); // only its config file
    }
    // Raw: multi-row INSERT of the same rows, 50 per statement, over as many connections.
    const params = Array.from({ length: BATCH }, (_, i) => `(${Array.from({ length: 14 }, (_, j) => `$${i * 14 + j + 1}`).join(', ')})`).join(', ');
    const text = `INSERT INTO events (id, type, account_id, user_id, offer_id, variant, decision_id, placement, at, received_at, source, product_id, arr, quantity)
      VALUES ${params} ON CONFLICT (id) DO NOTHING`;
    const raw: Pass[] = [];
    for (let p = 0; p < PASSES; p++) {
      const rows = rowsOf(makeEvents(EVENTS, 2 + p).map((e) => ({ ...e, id: uuidv7(Date.parse(e.at)) })));
      let next = 0;
      const t = performance.now();
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          while (next < rows.length) {
            const part = rows.slice(next, next + BATCH);
            next += BATCH;
            const received = Date.now();
            for (const r of part) r[9] = received;
            await pool.query(text, part.flat());
          }
        }),
      );
      const seconds = (performance.now() - t) / 1000;
      raw.push({ rate: rows.length / seconds, accepted: rows.length, seconds });
    }
    line('postgres', prefilled, passes, raw, `raw pg multi-row INSERT (${CONNECTIONS} connections)`);
  } finally {
    if (!REUSE) await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await pool.end();
  }
}

console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} (shared with other work; client, server and database on the same cores)`);
if (which === 'sqlite' || which === 'both') await runSqlite();
if (which === 'postgres' || which === 'both') {
  if (!databaseUrl) console.log('postgres: skipped (DATABASE_URL is not set)');
  else await runPostgres(databaseUrl);
}
