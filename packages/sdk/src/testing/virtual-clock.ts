import type { Clock } from '../clock.ts';

/** Real-time pause so fetches answered by msw (in-process, real I/O) complete. */
export const tick = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let inflight = 0;
/** Counts requests in flight; wire to msw: `server.events.on('request:start', ...)`. */
export const io = {
  start: () => void inflight++,
  end: () => void inflight--,
};

/** Waits until no request is in flight and a few more turns passed for the answers' handling. */
export async function settleIo(): Promise<void> {
  for (let quiet = 0, n = 0; quiet < 4 && n < 500; n++) {
    await tick();
    quiet = inflight > 0 ? 0 : quiet + 1;
  }
}

/**
 * A manual clock for tests: timers only fire inside `advance`, which lets each fired timer's
 * real async work (msw-answered fetches) finish before moving on, so hours of backoff take ms.
 */
export function virtualClock(start = Date.UTC(2026, 0, 15, 12), settle = () => settleIo()) {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: Clock & {
    advance(ms: number): Promise<void>;
    runAll(limitMs?: number): Promise<void>;
    jump(ms: number): void;
    pending(): number;
  } = {
    now: () => now,
    set(fn, ms) {
      timers.set(++seq, { at: now + Math.max(0, ms), fn });
      return seq;
    },
    clear: (id) => void timers.delete(id as number),
    async advance(ms) {
      const end = now + ms;
      await settle();
      for (;;) {
        let next: [number, { at: number; fn: () => void }] | undefined;
        for (const entry of timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
        if (!next) break;
        timers.delete(next[0]);
        now = next[1].at;
        next[1].fn();
        await settle();
      }
      now = end;
      await settle();
    },
    /** Fires timers until none is left within `limitMs` from now. */
    async runAll(limitMs = 86_400_000) {
      await clock.advance(limitMs);
    },
    /** Moves time without firing timers, as when a laptop sleeps. */
    jump(ms: number) {
      now += ms;
    },
    pending: () => timers.size,
  };
  return clock;
}
