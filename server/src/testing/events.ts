import type { StoredEvent } from '../store/types.ts';

/**
 * A stored event with every optional field empty: tests name only what matters.
 * @example storedEvent('paid', 'acct-1', Date.UTC(2026, 0, 1), { id: 'e1' })
 */
export function storedEvent(type: StoredEvent['type'], accountId: string, at: number, extra: Partial<StoredEvent> & { id: string }): StoredEvent {
  return {
    type,
    accountId,
    userId: null,
    offerId: null,
    variant: null,
    decisionId: null,
    placement: null,
    at,
    receivedAt: at,
    source: 'backend',
    productId: null,
    arr: null,
    quantity: null,
    ...extra,
  };
}
