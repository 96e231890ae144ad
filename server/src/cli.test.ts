import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { buildCli } from './cli.ts';
import { loadConfig } from './config.ts';
import { openStore } from './store/index.ts';
import { rawTestConfig } from './testing/harness.ts';

const BIN = fileURLToPath(new URL('../bin/tandem.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
/** Never let a developer's DATABASE_URL point these commands at a shared database. */
const HERMETIC_ENV = { ...process.env, DATABASE_URL: '' };

describe('tandem CLI', () => {
  let dir: string;
  let configPath: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-cli-'));
    configPath = join(dir, 'tandem.config.json');
    writeFileSync(configPath, JSON.stringify(rawTestConfig(join(dir, 'data'))));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function cli(...args: string[]): Promise<string[]> {
    const out: string[] = [];
    await buildCli({ out: (l) => out.push(l), err: () => {}, env: {} }).parseAsync(['node', 'tandem', ...args, '--config', configPath]);
    return out;
  }

  it.each(['serve', 'migrate', 'keys create', 'keys list', 'keys rotate'])('`tandem %s --help` describes the command', async (command) => {
    const cmd = command.split(' ');
    const { stdout } = await run(process.execPath, [BIN, ...cmd, '--help'], { cwd: ROOT, env: HERMETIC_ENV });
    expect(stdout).toContain(`Usage: tandem ${cmd.join(' ')}`);
    expect(stdout).toContain('--config');
  });

  it('migrates, creates a key that the server then accepts, lists it without the key, rotates it', async () => {
    expect((await cli('migrate'))[0]).toContain('sqlite store migrated');
    const [created, key] = await cli('keys', 'create', '--kind', 'secret', '--label', 'billing');
    expect(created).toMatch(/^created secret key key_[0-9a-f]+ \(billing\)$/);
    expect(key).toMatch(/^sk_live_/);
    const id = created!.split(' ')[3]!;

    const list = await cli('keys', 'list');
    expect(list.join('\n')).toContain(id);
    expect(list.join('\n')).not.toContain(key);

    const { config } = loadConfig(configPath, {});
    const store = openStore(config);
    const app = await buildApp({ config, store });
    try {
      const ok = await app.inject({ method: 'GET', url: '/v1/offers', headers: { authorization: `Bearer ${key}` } });
      expect(ok.statusCode).toBe(200);
      const [rotated, newKey] = await cli('keys', 'rotate', id);
      expect(rotated).toContain(`rotated secret key ${id}`);
      // A running server re-reads keys within 10 s; a fresh app reads them at once.
      const fresh = await buildApp({ config, store });
      expect((await fresh.inject({ method: 'GET', url: '/v1/offers', headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(401);
      expect((await fresh.inject({ method: 'GET', url: '/v1/offers', headers: { authorization: `Bearer ${newKey}` } })).statusCode).toBe(200);
      await fresh.close();
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('refuses a bad --kind with a message naming the allowed values', async () => {
    await expect(run(process.execPath, [BIN, 'keys', 'create', '--kind', 'root', '--config', configPath], { cwd: ROOT, env: HERMETIC_ENV })).rejects.toMatchObject({
      stderr: expect.stringContaining('must be one of publishable, secret, admin, got "root"'),
    });
  });

  it('stops with a clear message on a bad config', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ identity: { verify: false }, keys: { secret: 'sk_one_key' } }));
    await expect(run(process.execPath, [BIN, 'serve', '--config', bad], { cwd: ROOT, env: HERMETIC_ENV })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('config `keys.secret` must be an array of non-empty strings, got "sk_one_key"'),
    });
  });

  it('`tandem serve --port 0` prints the real address and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--config', configPath, '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: HERMETIC_ENV,
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += String(d);
        const m = /^tandem listening on (http:\/\/127\.0\.0\.1:(\d+))$/m.exec(out);
        if (m && m[2] !== '0') resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', store: 'sqlite' });
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 30_000);
});
