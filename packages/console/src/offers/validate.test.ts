import type { OfferDefinition, Product } from '@tandem/core';
import { describe, expect, it } from 'vitest';
import { newOffer } from './defaults.ts';
import { fieldOfMessage, knownFields, serverFieldErrors, validateOffer } from './validate.ts';

const PRODUCTS: Product[] = [
  { id: 'ledger', name: 'Ledger', listPrice: { amount: 49, currency: 'USD', interval: 'month' } },
  { id: 'insights', name: 'Insights', listPrice: { amount: 29, currency: 'USD', interval: 'month' } },
  { id: 'yearly', name: 'Yearly', listPrice: { amount: 290, currency: 'USD', interval: 'year' } },
];

function draft(patch: Partial<OfferDefinition> = {}): OfferDefinition {
  return { ...newOffer(PRODUCTS), id: 'insights-trial', name: 'Insights trial', ...patch };
}

describe('validateOffer', () => {
  it('accepts the default draft once it has an id and a name', () => {
    expect(validateOffer(draft(), PRODUCTS)).toEqual({});
  });

  it('names each bad field with what it received', () => {
    const e = validateOffer(
      draft({ id: 'has space', priority: 1.5, holdout: 1, content: { headline: '', body: '', cta: 'Go' } }),
      PRODUCTS,
    );
    expect(e.id).toContain('"has space"');
    expect(e.priority).toBe('Priority must be a whole number, got 1.5');
    expect(e.holdout).toContain('got 1');
    expect(e['content.headline']).toBe('Headline is required');
  });

  it('flags an activation window whose minimum exceeds its maximum on the maximum', () => {
    const e = validateOffer(draft({ rules: { activationDays: { min: 90, max: 30 } } }), PRODUCTS);
    expect(e['rules.activationDays.max']).toBe('Days since activation: the maximum (30) is below the minimum (90)');
  });

  it('refuses a bundle whose products bill on different intervals, and a discount of 100%', () => {
    const e = validateOffer(draft({ kind: 'bundle', bundle: { productIds: ['ledger', 'yearly'], discountPercent: 100 } }), PRODUCTS);
    expect(e['bundle.productIds']).toMatch(/share currency and interval/);
    expect(e['bundle.discountPercent']).toContain('got 100');
  });

  it('needs a trial length for trials, an http(s) link for url actions, and unique variant keys', () => {
    const e = validateOffer(
      draft({ trialDays: 0, action: { type: 'url', url: 'javascript:alert(1)' }, variants: [{ key: 'a' }, { key: 'a', weight: 0 }] }),
      PRODUCTS,
    );
    expect(e.trialDays).toContain('got 0');
    expect(e['action.url']).toContain('javascript:alert(1)');
    expect(e['variants[1].key']).toBe('Variant key "a" is used twice');
    expect(e['variants[1].weight']).toBe('Weight must be above 0, got 0');
  });

  it('wants the schedule to end after it starts', () => {
    const e = validateOffer(draft({ schedule: { startAt: '2026-05-02T00:00:00Z', endAt: '2026-05-01T00:00:00Z' } }), PRODUCTS);
    expect(e['schedule.endAt']).toBe('End must be after start');
  });
});

describe('server errors mapped to fields', () => {
  const known = knownFields(draft({ variants: [{ key: 'a' }, { key: 'b' }], rules: { readiness: [{ feature: 'invoices', min: 3 }] } }));

  it.each([
    ['body/content/headline must NOT have fewer than 1 characters', 'content.headline'],
    ["body/content must have required property 'cta'", 'content.cta'],
    ["body must have required property 'placement'", 'placement'],
    ['/variants/1/key must match pattern "^[a-z]+$"', 'variants[1].key'],
    ['`rules.activationDays.min` must be >= 0, got -3', 'rules.activationDays.min'],
    ['`rules.readiness[0].min` must be a number, got "x"', 'rules.readiness[0].min'],
    ['body.priority must be integer', 'priority'],
    ['`schedule` must be an object, got 3', ''],
  ])('%s → %s', (message, field) => {
    expect(fieldOfMessage(message, known)).toBe(field);
  });

  it('keeps a message about no known field as a form-level error', () => {
    expect(serverFieldErrors({ code: 'conflict', message: 'offer "x" already exists' }, known)).toEqual({ '': 'offer "x" already exists' });
  });

  it('trims a deeper path to the field the editor shows', () => {
    expect(fieldOfMessage('/rules/plans/2 must NOT have fewer than 1 characters', known)).toBe('rules.plans');
  });
});
