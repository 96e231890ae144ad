import { describe, expect, it } from 'vitest';
import { type HistoryEntry, HistoryIndex } from './history-index.ts';

const e = (id: string, at: number, extra: Partial<HistoryEntry> = {}): HistoryEntry => ({
  id,
  type: 'exposure',
  accountId: 'a1',
  offerId: 'o1',
  userId: null,
  at,
  ...extra,
});
const ats = (h: HistoryIndex, since: number, accountId = 'a1') => {
  const r = h.get(accountId, since);
  return [...r.exposures, ...r.dismissals].map((x) => x.at).sort((a, b) => a - b);
};

describe('HistoryIndex', () => {
  it('holds nothing until a span is loaded, and refuses questions before the loaded span', () => {
    const h = new HistoryIndex();
    h.add(e('x', 5));
    expect(h.size).toBe(0);
    expect(() => h.get('a1', 0)).toThrow(RangeError);
    h.extend(10, [e('a', 9), e('b', 10), e('c', 20)]);
    expect(h.coveredSince).toBe(10);
    expect(ats(h, 10)).toEqual([10, 20]);
    expect(() => h.get('a1', 9)).toThrow(/not loaded/);
  });

  it('keeps each account in (at, id) order whatever the arrival order, split by type', () => {
    const h = new HistoryIndex();
    h.extend(0, []);
    for (const x of [e('m', 30), e('b', 10), e('z', 10), e('a', 10, { type: 'dismiss' }), e('q', 20, { accountId: 'a2' })]) h.add(x);
    const r = h.get('a1', 0);
    expect(r.exposures.map((x) => x.at)).toEqual([10, 10, 30]);
    expect(r.dismissals).toEqual([{ offerId: 'o1', userId: null, at: 10 }]);
    expect(ats(h, 0, 'a2')).toEqual([20]);
    expect(ats(h, 11)).toEqual([30]);
    expect(h.get('nobody', 0)).toEqual({ exposures: [], dismissals: [] });
  });

  it('keeps an event given twice once', () => {
    const h = new HistoryIndex();
    h.extend(0, [e('a', 5), e('b', 5)]);
    h.add(e('a', 5));
    h.add(e('b', 5));
    h.add(e('c', 5));
    expect(h.size).toBe(3);
    expect(ats(h, 0)).toEqual([5, 5, 5]);
  });

  it('takes from an extension only the span it did not hold', () => {
    const h = new HistoryIndex();
    h.extend(100, [e('a', 150)]);
    // The extension's rows overlap what is held: only [50, 100) is added.
    h.extend(50, [e('b', 40), e('c', 60), e('a', 150)]);
    expect(ats(h, 50)).toEqual([60, 150]);
    expect(h.size).toBe(2);
  });

  it('forgets what is pruned and may be extended again', () => {
    const h = new HistoryIndex();
    h.extend(0, [e('a', 1), e('b', 5), e('c', 9, { accountId: 'a2' })]);
    h.prune(6);
    expect(h.coveredSince).toBe(6);
    expect(h.size).toBe(1);
    expect(ats(h, 6)).toEqual([]);
    h.prune(3); // never lowers the covered span
    expect(h.coveredSince).toBe(6);
    h.extend(0, [e('a', 1), e('b', 5), e('c', 9, { accountId: 'a2' })]);
    expect(ats(h, 0)).toEqual([1, 5]);
    expect(ats(h, 0, 'a2')).toEqual([9]);
  });
});
