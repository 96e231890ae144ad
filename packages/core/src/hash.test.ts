import { describe, expect, it } from 'vitest';
import vectors from '../test-data/assignment.json' with { type: 'json' };
import { assignArm, assignmentBucket, fnv1a32 } from './hash.ts';

describe('assignment hash vectors', () => {
  it('has vectors to check', () => {
    expect(vectors.cases.length).toBeGreaterThan(10);
  });
  for (const c of vectors.cases) {
    it(`${JSON.stringify(c.offerId)}:${JSON.stringify(c.accountId)} → ${c.arm}`, () => {
      expect(fnv1a32(`${c.offerId}:${c.accountId}`)).toBe(c.hash);
      expect(assignmentBucket(c.offerId, c.accountId)).toBe(c.bucket);
      expect(assignArm(c.offerId, c.accountId, c.holdout)).toBe(c.arm);
    });
  }
});

it('a holdout of 0 puts nobody in control and 1 puts everybody there', () => {
  expect(assignArm('o', 'a', 0)).toBe('treatment');
  expect(assignArm('o', 'a', 1)).toBe('control');
});
