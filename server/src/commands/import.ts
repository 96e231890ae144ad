/**
 * `tandem import`: accounts and events from NDJSON or CSV files, validated row
 * by row (line, field, received value), written through the store in batches.
 * Events keep their `at` (source `import`); the store folds them into the
 * per-account state whatever order they come in, so back-dated files leave
 * the same state as events that arrived in time order.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Account } from '@tandem/core';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_CONFIG_PATH } from '../config.ts';
import type { Store, StoredEvent } from '../store/types.ts';
import { type CommandDeps, resolveDeps, withStore } from './common.ts';
import {
  type FileFormat,
  formatOf,
  fromCsv,
  IMPORT_TYPES,
  type ImportType,
  readRecords,
  toAccount,
  toEvent,
  typeFromName,
  typeFromRecord,
} from './import-rows.ts';
import { Progress } from './progress.ts';

export interface RowError {
  file: string;
  line: number;
  message: string;
}

export interface ImportSummary {
  accounts: { imported: number; rejected: number };
  events: { imported: number; duplicates: number; rejected: number };
  errors: RowError[];
}

export interface ImportOptions {
  /** Forces the type of every file; default: from the file name, else from the first record. */
  type?: ImportType;
  /** Rows per store write; default 1000. */
  batchSize?: number;
  /** Configured product ids; events naming another product are refused (as the API does). */
  productIds?: readonly string[];
  now?: () => number;
  /** Progress output; none when absent. */
  progress?: { tty: boolean; write: (chunk: string) => void; line: (text: string) => void };
  /** Called for each refused row as it is found. */
  onError?: (error: RowError) => void;
}

interface Resolved {
  path: string;
  format: FileFormat;
}

function checkFile(path: string): Resolved & { size: number } {
  const format = formatOf(path);
  if (format === null) throw new InvalidArgumentError(`file ${JSON.stringify(path)} must end in .ndjson, .jsonl, .json or .csv`);
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    size = st.size;
  } catch (err) {
    throw new InvalidArgumentError(`cannot read ${JSON.stringify(path)}: ${(err as Error).message}`);
  }
  return { path, format, size };
}

/**
 * Imports the files in order through `store`; every row is either stored,
 * counted as a duplicate (an event id already stored) or refused with its reason.
 * @example const summary = await importFiles(store, ['accounts.ndjson', 'events.csv']);
 */
export async function importFiles(store: Store, paths: readonly string[], options: ImportOptions = {}): Promise<ImportSummary> {
  const files = paths.map(checkFile);
  const now = options.now ?? Date.now;
  const batchSize = options.batchSize ?? 1000;
  const products = options.productIds ? new Set(options.productIds) : null;
  const summary: ImportSummary = { accounts: { imported: 0, rejected: 0 }, events: { imported: 0, duplicates: 0, rejected: 0 }, errors: [] };
  const refuse = (file: string, line: number, message: string) => {
    const error = { file, line, message };
    summary.errors.push(error);
    options.onError?.(error);
  };

  for (const file of files) {
    const name = basename(file.path);
    let type: ImportType | null = options.type ?? typeFromName(file.path);
    let accounts: Account[] = [];
    let events: StoredEvent[] = [];
    const flush = async () => {
      if (accounts.length > 0) {
        summary.accounts.imported += await store.upsertAccounts(accounts, now());
        accounts = [];
      }
      if (events.length > 0) {
        const result = await store.insertEvents(events);
        summary.events.imported += result.inserted.length;
        summary.events.duplicates += result.duplicates.length;
        events = [];
      }
    };
    let bytes = 0;
    const progress = options.progress ? new Progress({ label: name, total: file.size, ...options.progress, now }) : null;
    let rows = 0;
    for await (const record of readRecords(file.path, file.format, (b) => (bytes = b))) {
      rows++;
      if (record.value === null) {
        if (type === 'accounts') summary.accounts.rejected++;
        else summary.events.rejected++;
        refuse(name, record.line, record.error ?? 'cannot be read');
        continue;
      }
      if (type === null) {
        type = typeFromRecord(record.value);
        if (type === null) {
          throw new InvalidArgumentError(
            `cannot tell whether ${name} holds accounts or events (its first record has neither \`activatedAt\` nor \`type\` and \`at\`); pass --type accounts|events`,
          );
        }
      }
      const row = file.format === 'csv' ? fromCsv(type, record.value) : record.value;
      if (type === 'accounts') {
        const account = toAccount(row);
        if (typeof account === 'string') {
          summary.accounts.rejected++;
          refuse(name, record.line, account);
        } else accounts.push(account);
      } else {
        const event = toEvent(row, now(), products);
        if (typeof event === 'string') {
          summary.events.rejected++;
          refuse(name, record.line, event);
        } else events.push(event);
      }
      if (accounts.length + events.length >= batchSize) await flush();
      progress?.update(bytes, rows);
    }
    await flush();
    progress?.done(rows);
  }
  return summary;
}

