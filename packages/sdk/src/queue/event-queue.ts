import { type EventsResponse, type TandemEvent, uuidv7Time } from '@tandem/core';
import { type Clock, clock as defaultClock } from '../clock.ts';
import { TandemDeliveryError } from '../errors.ts';
import { errorDetail, postJson } from '../http/post.ts';
import { backoff, retryAfterMs } from '../http/retry.ts';
import { drainLock, type Locks } from './lock.ts';
import { defaultStorage, safeStore } from './storage.ts';

export interface QueueOptions {
  /** Full URL of `POST /v1/events`. */
  url: string;
  key: string;
  /**
   * Applied to each event as it is sent (never stored): the engine refreshes expired identity
   * tokens here, so a reload with a fresh token still delivers what an older page queued.
   */
  prepare?(event: TandemEvent): TandemEvent;
  /** Dropped batches, rejected events and expired events land here. */
  onError(error: TandemDeliveryError): void;
  storage?: Storage | null;
  locks?: Locks | null;
  clock?: Clock;
  random?: () => number;
  batchSize?: number;
  flushMs?: number;
  baseMs?: number;
  maxBackoffMs?: number;
  maxRetryAfterMs?: number;
  /** Events older than this (by their UUIDv7 time) are dropped and reported. */
  maxAgeMs?: number;
  /** Failed sends per event before it is dropped and reported. */
  maxAttempts?: number;
  /** Beyond this many queued events the oldest are dropped and reported. */
  maxQueued?: number;
}

export interface EventQueue {
  push(event: TandemEvent): void;
  /** Sends what is queued now (as the drainer, if no other tab is). */
  flush(): Promise<void>;
  /** Page hide: one keepalive request with what fits in 64 KB, no lock, no waiting. */
  flushKeepalive(): void;
  destroy(): void;
}

interface Entry {
  e: TandemEvent;
  /** Failed attempts so far. */
  a: number;
}

const QUEUE_KEY = 'tandem:q';
/** Until when the server asked (`429`) every tab to send nothing. */
const WAIT_KEY = 'tandem:wait';

const KEEPALIVE_BYTES = 60_000; // under the 64 KB keepalive body limit, with room for the key
type Outcome = 'done' | 'retry' | 'split' | 'wait';

/**
 * The persisted, cross-tab, at-least-once event queue. Every push is written to storage before
 * anything else happens, so a crashed tab loses nothing; the server stores each id once.
 * @example
 * const queue = createQueue({ url: `${api}/v1/events`, key: 'pk_live_1', onError: report })
 * queue.push(event)
 */
