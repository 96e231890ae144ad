/**
 * Decide throughput against a bare node:http JSON POST endpoint, in the same run.
 * Goal (issue 3): ratio ≥ 0.6 and p99 ≤ 25 ms at 100 connections, with realistic
 * accounts and offers. Usage: pnpm bench decide [--seconds 10] [--accounts 20000]
 * (DATABASE_URL set → PostgreSQL, else the embedded SQLite).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { SignJWT } from 'jose';
import pg from 'pg';
import { openPostgresStore } from '../server/src/store/index.ts';
import { load } from './lib/load.ts';
import { BENCH_IDENTITY, BENCH_KEYS, startTandem, waitForListening } from './lib/tandem-server.ts';
import { seedOffers, seedAccounts } from './lib/seed.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 10);
const ACCOUNTS = arg('accounts', 20_000);
const CONNECTIONS = arg('connections', 100);
const databaseUrl = process.env.DATABASE_URL;

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
  const headers = { authorization: `Bearer ${BENCH_KEYS.publishable}` };

  // Warm both up, then measure each for the same time.
  await load({ url: baselineUrl, path: '/', headers, body, connections: CONNECTIONS, seconds: 2 });
  await load({ url: tandem.url, path: '/v1/decide', headers, body, connections: CONNECTIONS, seconds: 2 });
  const base = await load({ url: baselineUrl, path: '/', headers, body, connections: CONNECTIONS, seconds: SECONDS });
  const dec = await load({ url: tandem.url, path: '/v1/decide', headers, body, connections: CONNECTIONS, seconds: SECONDS });

  const store = databaseUrl ? 'postgres' : 'sqlite';
  console.log(`decide benchmark (${store}, ${ACCOUNTS} accounts, ${CONNECTIONS} connections, ${SECONDS}s each)`);
  console.table({
    'node:http baseline': { 'req/s': Math.round(base.rps), 'p50 ms': base.p50, 'p99 ms': base.p99, non2xx: base.non2xx, errors: base.errors },
    'tandem /v1/decide': { 'req/s': Math.round(dec.rps), 'p50 ms': dec.p50, 'p99 ms': dec.p99, non2xx: dec.non2xx, errors: dec.errors },
  });
  const ratio = dec.rps / base.rps;
  console.log(`ratio decide/baseline = ${ratio.toFixed(2)} (goal ≥ 0.6); decide p99 = ${dec.p99} ms (goal ≤ 25 ms)`);
  if (dec.non2xx > 0 || dec.errors > 0) console.log(`WARNING: ${dec.non2xx} non-2xx answers and ${dec.errors} errors during the decide run`);
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
