/**
 * Over real HTTP: concurrent duplicates store one row; a server killed with
 * SIGKILL under sustained ingestion loses nothing it acknowledged.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uuidv7 } from '@tandem/core';
import { afterAll, describe, expect, it } from 'vitest';
import { endAdminPool, openTestApp, rawTestConfig, SK, STORE_KINDS } from './testing/harness.ts';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function postEvents(base: string, events: unknown[]): Promise<{ status: number; body: { accepted: number; duplicates: number } }> {
  const res = await fetch(`${base}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SK}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  return { status: res.status, body: (await res.json()) as { accepted: number; duplicates: number } };
}

const usage = (id = uuidv7()) => ({ id, type: 'usage', accountId: `acct_${id.slice(-3)}`, quantity: 1, at: new Date().toISOString() });

describe.each(STORE_KINDS)('concurrent duplicates over HTTP (%s)', (kind) => {
  afterAll(endAdminPool);

  it('stores an event id posted 50 times at once exactly once', async () => {
    const t = await openTestApp({ kind });
    try {
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const address = t.app.server.address() as { port: number };
      const base = `http://127.0.0.1:${address.port}`;
      const event = usage();
      const before = await t.store.countEvents();
      const answers = await Promise.all(Array.from({ length: 50 }, () => postEvents(base, [event])));
      expect(answers.every((a) => a.status === 202)).toBe(true);
      expect(answers.reduce((n, a) => n + a.body.accepted, 0)).toBe(1);
      expect(answers.reduce((n, a) => n + a.body.duplicates, 0)).toBe(49);
      expect(await t.store.countEvents()).toBe(before + 1);
    } finally {
      await t.close();
    }
  });
});

function startServer(configPath: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--config', configPath], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DATABASE_URL: '' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}${err}`)), 20_000);
    child.stderr!.on('data', (d) => {
      err += String(d);
    });
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /tandem listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, base: m[1]! });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${err}`));
    });
  });
}

describe('crash safety of `tandem serve` (SQLite)', () => {
  it('keeps every event acknowledged with a 2xx when killed with SIGKILL mid-ingestion', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-kill-'));
    const configPath = join(dir, 'tandem.config.json');
    writeFileSync(configPath, JSON.stringify({ ...rawTestConfig(join(dir, 'data')), logLevel: 'warn' }));
    let child: ChildProcess | undefined;
    try {
      const first = await startServer(configPath);
      child = first.child;
      const acknowledged: ReturnType<typeof usage>[] = [];
      let stop = false;
      const worker = async () => {
        while (!stop) {
          const batch = Array.from({ length: 25 }, () => usage());
          try {
            const res = await postEvents(first.base, batch);
            if (res.status >= 200 && res.status < 300) acknowledged.push(...batch);
          } catch {
            return; // connection reset by the kill: that batch was not acknowledged
          }
        }
      };
      const workers = Array.from({ length: 4 }, worker);
      // Kill once a good amount is in, while requests are in flight.
      while (acknowledged.length < 2000) await new Promise((r) => setTimeout(r, 20));
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
      stop = true;
      await Promise.all(workers);
      expect(acknowledged.length).toBeGreaterThanOrEqual(2000);

      const second = await startServer(configPath);
      child = second.child;
      // Re-sending every acknowledged event must find each one already stored.
      let duplicates = 0;
      for (let i = 0; i < acknowledged.length; i += 500) {
        const res = await postEvents(second.base, acknowledged.slice(i, i + 500));
        expect(res.status).toBe(202);
        duplicates += res.body.duplicates;
        expect(res.body.accepted).toBe(0);
      }
      expect(duplicates).toBe(acknowledged.length);
    } finally {
      child?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