export function createQueue(o: QueueOptions): EventQueue {
  const clock = o.clock ?? defaultClock;
  const random = o.random ?? Math.random;
  const prepare = o.prepare ?? ((event: TandemEvent) => event);
  const batchSize = o.batchSize ?? 20;
  const flushMs = o.flushMs ?? 1000;
  const baseMs = o.baseMs ?? 1000;
  const maxBackoffMs = o.maxBackoffMs ?? 300_000;
  const maxRetryAfterMs = o.maxRetryAfterMs ?? 60_000;
  const maxAgeMs = o.maxAgeMs ?? 86_400_000;
  const maxAttempts = o.maxAttempts ?? 10;
  const maxQueued = o.maxQueued ?? 1000;
  const store = safeStore(o.storage === undefined ? defaultStorage() : o.storage);
  const locks = o.locks === undefined ? ((typeof navigator !== 'undefined' && navigator.locks) as Locks | undefined) || null : o.locks;
  const lock = drainLock('tandem:lock', locks, store, clock, Math.random().toString(36).slice(2));
  let timer: unknown;
  let due = Number.POSITIVE_INFINITY;
  let failures = 0;
  let running: Promise<void> | undefined;
  let stopped = false;

  const read = (): Entry[] => {
    try {
      const list = JSON.parse(store.get(QUEUE_KEY) ?? '[]');
      return Array.isArray(list) ? list : [];
    } catch {
      return [];
    }
  };
  const write = (list: Entry[]) => store.set(QUEUE_KEY, list.length ? JSON.stringify(list) : null);
  // Read-modify-write on the freshest copy, so events other tabs appended meanwhile survive.
  const update = (fn: (list: Entry[]) => Entry[]) => write(fn(read()));
  const ids = (batch: Entry[]) => batch.map((x) => x.e.id);
  const without = (batch: Entry[]) => {
    const sent = new Set(ids(batch));
    update((list) => list.filter((x) => !sent.has(x.e.id)));
  };
  const blockedFor = () => Number(store.get(WAIT_KEY)) - clock.now();
  const report = (code: string, message: string, status: number | undefined, eventIds: string[]) =>
    o.onError(new TandemDeliveryError(code, message, status, eventIds));

  function schedule(ms: number): void {
    const at = clock.now() + ms;
    if (stopped || (timer !== undefined && due <= at)) return;
    clock.clear(timer);
    due = at;
    timer = clock.set(() => {
      timer = undefined;
      due = Number.POSITIVE_INFINITY;
      void flush();
    }, ms);
  }

  // Drops what may no longer be retried, reporting it; returns the rest.
  function prune(): Entry[] {
    const now = clock.now();
    const list = read();
    const dead = list.filter((x) => x.a >= maxAttempts || now - uuidv7Time(x.e.id) > maxAgeMs);
    if (!dead.length) return list;
    without(dead);
    report('expired', `${dead.length} event(s) dropped after ${maxAttempts} attempts or ${maxAgeMs / 3_600_000} h`, undefined, ids(dead));
    return read();
  }

  async function send(batch: Entry[], keepalive: boolean): Promise<Outcome> {
    let res: Response;
    try {
      res = await postJson(o.url, o.key, { events: batch.map((x) => prepare(x.e)) }, keepalive);
    } catch {
      return 'retry';
    }
    const status = res.status;
    if (status === 429) {
      const wait = retryAfterMs(res.headers.get('retry-after'), clock.now()) ?? backoff(failures + 1, baseMs, maxBackoffMs, random);
      store.set(WAIT_KEY, String(clock.now() + Math.min(wait, maxRetryAfterMs)));
      return 'wait';
    }
    if (status >= 500 || status === 408) return 'retry';
    if (status === 413 && batch.length > 1) return 'split';
    without(batch);
    if (status >= 400) {
      report('batch_dropped', `${batch.length} event(s) dropped: the server answered ${status}${await errorDetail(res)}`, status, ids(batch));
      return 'done';
    }
    let body: Partial<EventsResponse> | undefined;
    try {
      body = await res.json();
    } catch {}
    for (const r of body?.rejected ?? []) {
      const id = r.id ?? batch[r.index]?.e.id;
      report('event_rejected', `event ${id} rejected: ${r.code}: ${r.message}`, status, id ? [id] : []);
    }
    return 'done';
  }

  async function drain(renew: () => boolean): Promise<void> {
    let size = batchSize;
    while (!stopped) {
      const wait = blockedFor();
      if (wait > 0) return schedule(wait);
      const batch = prune().slice(0, size);
      if (!batch.length || !renew()) return;
      const outcome = await send(batch, false);
      if (outcome === 'split') size = Math.ceil(batch.length / 2);
      else if (outcome === 'retry') {
        // Offline is not the server's fault: it does not use up attempts, `online` resumes.
        if (typeof navigator === 'undefined' || navigator.onLine !== false) {
          const failed = new Set(ids(batch));
          update((list) => list.map((x) => (failed.has(x.e.id) ? { e: x.e, a: x.a + 1 } : x)));
        }
        return schedule(backoff(++failures, baseMs, maxBackoffMs, random));
      } else if (outcome === 'done') failures = 0;
    }
  }

  function flush(): Promise<void> {
    if (stopped) return Promise.resolve();
    running ??= lock(drain)
      .then((held) => {
        // Another tab is draining; look again later in case it stops before our events.
        if (!held && read().length) schedule(flushMs);
      })
      .catch(() => schedule(flushMs))
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  function flushKeepalive(): void {
    if (stopped || blockedFor() > 0) return;
    const batch: Entry[] = [];
    let bytes = 0;
    const encoder = new TextEncoder();
    for (const x of read()) {
      bytes += encoder.encode(JSON.stringify(x.e)).length + 1;
      if (bytes > KEEPALIVE_BYTES) break;
      batch.push(x);
    }
    // Whatever happens, the events stay queued until an answer confirms them; ids make resends harmless.
    if (batch.length) void send(batch, true).catch(() => {});
  }

  const onOnline = () => schedule(0);
  const onHidden = () => document.visibilityState === 'hidden' && flushKeepalive();
  const hasWindow = typeof addEventListener === 'function' && typeof document !== 'undefined';
  if (hasWindow) {
    addEventListener('online', onOnline);
    addEventListener('pagehide', flushKeepalive);
    document.addEventListener('visibilitychange', onHidden);
  }
  if (read().length) schedule(0); // a reload: send what the last page left

  return {
    push(event) {
      if (stopped) return;
      let dropped: Entry[] = [];
      update((list) => {
        dropped = list.splice(0, list.length + 1 - maxQueued);
        return [...list, { e: event, a: 0 }];
      });
      if (dropped.length) report('expired', `queue full: ${dropped.length} oldest event(s) dropped`, undefined, ids(dropped));
      schedule(read().length >= batchSize ? 0 : flushMs);
    },
    flush,
    flushKeepalive,
    destroy() {
      stopped = true;
      clock.clear(timer);
      if (hasWindow) {
        removeEventListener('online', onOnline);
        removeEventListener('pagehide', flushKeepalive);
        document.removeEventListener('visibilitychange', onHidden);
      }
    },
  };
}
