/**
 * `tandem report`: the attach report, cohort grid and holdout lift in the
 * terminal (or as CSV / JSON), with the same options as the metrics API.
 *
 * Primary path: the store named by the config file (SQLite in `dataDir`, or
 * `DATABASE_URL`), read directly — what an operator on the box runs. With
 * `--url` (and `--key` or TANDEM_SECRET_KEY) it asks a running server instead.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_CONFIG_PATH } from '../config.ts';
import { ATTACH_DEFINITIONS, attachCsv, BREAKDOWNS, type BreakdownBy, DENOMINATORS, MetricsInputError, WEIGHTS } from '../metrics/index.ts';
import { type CommandDeps, resolveDeps, withStore } from './common.ts';
import { type ReportData, ReportHttpError, type ReportQuery, reportFromServer, reportFromStore } from './report-data.ts';
import { renderReportTable } from './report-table.ts';

export const REPORT_FORMATS = ['table', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

interface RawReportOptions {
  config: string;
  definition: ReportQuery['definition'];
  denominator: ReportQuery['denominator'];
  weight: ReportQuery['weight'];
  asOf?: number;
  offer?: string;
  by?: BreakdownBy;
  threshold?: number;
  format: ReportFormat;
  url?: string;
  key?: string;
}

function parseInstant(value: string): number {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError(`must be an ISO 8601 instant (e.g. 2026-06-30T00:00:00Z), got ${JSON.stringify(value)}`);
  return ms;
}

function parseThreshold(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`must be a number ≥ 0, got ${JSON.stringify(value)}`);
  return n;
}

function parseOffer(value: string): string {
  if (value === '') throw new InvalidArgumentError('must be a non-empty offer id, got ""');
  return value;
}

/** Formats the data as the chosen output, one string per line. */
export function formatReport(data: ReportData, format: ReportFormat, color: boolean): string[] {
  if (format === 'json') return [JSON.stringify(data, null, 2)];
  // The same CSV as GET /v1/metrics/attach.csv (overall, cohorts, breakdown).
  if (format === 'csv') return [attachCsv(data.attach).replace(/\r\n$/, '')];
  return renderReportTable(data, { color });
}

/**
 * Adds `tandem report` to the program.
 * @example registerReportCommand(program, { io, config: (path) => configFrom(path, io) });
 */
export function registerReportCommand(program: Command, deps: CommandDeps): Command {
  const d = resolveDeps(deps);
  const cmd = program
    .command('report')
    .description('attach rate, cohorts, time to attach, breakdown and holdout lift (from the store, or a server with --url)')
    .option('-c, --config <path>', 'config file (JSON) naming the store; a missing file means defaults', DEFAULT_CONFIG_PATH)
    .addOption(new Option('-d, --definition <definition>', 'what counts as attached').choices(ATTACH_DEFINITIONS).default('paid'))
    .addOption(new Option('--denominator <denominator>', 'all accounts, or exposed ones only').choices(DENOMINATORS).default('all'))
    .addOption(new Option('-w, --weight <weight>', 'count logos or sum ARR').choices(WEIGHTS).default('logo'))
    .option('--as-of <instant>', 'ISO 8601 instant the figures are as of (default: now)', parseInstant)
    .option('--offer <id>', 'exposed denominator and lift for this offer only', parseOffer)
    .addOption(new Option('--by <dimension>', 'breakdown').choices(BREAKDOWNS))
    .option('--threshold <n>', 'usage threshold of the `active` definition (default 1)', parseThreshold)
    .addOption(new Option('-f, --format <format>', 'output').choices(REPORT_FORMATS).default('table'))
    .option('--url <url>', "read from a running server's API instead of the store (e.g. http://127.0.0.1:8787)")
    .option('--key <key>', 'secret key for --url (default: TANDEM_SECRET_KEY)');
  return cmd.action(async (opts: RawReportOptions) => {
      const query: ReportQuery = {
        definition: opts.definition,
        denominator: opts.denominator,
        weight: opts.weight,
        asOf: opts.asOf ?? d.now(),
        offerId: opts.offer ?? null,
        by: opts.by ?? null,
        threshold: opts.threshold,
      };
      let data: ReportData;
      try {
        if (opts.url !== undefined) {
          const key = opts.key ?? process.env.TANDEM_SECRET_KEY?.split(',')[0];
          if (!key) throw new InvalidArgumentError('--url needs a secret key: pass --key or set TANDEM_SECRET_KEY, got none');
          data = await reportFromServer(opts.url, key, query);
        } else {
          data = await withStore(d, d.config(opts.config), (store) => reportFromStore(store, query));
        }
      } catch (err) {
        // Bad input and unreachable servers end with one line, not a stack.
        if (err instanceof ReportHttpError || err instanceof InvalidArgumentError || err instanceof MetricsInputError) {
          cmd.error(`tandem report: ${err.message}`, { exitCode: 1, code: 'tandem.report' });
        }
        throw err;
      }
      for (const line of formatReport(data, opts.format, d.stdoutTty && opts.format === 'table')) d.io.out(line);
    });
}
