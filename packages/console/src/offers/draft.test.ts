import type { OfferDefinition } from '@tandem/core';
import { describe, expect, it } from 'vitest';
import { newOffer } from './defaults.ts';
import { forSave, getIn, setIn } from './draft.ts';

describe('setIn', () => {
  it('replaces a nested value without touching the original', () => {
    const a = { content: { headline: 'A', body: 'b' }, priority: 1 };
    const b = setIn(a, 'content.headline', 'B');
    expect(b).toEqual({ content: { headline: 'B', body: 'b' }, priority: 1 });
    expect(a.content.headline).toBe('A');
    expect(getIn(b, 'content.headline')).toBe('B');
  });

  it('removes the key for undefined and creates missing parents', () => {
    expect(setIn({ rules: { arr: { min: 1 } } }, 'rules.arr.min', undefined)).toEqual({ rules: { arr: {} } });
    expect(setIn({}, 'rules.arr.max', 5)).toEqual({ rules: { arr: { max: 5 } } });
  });
});

describe('forSave', () => {
  const base: OfferDefinition = { ...newOffer([]), id: 'o1', name: 'O', version: 4, updatedAt: '2026-01-01T00:00:00Z' };

  it('drops unset rules, empty lists and bookkeeping fields', () => {
    const d = { ...base, rules: { ...base.rules, arr: {}, plans: [], activationDays: { min: 30, max: undefined } } };
    const out = forSave(d);
    expect(out.rules.arr).toBeUndefined();
    expect(out.rules.plans).toBeUndefined();
    expect(out.rules.activationDays).toEqual({ min: 30 });
    expect(out.version).toBeUndefined();
    expect(out.updatedAt).toBeUndefined();
  });

  it('keeps only the pricing of the chosen kind', () => {
    const trial = forSave({ ...base, kind: 'trial', trialDays: 14, bundle: { productIds: ['a'], discountPercent: 10 } });
    expect(trial.bundle).toBeUndefined();
    expect(trial.trialDays).toBe(14);
    const bundle = forSave({ ...base, kind: 'bundle', trialDays: 14, bundle: { productIds: ['a'], discountPercent: 10 } });
    expect(bundle.trialDays).toBeUndefined();
    expect(bundle.bundle).toEqual({ productIds: ['a'], discountPercent: 10 });
  });

  it('drops a schedule with neither start nor end, and empty variant copy overrides', () => {
    const out = forSave({ ...base, schedule: { startAt: null, endAt: null }, variants: [{ key: 'b', content: { headline: '' } }] });
    expect(out.schedule).toBeUndefined();
    expect(out.variants).toEqual([{ key: 'b' }]);
  });
});