/** The closing lines: what was imported, what was a duplicate, what was refused. */
export function summaryLines(s: ImportSummary): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  return [
    `accounts: ${n(s.accounts.imported)} imported, ${n(s.accounts.rejected)} rejected`,
    `events: ${n(s.events.imported)} imported, ${n(s.events.duplicates)} duplicates, ${n(s.events.rejected)} rejected`,
  ];
}

/** Refused rows printed one by one before the rest are only counted. */
const MAX_PRINTED_ERRORS = 50;

/**
 * Adds `tandem import` to the program. Exit code 1 when any row was refused.
 * @example registerImportCommand(program, { io, config: (path) => configFrom(path, io) });
 */
export function registerImportCommand(program: Command, deps: CommandDeps): Command {
  const d = resolveDeps(deps);
  const cmd = program
    .command('import')
    .description('import accounts and events from NDJSON or CSV files into the store (events keep their `at`)')
    .argument('<files...>', 'files ending in .ndjson/.jsonl/.json or .csv (CSV: a header row of field names)')
    .option('-c, --config <path>', 'config file (JSON) naming the store; a missing file means defaults', DEFAULT_CONFIG_PATH)
    .addOption(new Option('-t, --type <type>', 'what every file holds (default: from the file name, else the first record)').choices(IMPORT_TYPES))
    .option('--batch-size <n>', 'rows per store transaction', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new InvalidArgumentError(`must be an integer from 1 to 10000, got ${JSON.stringify(v)}`);
      return n;
    });
  return cmd.action(async (files: string[], opts: { config: string; type?: ImportType; batchSize?: number }) => {
    const config = d.config(opts.config);
    let printed = 0;
    let summary: ImportSummary;
    try {
      summary = await withStore(d, config, (store) =>
        importFiles(store, files, {
          type: opts.type,
          batchSize: opts.batchSize,
          productIds: config.products.map((p) => p.id),
          now: d.now,
          progress: { tty: d.stderrTty, write: d.writeErr, line: d.io.err },
          onError: (e) => {
            if (d.stderrTty && printed < MAX_PRINTED_ERRORS) d.writeErr('\r\u001b[K'); // clear the bar's line first
            if (printed++ < MAX_PRINTED_ERRORS) d.io.err(`${e.file} line ${e.line}: ${e.message}`);
          },
        }),
      );
    } catch (err) {
      if (err instanceof InvalidArgumentError) cmd.error(`tandem import: ${err.message}`, { exitCode: 1, code: 'tandem.import' });
      throw err;
    }
    if (printed > MAX_PRINTED_ERRORS) d.io.err(`… and ${printed - MAX_PRINTED_ERRORS} more rejected rows`);
    for (const line of summaryLines(summary)) d.io.out(line);
    if (summary.errors.length > 0) process.exitCode = 1;
  });
}
