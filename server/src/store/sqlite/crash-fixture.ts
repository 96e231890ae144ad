/** Batches the crash-safety child writes and the test checks. */
import type { StoredEvent } from '../types.ts';

/** The events of batch `n`; the test rebuilds them to check they are stored. */
export function crashBatch(n: number): StoredEvent[] {
  return Array.from({ length: 50 }, (_, i) => ({
    id: `crash-${n}-${i}`,
    type: 'usage',
    accountId: `a${i % 5}`,
    userId: null,
    offerId: null,
    variant: null,
    decisionId: null,
    placement: null,
    at: 1_700_000_000_000 + n * 1000 + i,
    receivedAt: 1_700_000_000_000,
    source: 'backend',
    productId: 'insights',
    arr: null,
    quantity: 1,
  }));
}
