/**
 * Client-side checks of an offer draft, and the mapping of the server's 400
 * messages onto the editor's fields. Both produce `FieldErrors`: a message per
 * dotted field path ("content.headline", "variants[1].key"), with "" for
 * errors that belong to no single field.
 */
import { bundleQuote, type OfferDefinition, type Product } from '@tandem/core';

export type FieldErrors = Record<string, string>;

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const PLACEMENT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

function isInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n);
}

function isUrl(s: string): boolean {
  if (/^\/(?!\/)/.test(s)) return true;
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

function isInstant(s: string): boolean {
  return !Number.isNaN(Date.parse(s));
}

function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}

/**
 * Checks a draft against what the server accepts and what makes sense to a
 * growth team (a window whose minimum exceeds its maximum, a bundle whose
 * prices cannot be summed). Returns an empty object when all is well.
 * @example validateOffer({ ...draft, priority: 1.5 }, products).priority
 * // 'Priority must be a whole number, got 1.5'
 */
export function validateOffer(o: OfferDefinition, products: readonly Product[]): FieldErrors {
  const e: FieldErrors = {};
  const product = (id: string) => products.find((p) => p.id === id);

  if (!ID_PATTERN.test(o.id)) e.id = `Id must be 1–64 letters, digits, "-" or "_", starting with a letter or digit, got ${show(o.id)}`;
  if (!o.name.trim()) e.name = 'Name is required';
  if (!PLACEMENT_PATTERN.test(o.placement)) e.placement = `Placement must be 1–64 letters, digits, ".", ":", "-" or "_", got ${show(o.placement)}`;
  if (!isInt(o.priority)) e.priority = `Priority must be a whole number, got ${show(o.priority)}`;
  const offerable = products.filter((p) => (p as { role?: string }).role !== 'primary');
  if (products.length > 0 && !offerable.some((p) => p.id === o.productId)) {
    e.productId = `Product must be one of ${offerable.map((p) => p.id).join(', ')} (product one cannot be offered), got ${show(o.productId)}`;
  }

  if (!o.content.headline.trim()) e['content.headline'] = 'Headline is required';
  else if (o.content.headline.length > 200) e['content.headline'] = `Headline must be at most 200 characters, got ${o.content.headline.length}`;
  if (o.content.body.length > 2000) e['content.body'] = `Body must be at most 2000 characters, got ${o.content.body.length}`;
  if (!o.content.cta.trim()) e['content.cta'] = 'Button label is required';
  else if (o.content.cta.length > 80) e['content.cta'] = `Button label must be at most 80 characters, got ${o.content.cta.length}`;
  if (o.content.dismissLabel !== undefined && o.content.dismissLabel.length > 80) e['content.dismissLabel'] = 'Dismiss label must be at most 80 characters';

  if (o.kind === 'trial') {
    if (!isInt(o.trialDays) || o.trialDays < 1 || o.trialDays > 365) e.trialDays = `Trial length must be a whole number of days from 1 to 365, got ${show(o.trialDays)}`;
  } else {
    const b = o.bundle;
    if (!b || b.productIds.length === 0) e['bundle.productIds'] = `A ${o.kind} needs at least one included product`;
    else {
      const unknown = b.productIds.filter((id) => !product(id));
      if (products.length > 0 && unknown.length > 0) e['bundle.productIds'] = `Unknown product ${unknown.join(', ')}`;
      else if (products.length > 0) {
        try {
          bundleQuote(
            b.productIds.map((id) => product(id)!.listPrice),
            0,
          );
        } catch (err) {
          e['bundle.productIds'] = (err as Error).message;
        }
      }
    }
    if (b && !(typeof b.discountPercent === 'number' && b.discountPercent >= 0 && b.discountPercent < 100)) {
      e['bundle.discountPercent'] = `Discount must be at least 0 and below 100 percent, got ${show(b.discountPercent)}`;
    }
  }

  if (o.action.type === 'url' && !isUrl(o.action.url)) e['action.url'] = `Link must be an http(s) URL or a path starting with /, got ${show(o.action.url)}`;
  if (o.action.type === 'callback' && o.action.url && !isUrl(o.action.url)) e['action.url'] = `Fallback link must be an http(s) URL or a path starting with /, got ${show(o.action.url)}`;

  if (!(typeof o.holdout === 'number' && o.holdout >= 0 && o.holdout < 1)) e.holdout = `Holdout must be at least 0% and below 100%, got ${show(o.holdout)}`;

  const ex = o.caps?.exposures;
  if (ex) {
    if (!isInt(ex.maxExposures) || ex.maxExposures < 1) e['caps.exposures.maxExposures'] = `Exposures must be a whole number of at least 1, got ${show(ex.maxExposures)}`;
    if (!isInt(ex.days) || ex.days < 1) e['caps.exposures.days'] = `Days must be a whole number of at least 1, got ${show(ex.days)}`;
  }
  const dm = o.caps?.dismiss;
  if (dm && (!isInt(dm.days) || dm.days < 0)) e['caps.dismiss.days'] = `Cooldown must be a whole number of days, 0 or more, got ${show(dm.days)}`;

  const r = o.rules;
  rangeErrors(e, 'rules.activationDays', r.activationDays, 'Days since activation', true);
  rangeErrors(e, 'rules.arr', r.arr, 'ARR', false);
  if (r.minDaysToRenewal !== undefined && (!isInt(r.minDaysToRenewal) || r.minDaysToRenewal < 0)) {
    e['rules.minDaysToRenewal'] = `Days to renewal must be a whole number, 0 or more, got ${show(r.minDaysToRenewal)}`;
  }
  r.readiness?.forEach((t, i) => {
    if (!t.feature.trim()) e[`rules.readiness[${i}].feature`] = 'Feature name is required';
    if (!(typeof t.min === 'number' && t.min >= 0)) e[`rules.readiness[${i}].min`] = `Threshold must be 0 or more, got ${show(t.min)}`;
  });
  for (const list of ['plans', 'regions', 'channels'] as const) {
    const values = r[list];
    if (values?.some((v) => !v.trim())) e[`rules.${list}`] = 'Remove the empty entry';
  }

  const keys = new Set<string>();
  o.variants?.forEach((v, i) => {
    if (!ID_PATTERN.test(v.key)) e[`variants[${i}].key`] = `Variant key must be 1–64 letters, digits, "-" or "_", got ${show(v.key)}`;
    else if (keys.has(v.key)) e[`variants[${i}].key`] = `Variant key "${v.key}" is used twice`;
    keys.add(v.key);
    if (v.weight !== undefined && !(v.weight > 0)) e[`variants[${i}].weight`] = `Weight must be above 0, got ${show(v.weight)}`;
    if (v.discountPercent !== undefined && !(v.discountPercent >= 0 && v.discountPercent < 100)) {
      e[`variants[${i}].discountPercent`] = `Discount must be at least 0 and below 100 percent, got ${show(v.discountPercent)}`;
    }
  });

  const start = o.schedule?.startAt;
  const end = o.schedule?.endAt;
  if (start && !isInstant(start)) e['schedule.startAt'] = `Start must be a date and time, got ${show(start)}`;
  if (end && !isInstant(end)) e['schedule.endAt'] = `End must be a date and time, got ${show(end)}`;
  if (start && end && isInstant(start) && isInstant(end) && Date.parse(end) <= Date.parse(start)) e['schedule.endAt'] = 'End must be after start';
  return e;
}

