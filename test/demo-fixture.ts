/**
 * The demo's own stack for its browser test: a real Tandem server (SQLite in a
 * temp folder, the demo's config: Stripe webhook secret and price ids, CORS
 * for the demo's origin) seeded with the demo history, and the demo app.
 * Ports are random; everything is torn down by `stop()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoServerConfig, SECRET_KEY } from '../demo/config.ts';
import { type SeedSummary, seedDemo } from '../demo/seed.ts';
import { type DemoServer, startDemoServer } from '../demo/server.ts';
import { startTandem } from '../demo/tandem-process.ts';

export interface DemoStack {
  apiUrl: string;
  demoUrl: string;
  demo: DemoServer;
  seeded: SeedSummary;
  /** GET a Tandem endpoint with the secret key. */
  get<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startDemoStack(opts: { accounts: number }): Promise<DemoStack> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-demo-e2e-'));
  const demo = await startDemoServer({ host: '127.0.0.1', port: 0, apiUrl: 'http://127.0.0.1:9' });
  const config = demoServerConfig({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), origins: [demo.url] });
  let tandem: Awaited<ReturnType<typeof startTandem>>;
  try {
    tandem = await startTandem(config, join(dir, 'tandem.config.json'));
  } catch (err) {
    await demo.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const stop = async () => {
    await Promise.all([demo.close(), tandem.stop()]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    demo.setApiUrl(tandem.url);
    const seeded = await seedDemo({ apiUrl: tandem.url, accounts: opts.accounts, seed: 42 });
    return {
      apiUrl: tandem.url,
      demoUrl: demo.url,
      demo,
      seeded,
      async get<T>(path: string): Promise<T> {
        const res = await fetch(tandem.url + path, { headers: { authorization: `Bearer ${SECRET_KEY}` } });
        const text = await res.text();
        if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${text}`);
        return JSON.parse(text) as T;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
