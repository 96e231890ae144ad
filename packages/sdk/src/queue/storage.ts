/** Key/value persistence that never throws: `localStorage`, or memory once storage fails. */
export interface SafeStore {
  get(key: string): string | null;
  /** `null` removes the key. */
  set(key: string, value: string | null): void;
  /** False once storage has failed and values live in memory only (this tab, this page). */
  persistent(): boolean;
}

/** `localStorage` when it can be reached (sandboxed frames throw on access), else null. */
export function defaultStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/**
 * Wraps a Storage so a failure (Safari private mode, quota, disabled cookies) switches to memory
 * for good, keeping what was last read or written — nothing is lost for the life of the page.
 */
export function safeStore(storage: Storage | null): SafeStore {
  const memory = new Map<string, string>();
  let ok = !!storage;
  return {
    get(key) {
      if (ok) {
        try {
          const value = storage!.getItem(key);
          if (value === null) memory.delete(key);
          else memory.set(key, value);
          return value;
        } catch {
          ok = false;
        }
      }
      return memory.get(key) ?? null;
    },
    set(key, value) {
      if (value === null) memory.delete(key);
      else memory.set(key, value);
      if (!ok) return;
      try {
        if (value === null) storage!.removeItem(key);
        else storage!.setItem(key, value);
      } catch {
        ok = false;
      }
    },
    persistent: () => ok,
  };
}
