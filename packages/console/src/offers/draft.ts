/**
 * Pure helpers for editing an offer draft: immutable updates by dotted path,
 * and the clean-up before a save (unset optional rules removed, not sent empty).
 */
import type { OfferDefinition } from '@tandem/core';

/**
 * A copy of `obj` with the value at a dotted path replaced (`undefined` removes the key).
 * @example setIn({ a: { b: 1 } }, 'a.b', 2) // { a: { b: 2 } }
 */
export function setIn<T extends object>(obj: T, path: string, value: unknown): T {
  const [head, ...rest] = path.split('.');
  const key = head!;
  const copy: Record<string, unknown> = { ...(obj as Record<string, unknown>) };
  if (rest.length === 0) {
    if (value === undefined) delete copy[key];
    else copy[key] = value;
  } else {
    const child = copy[key];
    copy[key] = setIn(typeof child === 'object' && child !== null ? child : {}, rest.join('.'), value);
  }
  return copy as T;
}

/** Value at a dotted path. */
export function getIn(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function pruneEmpty(o: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v))) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const inner = pruneEmpty(v as Record<string, unknown>);
      if (inner) out[k] = inner;
      continue;
    }
    out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * What the editor sends: rules and caps without unset entries, the fields of
 * the other offer kinds dropped, bookkeeping (`version`, `updatedAt`) left to the server.
 * @example forSave({ ...draft, kind: 'trial', bundle: { productIds: ['a'], discountPercent: 10 } }).bundle // undefined
 */
export function forSave(d: OfferDefinition): OfferDefinition {
  const { version: _v, updatedAt: _u, ...rest } = d;
  const out: OfferDefinition = { ...rest, rules: (pruneEmpty(d.rules as Record<string, unknown>) ?? {}) as OfferDefinition['rules'] };
  if (d.kind === 'trial') delete out.bundle;
  else delete out.trialDays;
  const caps = pruneEmpty((d.caps ?? {}) as Record<string, unknown>);
  if (caps) out.caps = caps as OfferDefinition['caps'];
  else delete out.caps;
  if (!d.variants?.length) delete out.variants;
  else
    out.variants = d.variants.map((v) => {
      const content = pruneEmpty((v.content ?? {}) as Record<string, unknown>);
      const clean = { ...v, content: content as typeof v.content };
      if (!content) delete clean.content;
      if (clean.weight === undefined) delete clean.weight;
      if (clean.discountPercent === undefined || d.kind === 'trial') delete clean.discountPercent;
      return clean;
    });
  if (!d.schedule?.startAt && !d.schedule?.endAt) delete out.schedule;
  if (!d.content.dismissLabel) out.content = { headline: d.content.headline, body: d.content.body, cta: d.content.cta };
  if (out.action.type === 'callback' && !out.action.url) out.action = { type: 'callback' };
  return out;
}

/** ISO instant → value of an `<input type="datetime-local">` in the browser's zone. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** `<input type="datetime-local">` value → ISO instant (null when empty). */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}
