/**
 * Decide throughput against a bare node:http JSON POST endpoint, in the same run.
 * Goal (issue 3): ratio ≥ 0.6 and p99 ≤ 25 ms at 100 connections, with realistic
 * accounts and offers. Usage: pnpm bench decide [--seconds 10] [--rounds 3] [--warmup 5]
 * [--accounts 20000]
 * (DATABASE_URL set → PostgreSQL, else the embedded SQLite).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SignJWT } from 'jose';
import pg from 'pg';
import { openPostgresStore } from '../server/src/store/index.ts';
import { type LoadResult, load } from './lib/load.ts';
import { BENCH_IDENTITY, BENCH_KEYS, BENCH_ORIGIN, startTandem, waitForListening } from './lib/tandem-server.ts';
import { seedOffers, seedAccounts } from './lib/seed.ts';
import { median } from './lib/stats.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 10);
const ACCOUNTS = arg('accounts', 20_000);
const CONNECTIONS = arg('connections', 100);
const ROUNDS = arg('rounds', 3);
const WARMUP = arg('warmup', 5);
const databaseUrl = process.env.DATABASE_URL;

/** CPU seconds (user + system, all threads) a process has used so far; Linux only, else NaN. */
function cpuSeconds(pid: number | undefined): number {
  try {
    // Fields after the command name: utime and stime are the 12th and 13th (clock ticks, 100 per second).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

type Measured = Awaited<ReturnType<typeof measured>>;

/** Runs a load and says how much CPU the server and this (client) process spent per request. */
async function measured(pid: number | undefined, run: () => Promise<LoadResult>) {
  const server0 = cpuSeconds(pid);
  const client0 = process.cpuUsage();
  const result = await run();
  const client = process.cpuUsage(client0);
  const perRequest = (seconds: number) => (result.total > 0 ? Math.round((seconds * 1e6) / result.total) : Number.NaN);
  return { ...result, serverUs: perRequest(cpuSeconds(pid) - server0), clientUs: perRequest((client.user + client.system) / 1e6) };
}

// PostgreSQL: a schema of this run's own, dropped at the end.
const schema = `tandem_bench_decide_${randomBytes(4).toString('hex')}`;
const serverUrl = databaseUrl ? `${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}` : null;
if (databaseUrl) {
  const s = openPostgresStore({ url: databaseUrl, schema, max: 1 });
  await s.migrate();
  await s.close();
}

const baseline = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'lib/baseline-http.ts')], {
  stdio: ['ignore', 'pipe', 'pipe'],
});
const baselineUrl = await waitForListening(baseline, 'baseline');
const tandem = await startTandem(serverUrl ? { databaseUrl: serverUrl } : {});
try {
  const now = Date.now();
  const ids = await seedAccounts(tandem.url, ACCOUNTS, now);
  await seedOffers(tandem.url);
  const secret = new TextEncoder().encode(BENCH_IDENTITY.secret);
  // Pre-mint identities as a vendor's backend would; the server verifies each one.
  const bodies = await Promise.all(
    ids.slice(0, 5000).map(async (accountId, i) => {
      const identity = await new SignJWT({ uid: `u${i}` })
        .setProtectedHeader({ alg: 'HS256', kid: BENCH_IDENTITY.kid })
        .setSubject(accountId)
        .setExpirationTime('2h')
        .sign(secret);
      return JSON.stringify({ accountId, identity, userId: `u${i}`, placements: ['dashboard', 'banner'] });
    }),
  );
  let n = 0;
  const body = () => bodies[n++ % bodies.length]!;
  // As the widget sends it from the dashboard: a cross-origin request (the preflight is cached by the browser).
  const headers = { authorization: `Bearer ${BENCH_KEYS.publishable}`, origin: BENCH_ORIGIN };

  // Warm both up, then measure them in turns: rounds of baseline then decide, each as long. A
  // shared machine's speed drifts over a minute; a ratio per round compares runs seconds apart.
  await load({ url: baselineUrl, path: '/', headers, body, connections: CONNECTIONS, seconds: WARMUP });
  await load({ url: tandem.url, path: '/v1/decide', headers, body, connections: CONNECTIONS, seconds: WARMUP });
  const rounds: { base: Measured; dec: Measured }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const base = await measured(baseline.pid, () => load({ url: baselineUrl, path: '/', headers, body, connections: CONNECTIONS, seconds: SECONDS }));
    const dec = await measured(tandem.child.pid, () =>
      load({ url: tandem.url, path: '/v1/decide', headers, body, connections: CONNECTIONS, seconds: SECONDS }),
    );
    rounds.push({ base, dec });
  }

  const store = databaseUrl ? 'postgres' : 'sqlite';
  console.log(`decide benchmark (${store}, ${ACCOUNTS} accounts, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS}s each)`);
  // CPU per request: what each server spent (all its threads, kernel time included) and what the
  // load generator in this process spent; on a machine with few cores they share the same cores.
  const row = (r: Measured, ratio?: number) => ({
    'req/s': Math.round(r.rps),
    'p50 ms': r.p50,
    'p99 ms': r.p99,
    'server µs/req': r.serverUs,
    'client µs/req': r.clientUs,
    non2xx: r.non2xx,
    errors: r.errors,
    ratio: ratio === undefined ? '' : ratio.toFixed(2),
  });
  const table: Record<string, ReturnType<typeof row>> = {};
  rounds.forEach(({ base, dec }, i) => {
    table[`${i + 1}: node:http baseline`] = row(base);
    table[`${i + 1}: tandem /v1/decide`] = row(dec, dec.rps / base.rps);
  });
  console.table(table);
  const ratio = median(rounds.map(({ base, dec }) => dec.rps / base.rps));
  const p99 = median(rounds.map(({ dec }) => dec.p99));
  console.log(`ratio decide/baseline = ${ratio.toFixed(2)} (median of ${ROUNDS} rounds; goal ≥ 0.6); decide p99 = ${p99} ms (median; goal ≤ 25 ms)`);
  const bad = rounds.reduce((sum, { dec }) => sum + dec.non2xx + dec.errors, 0);
  if (bad > 0) console.log(`WARNING: ${bad} non-2xx answers or errors during the decide runs`);
} finally {
  await tandem.stop();
  baseline.kill('SIGTERM');
  if (databaseUrl) {
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}
