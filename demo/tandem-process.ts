/**
 * Starts the real Tandem server (`tandem serve`) as a child process and waits
 * for its "listening" line. Used by `pnpm demo` and the demo's browser test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { DemoServerConfig } from './config.ts';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const LISTENING = /tandem listening on (http:\/\/\S+)/;
/** Environment overrides the server reads; the demo's config file must win. */
const SERVER_ENV = [
  'TANDEM_PUBLISHABLE_KEY',
  'TANDEM_SECRET_KEY',
  'TANDEM_IDENTITY_SECRET',
  'DATABASE_URL',
  'TANDEM_DATA_DIR',
  'PORT',
  'STRIPE_WEBHOOK_SECRET',
];

export interface TandemProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Writes `config` to `configPath` and runs `tandem serve` on it.
 * @example const tandem = await startTandem(config, 'demo/.data/tandem.config.json')
 */
export async function startTandem(
  config: DemoServerConfig,
  configPath: string,
  opts: { /** Server output once it listens (before that, it goes into the start-up error). */ onOutput?: (line: string) => void; timeoutMs?: number } = {},
): Promise<TandemProcess> {
  await mkdir(dirname(configPath), { recursive: true });
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);

  const env = { ...process.env };
  for (const name of SERVER_ENV) delete env[name];
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO_ROOT, 'server', 'src', 'cli.ts'),
      'serve',
      '--config',
      configPath,
      '--host',
      config.host,
      '--port',
      String(config.port),
    ],
    { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // Until it listens, output is kept for the error message; afterwards it is passed on.
  const output: string[] = [];
  let listening = false;
  const remember = (line: string) => {
    if (listening) return opts.onOutput?.(line);
    output.push(line);
    if (output.length > 40) output.shift();
  };
  createInterface({ input: child.stderr! }).on('line', remember);

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`tandem serve did not print "tandem listening on …" within ${opts.timeoutMs ?? 30_000} ms:\n${output.join('\n')}`));
    }, opts.timeoutMs ?? 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = LISTENING.exec(line);
      if (match) {
        listening = true;
        clearTimeout(timer);
        resolve(match[1]!);
      } else remember(line);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`tandem serve exited (${signal ?? `code ${code}`}) before listening:\n${output.join('\n')}`));
    });
  });

  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
