import type { Clock } from '../clock.ts';
import type { SafeStore } from './storage.ts';

/** Runs `fn` only when this tab holds the drain lock; resolves false when another tab holds it. */
export type DrainLock = (fn: (renew: () => boolean) => Promise<void>) => Promise<boolean>;

/** Just what the queue uses of the Web Locks API. */
export interface Locks {
  request<T>(name: string, options: { ifAvailable: true }, callback: (lock: unknown) => Promise<T>): Promise<T>;
}

export const LEASE_MS = 15_000;

/**
 * One drainer across tabs: the Web Locks API when present (released by the browser if the tab
 * dies), else a lease in storage that expires so a crashed tab cannot block the others for long.
 */
export function drainLock(name: string, locks: Locks | null, store: SafeStore, clock: Clock, tab: string): DrainLock {
  if (locks) {
    return (fn) =>
      locks.request(name, { ifAvailable: true }, async (lock) => {
        if (!lock) return false;
        await fn(() => true);
        return true;
      });
  }
  const read = (): { id: string; exp: number } | null => {
    try {
      return JSON.parse(store.get(name) ?? 'null');
    } catch {
      return null;
    }
  };
  // Take or extend the lease unless another tab holds a live one; re-read to lose a write race.
  const renew = (): boolean => {
    const held = read();
    if (held && held.id !== tab && held.exp > clock.now()) return false;
    store.set(name, JSON.stringify({ id: tab, exp: clock.now() + LEASE_MS }));
    return read()?.id === tab;
  };
  return async (fn) => {
    if (!renew()) return false;
    try {
      await fn(renew);
    } finally {
      if (read()?.id === tab) store.set(name, null);
    }
    return true;
  };
}
