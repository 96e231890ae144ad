/**
 * When an account counts as attached, straight from DESIGN's definitions, on
 * the per-account facts. Each check walks the account's own short arrays, so
 * a report costs O(accounts), never O(events).
 */
import type { AccountFacts } from '../store/types.ts';

export type AttachDefinition = 'trial' | 'paid' | 'active';
export const ATTACH_DEFINITIONS: readonly AttachDefinition[] = ['trial', 'paid', 'active'];

export const DAY_MS = 86_400_000;
/** `active` looks at product-two usage in (t − 30 days, t]. */
export const ACTIVE_WINDOW_MS = 30 * DAY_MS;
/** Default usage quantity in the window that makes a paying account active. */
export const DEFAULT_ACTIVE_THRESHOLD = 1;

/** Number of elements of an ascending array that are ≤ t. */
function countAtOrBefore(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `paid` at t: a paid at or before t with no later cancel at or before t (a tie keeps it paid). */
export function isPaidAt(facts: AccountFacts, t: number): boolean {
  const p = countAtOrBefore(facts.paidAt, t);
  if (p === 0) return false;
  const c = countAtOrBefore(facts.canceledAt, t);
  return c === 0 || facts.canceledAt[c - 1]! <= facts.paidAt[p - 1]!;
}

/** Sum of usage quantity in (t − 30 days, t], added in ascending order of instant. */
export function usageInWindow(facts: AccountFacts, t: number): number {
  const usage = facts.usage;
  const from = t - ACTIVE_WINDOW_MS;
  let sum = 0;
  // Usage arrays are short per account; a backwards walk stops at the window start.
  let i = usage.length - 1;
  while (i >= 0 && usage[i]!.at > t) i--;
  let start = i;
  while (start >= 0 && usage[start]!.at > from) start--;
  for (let k = start + 1; k <= i; k++) sum += usage[k]!.quantity;
  return sum;
}

/**
 * Whether the account is attached at instant t under a definition.
 * @example isAttachedAt(facts, 'paid', Date.parse('2026-06-30T00:00:00Z'))
 */
export function isAttachedAt(
  facts: AccountFacts,
  definition: AttachDefinition,
  t: number,
  activeThreshold: number = DEFAULT_ACTIVE_THRESHOLD,
): boolean {
  if (definition === 'trial') return facts.trialAt !== null && facts.trialAt <= t;
  if (!isPaidAt(facts, t)) return false;
  return definition === 'paid' || usageInWindow(facts, t) >= activeThreshold;
}

/**
 * The account's first attach: the earliest instant at which it is attached,
 * or NaN when that is not at or before `until` (pass Infinity for "ever").
 *
 * `trial`: the earliest trial start. `paid`: the first paid conversion — at
 * that instant the latest paid/cancel at or before it is that paid.
 *
 * `active` = paid(t) ∧ U(t) ≥ θ, U(t) the usage in (t − 30 d, t]. Both factors
 * are step functions that are constant on half-open intervals [a, b) whose
 * ends are event instants: paid(t) changes only at paid and cancel instants;
 * U(t) changes only at a usage instant u (u enters) and at u + 30 d (u leaves).
 * So the set where both hold is a union of such intervals and its earliest
 * point is an instant where the condition turns true. A cancel can only turn
 * paid(t) false, and a usage leaving can only lower U (quantities are not
 * negative), so the condition can only turn true at a paid instant or a usage
 * instant. Checking those candidates in ascending order and taking the first
 * that holds is therefore exact; candidates before the first paid cannot hold.
 */
export function firstAttachAt(
  facts: AccountFacts,
  definition: AttachDefinition,
  until: number,
  activeThreshold: number = DEFAULT_ACTIVE_THRESHOLD,
): number {
  if (definition === 'trial') {
    return facts.trialAt !== null && facts.trialAt <= until ? facts.trialAt : Number.NaN;
  }
  const paid = facts.paidAt;
  if (paid.length === 0 || paid[0]! > until) return Number.NaN;
  if (definition === 'paid') return paid[0]!;

  const canceled = facts.canceledAt;
  const usage = facts.usage;
  let pi = 0; // paid instants ≤ candidate
  let ci = 0; // cancel instants ≤ candidate
  let ui = 0; // next usage to consider as a candidate
  let lo = 0; // first usage inside the window
  let hi = 0; // usage instants ≤ candidate
  while (ui < usage.length && usage[ui]!.at < paid[0]!) ui++;
  for (;;) {
    const nextPaid = pi < paid.length ? paid[pi]! : Number.POSITIVE_INFINITY;
    const nextUsage = ui < usage.length ? usage[ui]!.at : Number.POSITIVE_INFINITY;
    const c = Math.min(nextPaid, nextUsage);
    if (!(c <= until)) return Number.NaN;
    while (pi < paid.length && paid[pi]! <= c) pi++;
    while (ui < usage.length && usage[ui]!.at <= c) ui++;
    while (ci < canceled.length && canceled[ci]! <= c) ci++;
    if (ci > 0 && canceled[ci - 1]! > paid[pi - 1]!) continue;
    while (hi < usage.length && usage[hi]!.at <= c) hi++;
    const from = c - ACTIVE_WINDOW_MS;
    while (lo < hi && usage[lo]!.at <= from) lo++;
    let sum = 0;
    for (let k = lo; k < hi; k++) sum += usage[k]!.quantity;
    if (sum >= activeThreshold) return c;
  }
}
