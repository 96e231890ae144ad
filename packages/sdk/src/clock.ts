/** Time source and timers, swappable so tests can run hours of retries in milliseconds. */
export interface Clock {
  now(): number;
  set(fn: () => void, ms: number): unknown;
  clear(id: unknown): void;
}

/** The clock the engine uses; tests replace its methods with a virtual one. */
export const clock: Clock = {
  now: () => Date.now(),
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

export const DAY_MS = 86_400_000;

/** Whole UTC days since the epoch. */
export const utcDay = (ms: number): number => Math.floor(ms / DAY_MS);
