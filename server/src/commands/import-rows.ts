/**
 * Reading import files record by record (NDJSON, or CSV with a header row)
 * and turning each record into an `Account` or a `StoredEvent`, validated
 * against the same schemas as the HTTP API. Errors name the line, the field
 * and what was received.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type Account, isUuid } from '@tandem/core';
import { AccountsBatchBody, EventSchema } from '../schemas/api.ts';
import { compileCheck } from '../schemas/validation.ts';
import { stableUuid } from '../ids.ts';
import type { StoredEvent } from '../store/types.ts';

export type ImportType = 'accounts' | 'events';
export type FileFormat = 'ndjson' | 'csv';
export const IMPORT_TYPES: readonly ImportType[] = ['accounts', 'events'];

export interface FileRecord {
  /** 1-based line where the record starts. */
  line: number;
  /** The record's fields; null when the line could not be read. */
  value: Record<string, unknown> | null;
  /** Why the line could not be read. */
  error: string | null;
}

/** `.ndjson` / `.jsonl` / `.json` → NDJSON; `.csv` → CSV; anything else null. */
export function formatOf(path: string): FileFormat | null {
  const lower = path.toLowerCase();
  if (/\.(ndjson|jsonl|json)$/.test(lower)) return 'ndjson';
  if (lower.endsWith('.csv')) return 'csv';
  return null;
}

/** From the file name (`accounts.csv`, `2026-events.ndjson`), else null. */
export function typeFromName(path: string): ImportType | null {
  const name = path.split(/[\\/]/).pop()!.toLowerCase();
  if (name.includes('account')) return 'accounts';
  if (name.includes('event')) return 'events';
  return null;
}

/** From the first record's fields: `activatedAt` → accounts, `type` and `at` → events. */
export function typeFromRecord(value: Record<string, unknown>): ImportType | null {
  if ('activatedAt' in value) return 'accounts';
  if ('type' in value && 'at' in value) return 'events';
  return null;
}

/** Splits one CSV record (RFC 4180 quoting); null while a quoted field is still open. */
export function splitCsv(text: string): string[] | null {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) return null;
  fields.push(field);
  return fields;
}

/**
 * Streams a file's records; `onBytes` reports how far the reader is (for progress).
 * @example for await (const r of readRecords('events.csv', 'csv')) console.log(r.line, r.value);
 */
export async function* readRecords(path: string, format: FileFormat, onBytes?: (bytes: number) => void): AsyncGenerator<FileRecord> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  let header: string[] | null = null;
  let pending = '';
  let pendingLine = 0;
  for await (const raw of lines) {
    lineNo++;
    onBytes?.(stream.bytesRead);
    const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (format === 'ndjson') {
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        yield { line: lineNo, value: null, error: `not valid JSON (${(err as Error).message})` };
        continue;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        yield { line: lineNo, value: null, error: `must be a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}` };
        continue;
      }
      yield { line: lineNo, value: value as Record<string, unknown>, error: null };
      continue;
    }
    // CSV: a quoted field may span lines; the record keeps the line it starts on.
    if (pending === '' && line.trim() === '') continue;
    const text = pending === '' ? line : `${pending}\n${line}`;
    const start = pending === '' ? lineNo : pendingLine;
    const fields = splitCsv(text);
    if (fields === null) {
      pending = text;
      pendingLine = start;
      continue;
    }
    pending = '';
    if (header === null) {
      header = fields.map((f) => f.trim());
      continue;
    }
    if (fields.length !== header.length) {
      yield { line: start, value: null, error: `has ${fields.length} fields, the header has ${header.length}` };
      continue;
    }
    const value: Record<string, unknown> = {};
    header.forEach((name, i) => {
      value[name] = fields[i];
    });
    yield { line: start, value, error: null };
  }
  if (pending !== '') yield { line: pendingLine, value: null, error: 'a quoted field is never closed' };
}

