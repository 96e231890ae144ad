import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export const BENCH_KEYS = { publishable: 'pk_bench_publishable', secret: 'sk_bench_secret' };
export const BENCH_ORIGIN = 'https://app.ledger.example';
export const BENCH_IDENTITY = { kid: 'bench', secret: 'bench-identity-secret-0123456789abcdef' };

export interface RunningServer {
  url: string;
  child: ChildProcess;
  dataDir: string;
  stop(): Promise<void>;
}

/** Waits for a child process to print `… listening on http://HOST:PORT`. */
export function waitForListening(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) {
        child.stdout?.off('data', onData);
        resolveUrl(m[1]!);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => process.stderr.write(`[${what}] ${c}`));
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code} before listening:\n${out}`)));
  });
}

/** Starts the real `tandem serve` in its own process, as an operator would. */
export async function startTandem(opts: { databaseUrl?: string; dataDir?: string } = {}): Promise<RunningServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'tandem-bench-'));
  const configPath = join(dataDir, 'tandem.config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      databaseUrl: opts.databaseUrl ?? null,
      keys: { publishable: [BENCH_KEYS.publishable], secret: [BENCH_KEYS.secret] },
      identity: { verify: true, secrets: [BENCH_IDENTITY] },
      // Product one's dashboard, where the widget runs: its browsers call decide from there.
      cors: { origins: [BENCH_ORIGIN] },
      products: [
        { id: 'ledger', name: 'Ledger', role: 'primary', listPrice: { amount: 49, currency: 'USD', interval: 'month' } },
        { id: 'insights', name: 'Insights', role: 'second', listPrice: { amount: 29, currency: 'USD', interval: 'month' } },
      ],
      // Benchmarks measure throughput, not the limiter.
      limits: { bodyBytes: 1_048_576, ratePerMinutePerKey: 100_000_000, ratePerMinutePerIp: 100_000_000 },
    }),
  );
  // TANDEM_BENCH_PROFILE=<dir>: the server writes a V8 CPU profile there when it stops.
  const profile = process.env.TANDEM_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.TANDEM_BENCH_PROFILE] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(ROOT, 'server/src/cli.ts'), 'serve', '--config', configPath], {
    cwd: ROOT,
    // DATABASE_URL overrides the config file: the child gets exactly the store asked for.
    env: { ...process.env, DATABASE_URL: opts.databaseUrl ?? '', LOG_LEVEL: 'warn', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await waitForListening(child, 'tandem');
  return {
    url,
    child,
    dataDir,
    stop: () =>
      new Promise((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}
