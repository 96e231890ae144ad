/**
 * `pnpm demo`: starts Tandem on the embedded SQLite default, seeds it when
 * empty, serves Ledger's dashboard and prints the URLs.
 *
 *   DEMO_PORT=5173 TANDEM_PORT=8787 pnpm demo [--reset]
 */
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { upsertDemoAccounts } from './accounts.ts';
import { tandemApi } from './api.ts';
import { DEFAULT_API_PORT, DEFAULT_DEMO_PORT, demoServerConfig, SECRET_KEY } from './config.ts';
import { isSeeded, seedDemo } from './seed.ts';
import { startDemoServer } from './server.ts';
import { startTandem } from './tandem-process.ts';

const HOST = '127.0.0.1';
const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), '.data');

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name} must be a port number between 1 and 65535, got "${raw}"`);
  }
  return port;
}

/** Fails with a clear message when something else already listens on `port`. */
async function assertPortFree(port: number, what: string, envName: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`Port ${port} (${what}) is already in use on ${HOST}. Stop whatever is using it, or pick another: ${envName}=<port> pnpm demo`)
          : err,
      );
    });
    probe.listen(port, HOST, () => probe.close(() => resolve()));
  });
}

/** What to stop when start-up fails half way. */
const running: { stop(): Promise<void> }[] = [];

async function main(): Promise<void> {
  // npm passes `--` through to the script (`npm run demo -- --reset`); accept both spellings.
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const { values } = parseArgs({ args, options: { reset: { type: 'boolean', default: false } } });
  const demoPort = portFromEnv('DEMO_PORT', DEFAULT_DEMO_PORT);
  const apiPort = portFromEnv('TANDEM_PORT', DEFAULT_API_PORT);
  await assertPortFree(demoPort, 'the demo app', 'DEMO_PORT');
  await assertPortFree(apiPort, 'the Tandem API', 'TANDEM_PORT');
  if (values.reset) {
    await rm(DATA_DIR, { recursive: true, force: true });
    console.log(`demo: removed ${DATA_DIR}`);
  }

  const demo = await startDemoServer({ host: HOST, port: demoPort, apiUrl: `http://${HOST}:${apiPort}`, log: console.log });
  running.push({ stop: demo.close });
  const config = demoServerConfig({
    host: HOST,
    port: apiPort,
    dataDir: join(DATA_DIR, 'tandem'),
    origins: [demo.url, `http://localhost:${demoPort}`],
  });
  const tandem = await startTandem(config, join(DATA_DIR, 'tandem.config.json'), { onOutput: (line) => console.error(line) });
  running.push(tandem);
  demo.setApiUrl(tandem.url);

  let stopping = false;
  const stop = async () => {
    stopping = true;
    await Promise.all([demo.close(), tandem.stop()]);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  tandem.child.once('exit', (code) => {
    if (stopping) return;
    console.error(`demo: the Tandem server stopped (code ${code}); stopping the demo`);
    void demo.close().then(() => process.exit(1));
  });

  const api = tandemApi(tandem.url, SECRET_KEY);
  if (await isSeeded(api)) {
    await upsertDemoAccounts(api, Date.now(), { history: false });
    console.log('demo: data already seeded (pnpm demo --reset starts over)');
  } else {
    const started = performance.now();
    const summary = await seedDemo({ apiUrl: tandem.url, log: console.log });
    console.log(`demo: seeded ${summary.accounts} accounts and ${summary.events} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  console.log(`
  Tandem demo is running (Ctrl-C to stop)

    Demo app (Ledger):  ${demo.url}/
    Console:            ${tandem.url}/console   (secret key: ${SECRET_KEY})
    API:                ${tandem.url}/v1   (OpenAPI: ${tandem.url}/openapi.json)
    Data:               ${DATA_DIR}
`);
}

main().catch(async (err: unknown) => {
  console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
  await Promise.allSettled(running.map((r) => r.stop()));
  process.exit(1);
});