const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const ACCOUNT_NUMBERS = new Set(['arr']);
const ACCOUNT_BOOLEANS = new Set(['pastDue', 'salesOwned']);
const EVENT_NUMBERS = new Set(['arr', 'quantity']);

/** A CSV cell as JSON would have it; anything that does not parse stays a string so validation reports it. */
function cell(name: string, value: string, numbers: Set<string>, booleans: Set<string>): unknown {
  if (numbers.has(name)) return NUMBER.test(value.trim()) ? Number(value) : value;
  if (booleans.has(name)) return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

/**
 * CSV columns → the JSON shape: empty cells are absent; `usage.<feature>`
 * (numbers) and `attributes.<name>` become nested objects.
 */
export function fromCsv(type: ImportType, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(row)) {
    const value = String(raw);
    if (value === '') continue;
    if (type === 'accounts' && (name.startsWith('usage.') || name.startsWith('attributes.'))) {
      const [group, key] = [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)];
      out[group] ??= {};
      const nested = out[group] as Record<string, unknown>;
      nested[key] = group === 'usage' && NUMBER.test(value.trim()) ? Number(value) : value;
      continue;
    }
    out[name] =
      type === 'accounts' ? cell(name, value, ACCOUNT_NUMBERS, ACCOUNT_BOOLEANS) : cell(name, value, EVENT_NUMBERS, new Set());
  }
  return out;
}

const checkAccount = compileCheck(AccountsBatchBody.properties.accounts.items);
const checkEvent = compileCheck(EventSchema);

/** "/arr must be a number, got …" → "`arr` must be a number, got …". */
function fieldMessage(message: string): string {
  const m = /^\/(\S*?)( .*)$/.exec(message);
  return m ? `\`${m[1]!.replaceAll('/', '.')}\`${m[2]}` : message.replace(/^ /, '');
}

/** The record as an account, or the reason it is refused. */
export function toAccount(value: Record<string, unknown>): Account | string {
  const problem = checkAccount(value, '');
  if (problem) return fieldMessage(problem);
  return value as unknown as Account;
}

/**
 * The record as a stored event (source `import`, keeping its `at`), or the
 * reason it is refused. UUID ids are kept; any other id becomes a stable UUID
 * (the mapping /v1/conversions uses), so importing a file twice stores nothing twice.
 */
export function toEvent(value: Record<string, unknown>, now: number, products: ReadonlySet<string> | null): StoredEvent | string {
  const id = value.id;
  if (typeof id === 'string' && id !== '' && id.length <= 200 && !isUuid(id)) value.id = stableUuid('conversion', id);
  const problem = checkEvent(value, '');
  if (problem) return fieldMessage(problem.replace(/^\/id must be a UUID/, '/id must be a UUID or a non-empty id of at most 200 characters'));
  const e = value as unknown as Record<string, string | number | undefined>;
  const at = Date.parse(e.at as string);
  if (!Number.isFinite(at)) return `\`at\` must be an ISO 8601 date-time string, got ${JSON.stringify(e.at)}`;
  const productId = (e.productId as string | undefined) ?? null;
  if (productId !== null && products !== null && !products.has(productId)) {
    return `\`productId\` must be one of the configured products (${[...products].join(', ')}), got ${JSON.stringify(productId)}`;
  }
  return {
    id: (e.id as string).toLowerCase(),
    type: e.type as StoredEvent['type'],
    accountId: e.accountId as string,
    userId: (e.userId as string | undefined) ?? null,
    offerId: (e.offerId as string | undefined) ?? null,
    variant: (e.variant as string | undefined) ?? null,
    decisionId: (e.decisionId as string | undefined) ?? null,
    placement: (e.placement as string | undefined) ?? null,
    at,
    receivedAt: now,
    source: 'import',
    productId,
    arr: (e.arr as number | undefined) ?? null,
    quantity: (e.quantity as number | undefined) ?? null,
  };
}