function rangeErrors(e: FieldErrors, path: string, range: { min?: number; max?: number } | undefined, label: string, integer: boolean): void {
  if (!range) return;
  for (const side of ['min', 'max'] as const) {
    const v = range[side];
    if (v === undefined) continue;
    if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0) || (integer && !Number.isInteger(v))) {
      e[`${path}.${side}`] = `${label} ${side === 'min' ? 'from' : 'to'} must be ${integer ? 'a whole number, ' : ''}0 or more, got ${show(v)}`;
    }
  }
  if (range.min !== undefined && range.max !== undefined && range.min > range.max) {
    e[`${path}.max`] = `${label}: the maximum (${range.max}) is below the minimum (${range.min})`;
  }
}

/**
 * Finds which editor field a server error message is about, from the path
 * conventions servers use: a back-quoted dotted path (`content.headline`), a JSON
 * pointer (/content/headline, body/variants/0/key), or ajv's "must have required
 * property 'x'". The path is trimmed to the deepest field the editor shows
 * (`known`); "" when nothing matches.
 * @example fieldOfMessage('body/content/headline must NOT have fewer than 1 characters', new Set(['content.headline']))
 * // 'content.headline'
 */
export function fieldOfMessage(message: string, known: ReadonlySet<string>): string {
  const candidates: string[] = [];
  for (const m of message.matchAll(/`([A-Za-z_][\w.[\]]*)`/g)) candidates.push(m[1]!);
  const pointer = message.match(/(?:^|\s|")(?:body)?((?:\/[\w-]+)+|body(?:[./][\w-]+)+)/);
  if (pointer) {
    let p = pointer[1]!.replace(/^body[./]?/, '').replace(/^\//, '');
    const required = message.match(/required property '([^']+)'/);
    if (required) p = p ? `${p}/${required[1]}` : required[1]!;
    candidates.push(p.split(/[/.]/).reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), ''));
  } else {
    const required = message.match(/required property '([^']+)'/);
    if (required) candidates.push(required[1]!);
  }
  for (const c of candidates) {
    const field = deepestKnown(c.replace(/^body\./, ''), known);
    if (field) return field;
  }
  return '';
}

