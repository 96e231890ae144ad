/**
 * The `tandem` command line: serve, migrate, keys, report, import.
 * Run from the repo as `node --import tsx server/src/cli.ts serve --config tandem.config.json`.
 */
import { pathToFileURL } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { generateKey, type KeyKind } from './auth/keys.ts';
import { registerImportCommand } from './commands/import.ts';
import { registerReportCommand } from './commands/report.ts';
import { type Config, ConfigError, DEFAULT_CONFIG_PATH, loadConfig } from './config.ts';
import { serve } from './main.ts';
import { openStore } from './store/index.ts';
import type { Store } from './store/types.ts';

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Environment overrides read with the config (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

const KINDS: KeyKind[] = ['publishable', 'secret', 'admin'];

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`must be an integer from 0 to 65535, got ${JSON.stringify(value)}`);
  return n;
}

function parseKind(value: string): KeyKind {
  if (!(KINDS as string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${KINDS.join(', ')}, got ${JSON.stringify(value)}`);
  return value as KeyKind;
}

function configFrom(path: string, io: Io): Config {
  const { config, notes } = loadConfig(path, io.env ?? process.env);
  for (const note of notes) io.err(`tandem: ${note}`);
  return config;
}

async function withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(config);
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}

function iso(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString();
}

/**
 * The program, with output injectable for tests.
 * @example await buildCli().parseAsync(['node', 'tandem', 'keys', 'list']);
 */
export function buildCli(io: Io = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) }): Command {
  const program = new Command('tandem')
    .description('Tandem backend: cross-sell offers, events and attach measurement')
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  const configOption = ['-c, --config <path>', 'config file (JSON); a missing file means defaults', DEFAULT_CONFIG_PATH] as const;

  program
    .command('serve')
    .description('start the HTTP server (prints "tandem listening on http://HOST:PORT")')
    .option(...configOption)
    .option('-p, --port <port>', 'port to listen on (0 = any free port); overrides config and PORT', parsePort)
    .option('-H, --host <host>', 'address to bind; overrides config')
    .action(async (opts: { config: string; port?: number; host?: string }) => {
      const config = configFrom(opts.config, io);
      if (opts.port !== undefined) config.port = opts.port;
      if (opts.host !== undefined) config.host = opts.host;
      await serve(config, { logger: { level: config.logLevel, stream: process.stderr }, print: io.out });
    });

  program
    .command('migrate')
    .description('create or upgrade the database tables (SQLite file or PostgreSQL)')
    .option(...configOption)
    .action(async (opts: { config: string }) => {
      const config = configFrom(opts.config, io);
      await withStore(config, async (store) => {
        io.out(`tandem: ${store.kind} store migrated${config.databaseUrl ? '' : ` (${config.dataDir})`}`);
      });
    });

  const keys = program.command('keys').description('create, list and rotate API keys (stored hashed; shown once)');
  keys
    .command('create')
    .description('create a key and print it once')
    .requiredOption('-k, --kind <kind>', `key kind: ${KINDS.join(' | ')}`, parseKind)
    .option('-l, --label <label>', 'a note on what the key is for')
    .option(...configOption)
    .action(async (opts: { kind: KeyKind; label?: string; config: string }) => {
      const config = configFrom(opts.config, io);
      await withStore(config, async (store) => {
        const { key, record } = generateKey(opts.kind, opts.label ?? null);
        await store.createKey(record);
        io.out(`created ${record.kind} key ${record.id}${record.label ? ` (${record.label})` : ''}`);
        io.out(key);
        io.err('tandem: store this key now; it is not shown again.');
      });
    });
  keys
    .command('list')
    .description('list keys (prefix only, never the key)')
    .option(...configOption)
    .action(async (opts: { config: string }) => {
      const config = configFrom(opts.config, io);
      await withStore(config, async (store) => {
        const records = await store.listKeys();
        if (records.length === 0) {
          io.out('no keys (create one with `tandem keys create --kind secret`)');
          return;
        }
        io.out(['id', 'kind', 'prefix', 'label', 'created', 'revoked'].join('\t'));
        for (const r of records) io.out([r.id, r.kind, `${r.prefix}…`, r.label ?? '-', iso(r.createdAt), iso(r.revokedAt)].join('\t'));
      });
    });
  keys
    .command('rotate')
    .description('create a replacement for a key (same kind and label) and revoke the old one')
    .argument('<id>', 'id of the key to replace (see `tandem keys list`)')
    .option(...configOption)
    .action(async (id: string, opts: { config: string }) => {
      const config = configFrom(opts.config, io);
      await withStore(config, async (store) => {
        const old = (await store.listKeys()).find((r) => r.id === id);
        if (!old) throw new ConfigError(`no key with id ${JSON.stringify(id)} (see \`tandem keys list\`)`);
        if (old.revokedAt !== null) throw new ConfigError(`key ${id} is already revoked`);
        const { key, record } = generateKey(old.kind, old.label);
        await store.createKey(record);
        await store.revokeKey(old.id, Date.now());
        io.out(`rotated ${old.kind} key ${old.id} → ${record.id}; ${old.id} is revoked`);
        io.out(key);
        io.err('tandem: store this key now; it is not shown again.');
      });
    });
  keys
    .command('revoke')
    .description('revoke a key at once')
    .argument('<id>', 'id of the key')
    .option(...configOption)
    .action(async (id: string, opts: { config: string }) => {
      const config = configFrom(opts.config, io);
      await withStore(config, async (store) => {
        if (!(await store.revokeKey(id, Date.now()))) throw new ConfigError(`no active key with id ${JSON.stringify(id)}`);
        io.out(`revoked key ${id}`);
      });
    });
  // `tandem report` and `tandem import` (measurement side, src/commands/).
  const deps = { io, config: (path: string) => configFrom(path, io) };
  registerReportCommand(program, deps);
  registerImportCommand(program, deps);
  return program;
}

/** Runs the CLI; configuration problems end with a one-line message and exit code 1. */
export async function runCli(argv: string[] = process.argv): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`tandem: ${err.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`tandem: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runCli();
