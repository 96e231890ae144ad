/**
 * Starts the real Tandem server (a child process, SQLite in a temp folder) and the
 * static site for test pages, and hands their addresses to the workers through env.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2E } from './env.ts';
import { startSite } from './site.ts';

const ROOT = join(import.meta.dirname, '../..');
const DIST = join(ROOT, 'packages/sdk/dist');

function startServer(configFile: string): Promise<{ child: ChildProcess; url: string }> {
  const cli = join(ROOT, 'server/src/cli.ts');
  if (!existsSync(cli)) throw new Error(`e2e: the server CLI ${cli} does not exist yet`);
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--config', configFile], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'test' },
  });
  let output = '';
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      child.kill();
      fail(new Error(`e2e: server did not print "tandem listening on …" within 30 s; output:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /tandem listening on (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        ok({ child, url: m[1]!.replace(/\/$/, '') });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`e2e: server exited with code ${code} before listening; output:\n${output}`));
    });
  });
}

export default async function globalSetup() {
  for (const f of ['tandem.min.js', 'tandem-ui.js', 'snippet.min.js']) {
    if (!existsSync(join(DIST, f))) throw new Error(`e2e: packages/sdk/dist/${f} is missing; run \`pnpm build\` first`);
  }
  const site = await startSite(DIST);
  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-e2e-'));
  const configFile = join(dataDir, 'tandem.config.json');
  const config = {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    databaseUrl: null,
    keys: { publishable: [E2E.publishableKey], secret: [E2E.secretKey] },
    identity: { verify: true, secrets: [{ kid: E2E.kid, secret: E2E.identitySecret }] },
    cors: { origins: [site.origin] },
    products: [
      { id: 'ledger', name: 'Ledger', role: 'primary', listPrice: { amount: 49, currency: 'USD', interval: 'month' } },
      { id: 'insights', name: 'Insights', role: 'second', listPrice: { amount: 29, currency: 'USD', interval: 'month' } },
    ],
  };
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(configFile);
  } catch (err) {
    site.server.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  process.env.E2E_API = server.url;
  process.env.E2E_SITE = site.origin;
  return async () => {
    server.child.kill();
    await new Promise((ok) => server.child.once('exit', ok));
    site.server.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
