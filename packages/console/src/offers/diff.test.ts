import type { OfferDefinition } from '@tandem/core';
import { describe, expect, it } from 'vitest';
import { describeLine, diffOffers } from './diff.ts';
import { newOffer } from './defaults.ts';

function base(): OfferDefinition {
  return { ...newOffer([]), id: 'o1', name: 'Insights trial', version: 3, updatedAt: '2026-01-01T00:00:00Z' };
}

describe('diffOffers', () => {
  it('is empty for identical offers, ignoring version and updatedAt bookkeeping', () => {
    const a = base();
    const b = { ...base(), version: 4, updatedAt: '2026-02-01T00:00:00Z' };
    expect(diffOffers(a, b)).toEqual([]);
  });

  it('names nested leaves by dotted path with before and after', () => {
    const a = base();
    const b = { ...base(), content: { ...a.content, headline: 'New headline' }, priority: 7 };
    const lines = diffOffers(a, b);
    expect(lines).toEqual([
      { path: 'priority', kind: 'changed', before: a.priority, after: 7 },
      { path: 'content.headline', kind: 'changed', before: a.content.headline, after: 'New headline' },
    ]);
    expect(describeLine(lines[1]!)).toBe(`content.headline: “${a.content.headline}” → “New headline”`);
  });

  it('treats a list of plans as one value and reports rules added or removed', () => {
    const a = { ...base(), rules: { plans: ['pro', 'team'], minDaysToRenewal: 30 } };
    const b = { ...base(), rules: { plans: ['pro'], arr: { min: 1000 } } };
    const text = diffOffers(a, b).map(describeLine);
    expect(text).toEqual([
      'rules.plans: pro, team → pro',
      'rules.minDaysToRenewal: removed (was 30)',
      'rules.arr: set to {"min":1000}',
    ]);
  });

  it('compares variants item by item', () => {
    const a = { ...base(), variants: [{ key: 'a', weight: 1 }, { key: 'b', weight: 1 }] };
    const b = { ...base(), variants: [{ key: 'a', weight: 2 }] };
    expect(diffOffers(a, b).map(describeLine)).toEqual(['variants[0].weight: 1 → 2', 'variants[1]: removed (was {"key":"b","weight":1})']);
  });

  it('lists every field of a created offer as added', () => {
    const lines = diffOffers(null, base());
    expect(lines.every((l) => l.kind === 'added')).toBe(true);
    expect(lines.map((l) => l.path)).toContain('content');
    expect(lines.map((l) => l.path)).not.toContain('version');
  });
});
