/**
 * What the `report` and `import` commands share: how they are wired into the
 * CLI (injected output, config loading, store opening) and small terminal helpers.
 */
import type { Config } from '../config.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/types.ts';

export interface CommandIo {
  /** One line of the command's result (stdout). */
  out: (line: string) => void;
  /** One line of diagnostics: notes, progress, rejected rows (stderr). */
  err: (line: string) => void;
}

/** What `cli.ts` hands to `registerReportCommand` / `registerImportCommand`. */
export interface CommandDeps {
  io: CommandIo;
  /** Loads and validates the config file (plus environment), printing its notes. */
  config: (path: string) => Config;
  /** Opens the configured store; default `openStore(config)`. */
  openStore?: (config: Config) => Store;
  /** Whether stdout is a terminal (colours, table layout); default `process.stdout.isTTY` unless NO_COLOR is set. */
  stdoutTty?: boolean;
  /** Whether stderr is a terminal (progress bar redrawn in place); default `process.stderr.isTTY`. */
  stderrTty?: boolean;
  /** Raw stderr writer for the in-place progress bar; default `process.stderr.write`. */
  writeErr?: (chunk: string) => void;
  /** Clock; default `Date.now`. */
  now?: () => number;
}

/** The defaults filled in once. */
export interface ResolvedDeps extends Required<CommandDeps> {}

export function resolveDeps(deps: CommandDeps): ResolvedDeps {
  return {
    io: deps.io,
    config: deps.config,
    openStore: deps.openStore ?? ((config) => openStore(config)),
    stdoutTty: deps.stdoutTty ?? (process.stdout.isTTY === true && !process.env.NO_COLOR),
    stderrTty: deps.stderrTty ?? process.stderr.isTTY === true,
    writeErr: deps.writeErr ?? ((chunk) => process.stderr.write(chunk)),
    now: deps.now ?? Date.now,
  };
}

/** Opens and migrates the store, runs `fn`, and always closes it. */
export async function withStore<T>(deps: ResolvedDeps, config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = deps.openStore(config);
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** ANSI styling that disappears when colours are off. */
export interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
}

const sgr = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const PLAIN: Paint = { bold: (s) => s, dim: (s) => s, red: (s) => s, green: (s) => s, yellow: (s) => s };
const ANSI: Paint = { bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39) };

export function paint(color: boolean): Paint {
  return color ? ANSI : PLAIN;
}

/** Visible width of a string (ANSI colour codes take no room). */
export function visibleLength(s: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
  return s.replace(/\u001b\[\d+m/g, '').length;
}

/** Lays out rows as aligned columns: text left, numbers (`align[i] === 'right'`) right. */
export function columns(rows: string[][], align: ('left' | 'right')[] = [], gap = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) widths[i] = Math.max(widths[i] ?? 0, visibleLength(row[i]!));
  }
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const pad = ' '.repeat((widths[i] ?? 0) - visibleLength(cell));
        return align[i] === 'right' ? pad + cell : i === row.length - 1 ? cell : cell + pad;
      })
      .join(gap)
      .trimEnd(),
  );
}