function deepestKnown(path: string, known: ReadonlySet<string>): string {
  let p = path;
  while (p) {
    if (known.has(p)) return p;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    p = cut > 0 ? p.slice(0, cut) : '';
  }
  return '';
}

/**
 * Turns a 400 answer into field errors the editor shows next to the field.
 * @example serverFieldErrors({ code: 'invalid_body', message: '`priority` must be an integer, got "x"' }, new Set(['priority']))
 * // { priority: '`priority` must be an integer, got "x"' }
 */
export function serverFieldErrors(error: { code: string; message: string }, known: ReadonlySet<string>): FieldErrors {
  return { [fieldOfMessage(error.message, known)]: error.message };
}

const STATIC_FIELDS = [
  'id', 'name', 'status', 'kind', 'placement', 'display', 'priority', 'productId',
  'content.headline', 'content.body', 'content.cta', 'content.dismissLabel',
  'trialDays', 'bundle.productIds', 'bundle.discountPercent', 'action.type', 'action.url', 'holdout',
  'caps.exposures.maxExposures', 'caps.exposures.days', 'caps.exposures.scope', 'caps.dismiss.days', 'caps.dismiss.scope',
  'rules.activationDays.min', 'rules.activationDays.max', 'rules.requireCoreValue', 'rules.plans',
  'rules.arr.min', 'rules.arr.max', 'rules.regions', 'rules.channels', 'rules.readiness', 'rules.minDaysToRenewal',
  'rules.excludePastDue', 'rules.excludeSalesOwned', 'rules.excludeAttached',
  'variants', 'schedule.startAt', 'schedule.endAt',
];

/**
 * Every field path the editor shows for this draft (list items included).
 * @example knownFields(draft).has('content.headline') // true
 */
export function knownFields(o: OfferDefinition): Set<string> {
  const set = new Set(STATIC_FIELDS);
  o.variants?.forEach((_, i) => {
    for (const f of ['key', 'weight', 'discountPercent', 'content.headline', 'content.body', 'content.cta']) set.add(`variants[${i}].${f}`);
  });
  o.rules.readiness?.forEach((_, i) => {
    set.add(`rules.readiness[${i}].feature`);
    set.add(`rules.readiness[${i}].min`);
  });
  return set;
}
