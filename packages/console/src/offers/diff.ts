/**
 * A readable diff of two offer definitions for the audit log: one line per
 * leaf that changed, with a dotted path ("content.headline", "rules.plans").
 * Arrays of scalars compare as a whole (a plan list reads better as
 * "pro, team → pro"); arrays of objects compare item by item.
 */

export interface DiffLine {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

/** Bookkeeping fields that change on every save and say nothing to a reader. */
const IGNORED = new Set(['updatedAt', 'version']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalarArray(v: unknown): v is unknown[] {
  return Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object');
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function walk(before: unknown, after: unknown, path: string, out: DiffLine[]): void {
  if (same(before, after)) return;
  if (before === undefined) {
    out.push({ path, kind: 'added', after });
    return;
  }
  if (after === undefined) {
    out.push({ path, kind: 'removed', before });
    return;
  }
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    for (const key of keys) {
      if (path === '' && IGNORED.has(key)) continue;
      walk(before[key], after[key], path ? `${path}.${key}` : key, out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && !isScalarArray(before) && !isScalarArray(after)) {
    const n = Math.max(before.length, after.length);
    for (let i = 0; i < n; i++) walk(before[i], after[i], `${path}[${i}]`, out);
    return;
  }
  out.push({ path, kind: 'changed', before, after });
}

/**
 * Lists what changed from `before` to `after` (either may be null: created / deleted).
 * @example diffOffers({ priority: 1 }, { priority: 2 })
 * // [{ path: 'priority', kind: 'changed', before: 1, after: 2 }]
 */
export function diffOffers(before: object | null, after: object | null): DiffLine[] {
  const out: DiffLine[] = [];
  walk(before ?? {}, after ?? {}, '', out);
  return out;
}

/**
 * Shows a value the way a growth person reads it: text quoted, lists joined,
 * objects as compact JSON, absent as an em dash.
 * @example formatValue(['pro', 'team']) // 'pro, team'
 */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'string') return `“${v}”`;
  if (isScalarArray(v)) return v.length === 0 ? '(none)' : v.map((x) => (typeof x === 'string' ? x : String(x))).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * One sentence per line of the diff.
 * @example describeLine({ path: 'priority', kind: 'changed', before: 1, after: 2 }) // 'priority: 1 → 2'
 */
export function describeLine(line: DiffLine): string {
  if (line.kind === 'added') return `${line.path}: set to ${formatValue(line.after)}`;
  if (line.kind === 'removed') return `${line.path}: removed (was ${formatValue(line.before)})`;
  return `${line.path}: ${formatValue(line.before)} → ${formatValue(line.after)}`;
}
