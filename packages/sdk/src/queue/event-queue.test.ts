import { type TandemEvent, uuidv7 } from '@tandem/core';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TandemDeliveryError } from '../errors.ts';
import { memoryLocks, memoryStorage, throwingStorage } from '../testing/fakes.ts';
import { io, tick, virtualClock } from '../testing/virtual-clock.ts';
import { createQueue, type QueueOptions } from './event-queue.ts';

const API = 'https://api.tandem.test';
const server = setupServer();
beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  server.events.on('request:start', io.start);
  server.events.on('request:end', io.end);
});
const live: { destroy(): void }[] = [];
afterEach(() => {
  live.splice(0).forEach((q) => {
    q.destroy();
  });
  server.resetHandlers();
});
afterAll(() => server.close());

interface Received {
  at: number;
  ids: string[];
  identities: (string | undefined)[];
  status: number;
  auth: string | null;
  key?: string;
}

// Each test starts a month after the previous one, ahead of the real clock: UUIDv7 times only move forward.
let epoch = Date.now() + 365 * 86_400_000;
function setup(answer: (n: number, ids: string[]) => Response | Promise<Response>, overrides: Partial<QueueOptions> = {}) {
  epoch += 30 * 86_400_000;
  const clock = virtualClock(epoch);
  const received: Received[] = [];
  const errors: TandemDeliveryError[] = [];
  server.use(
    http.post(`${API}/v1/events`, async ({ request }) => {
      const body = (await request.json()) as { events: TandemEvent[]; key?: string };
      const ids = body.events.map((e) => e.id);
      const res = await answer(received.length, ids);
      received.push({ at: clock.now(), ids, identities: body.events.map((e) => e.identity), status: res.type === 'error' ? 0 : res.status, auth: request.headers.get('authorization'), key: body.key });
      return res;
    }),
  );
  const storage = memoryStorage();
  const options: QueueOptions = {
    url: `${API}/v1/events`,
    key: 'pk_test_1',
    onError: (e) => errors.push(e),
    storage,
    locks: null,
    clock,
    random: () => 1,
    ...overrides,
  };
  const queues: ReturnType<typeof createQueue>[] = [];
  const open = (more: Partial<QueueOptions> = {}) => {
    const queue = createQueue({ ...options, ...more });
    queues.push(queue);
    live.push(queue);
    return queue;
  };
  const event = (type: TandemEvent['type'] = 'click'): TandemEvent => ({
    id: uuidv7(clock.now()),
    type,
    accountId: 'acc_1',
    identity: 'jwt',
    offerId: 'o1',
    at: new Date(clock.now()).toISOString(),
  });
  const delivered = () => received.filter((r) => r.status === 202).flatMap((r) => r.ids);
  const close = () => {
    for (const q of queues) q.destroy();
  };
  return { clock, received, errors, storage, options, open, event, delivered, close };
}

const ok = () => HttpResponse.json({ accepted: 1, duplicates: 0, rejected: [] }, { status: 202 });
const count = (list: string[]) => list.reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map<string, number>());

describe('event queue delivery', () => {
  it('503 for a while then 200: every event arrives exactly once with its original id', async () => {
    const t = setup((n) => (n < 3 ? new HttpResponse(null, { status: 503 }) : ok()));
    const q = t.open();
    const events = Array.from({ length: 5 }, () => t.event());
    events.forEach((e) => {
      q.push(e);
    });
    await t.clock.advance(60_000);
    expect(t.received.slice(0, 3).map((r) => r.status)).toEqual([503, 503, 503]);
    expect(t.delivered().sort()).toEqual(events.map((e) => e.id).sort());
    expect([...count(t.delivered()).values()].every((n) => n === 1)).toBe(true);
    expect(t.received.every((r) => r.auth === 'Bearer pk_test_1')).toBe(true);
    expect(t.errors).toEqual([]);
    t.close();
  });

  it('500 forever: retries are bounded, the gaps between them grow, and the drop is reported', async () => {
    const t = setup(() => new HttpResponse(null, { status: 500 }), { maxAttempts: 6 });
    const q = t.open();
    const e = t.event();
    q.push(e);
    await t.clock.advance(86_400_000);
    expect(t.received).toHaveLength(6);
    const gaps = t.received.slice(1).map((r, i) => r.at - t.received[i]!.at);
    expect(gaps).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect(t.errors.map((x) => [x.code, x.eventIds])).toEqual([['expired', [e.id]]]);
    const sent = t.received.length;
    await t.clock.advance(86_400_000);
    expect(t.received).toHaveLength(sent);
    t.close();
  });

  it('backoff uses full jitter: the wait is a random share of the exponential bound', async () => {
    const t = setup((n) => (n < 2 ? new HttpResponse(null, { status: 502 }) : ok()), { random: () => 0.25 });
    const q = t.open();
    q.push(t.event());
    await t.clock.advance(60_000);
    const gaps = t.received.slice(1).map((r, i) => r.at - t.received[i]!.at);
    expect(gaps).toEqual([250, 500]);
    t.close();
  });

  it('events stop being retried once older than the maximum age', async () => {
    const t = setup(() => new HttpResponse(null, { status: 503 }), { maxAttempts: 1000, maxBackoffMs: 3_600_000 });
    const q = t.open();
    const e = t.event();
    q.push(e);
    await t.clock.advance(2 * 86_400_000);
    const last = t.received.at(-1)!.at;
    expect(last - t.received[0]!.at).toBeLessThanOrEqual(86_400_000);
    expect(t.errors.map((x) => [x.code, x.eventIds])).toEqual([['expired', [e.id]]]);
    t.close();
  });

  it('429 with Retry-After in seconds: nothing is sent before it elapses', async () => {
    const t = setup((n) => (n === 0 ? new HttpResponse(null, { status: 429, headers: { 'retry-after': '30' } }) : ok()));
    const q = t.open();
    const e = t.event();
    q.push(e);
    await t.clock.advance(1000);
    expect(t.received).toHaveLength(1);
    const limited = t.received[0]!.at;
    q.push(t.event()); // would normally go out after 1 s
    await t.clock.advance(30_000 - 1);
    expect(t.received).toHaveLength(1);
    await t.clock.advance(1);
    expect(t.received[1]!.at - limited).toBe(30_000);
    expect(t.delivered()).toContain(e.id);
    expect(t.delivered()).toHaveLength(2);
    t.close();
  });

  it('429 with Retry-After as an HTTP date is honoured, and capped at 60 s', async () => {
    let t0 = 0;
    const t = setup((n) =>
      n === 0
        ? new HttpResponse(null, { status: 429, headers: { 'retry-after': new Date(t0 + 3_600_000).toUTCString() } })
        : ok(),
    );
    t0 = t.clock.now() + 1000;
    const q = t.open();
    q.push(t.event());
    await t.clock.advance(1000);
    await t.clock.advance(60_000 - 1);
    expect(t.received).toHaveLength(1);
    await t.clock.advance(1);
    expect(t.received).toHaveLength(2);
    t.close();
  });

  it('429 holds every tab: another tab sharing the storage sends nothing before Retry-After either', async () => {
    const t = setup((n) => (n === 0 ? new HttpResponse(null, { status: 429, headers: { 'retry-after': '20' } }) : ok()));
    const tabA = t.open();
    tabA.push(t.event());
    await t.clock.advance(1000);
    const tabB = t.open();
    tabB.push(t.event());
    tabB.flushKeepalive();
    await t.clock.advance(20_000 - 1);
    expect(t.received).toHaveLength(1);
    await t.clock.advance(1);
    expect(t.delivered()).toHaveLength(2);
    t.close();
  });

  it('a full queue drops its oldest events and reports them', async () => {
    const t = setup(() => new HttpResponse(null, { status: 503 }), { maxQueued: 3 });
    const q = t.open();
    const events = Array.from({ length: 5 }, () => t.event());
    for (const e of events) q.push(e);
    expect(t.errors.map((e) => [e.code, e.eventIds])).toEqual([
      ['expired', [events[0]!.id]],
      ['expired', [events[1]!.id]],
    ]);
    t.close();
  });

  it('400: the batch is dropped and reported through onError, later events still flow', async () => {
    const t = setup((n) =>
      n === 0 ? HttpResponse.json({ error: { code: 'invalid_body', message: 'events[0].type is wrong' } }, { status: 400 }) : ok(),
    );
    const q = t.open();
    const bad = [t.event(), t.event()];
    bad.forEach((e) => {
      q.push(e);
    });
    await t.clock.advance(1000);
    const good = t.event();
    q.push(good);
    await t.clock.advance(1000);
    expect(t.errors).toHaveLength(1);
    expect(t.errors[0]).toMatchObject({ code: 'batch_dropped', status: 400, eventIds: bad.map((e) => e.id) });
    expect(t.errors[0]!.message).toContain('invalid_body');
    expect(t.delivered()).toEqual([good.id]);
    t.close();
  });

  it('413: the batch is split in halves until the one oversized event is dropped; the rest arrive', async () => {
    let huge = '';
    const t = setup((_n, ids) => (ids.includes(huge) ? new HttpResponse(null, { status: 413 }) : ok()));
    const q = t.open();
    const events = Array.from({ length: 6 }, () => t.event());
    huge = events[3]!.id;
    events.forEach((e) => {
      q.push(e);
    });
    await t.clock.advance(1000);
    expect(t.errors.map((e) => [e.code, e.status, e.eventIds])).toEqual([['batch_dropped', 413, [huge]]]);
    expect(t.delivered().sort()).toEqual(events.filter((e) => e.id !== huge).map((e) => e.id).sort());
    t.close();
  });

  it('rejected single events in a 202 answer are reported and not retried', async () => {
    const t = setup(() =>
      HttpResponse.json({ accepted: 1, duplicates: 0, rejected: [{ index: 1, code: 'identity_expired', message: 'token expired' }] }, { status: 202 }),
    );
    const q = t.open();
    const events = [t.event(), t.event()];
    events.forEach((e) => {
      q.push(e);
    });
    await t.clock.advance(600_000);
    expect(t.received).toHaveLength(1);
    expect(t.errors.map((e) => [e.code, e.eventIds])).toEqual([['event_rejected', [events[1]!.id]]]);
    t.close();
  });

  it('batches by size (20 go out at once) and by time (fewer wait for the flush interval)', async () => {
    const t = setup(() => ok());
    const q = t.open();
    for (let i = 0; i < 25; i++) q.push(t.event());
    await t.clock.advance(0);
    expect(t.received.map((r) => r.ids.length)).toEqual([20, 5]);
    q.push(t.event());
    await t.clock.advance(999);
    expect(t.received).toHaveLength(2);
    await t.clock.advance(1);
    expect(t.received).toHaveLength(3);
    t.close();
  });

  it('offline then online: network errors are retried until every event is delivered', async () => {
    let online = false;
    const t = setup(() => (online ? ok() : HttpResponse.error()));
    const q = t.open();
    const events = Array.from({ length: 3 }, () => t.event());
    events.forEach((e) => {
      q.push(e);
    });
    await t.clock.advance(30_000);
    expect(t.received.length).toBeGreaterThan(2);
    expect(t.delivered()).toEqual([]);
    online = true;
    await t.clock.advance(120_000);
    expect(t.delivered().sort()).toEqual(events.map((e) => e.id).sort());
    expect(t.errors).toEqual([]);
    t.close();
  });

  it('a reload with a persisted queue: a new instance over the same storage re-sends the same ids', async () => {
    let up = false;
    const t = setup(() => (up ? ok() : new HttpResponse(null, { status: 503 })));
    const first = t.open();
    const events = Array.from({ length: 4 }, () => t.event());
    events.forEach((e) => {
      first.push(e);
    });
    await t.clock.advance(1000);
    first.destroy(); // the tab is gone
    up = true;
    t.open(); // the page loads again
    await t.clock.advance(0);
    expect(t.delivered().sort()).toEqual(events.map((e) => e.id).sort());
    t.close();
  });

  it('prepare() rewrites each event as it is sent, keepalive included, never the stored copy', async () => {
    const t = setup((n) => (n === 0 ? new HttpResponse(null, { status: 503 }) : ok()));
    const q = t.open({ prepare: (e) => ({ ...e, identity: 'fresh' }) });
    const e = t.event();
    q.push(e);
    await t.clock.advance(1000); // 503: stays queued
    expect(JSON.parse(t.storage.getItem('tandem:q')!)[0].e.identity).toBe('jwt');
    dispatchEvent(new Event('pagehide'));
    await t.clock.advance(0);
    expect(t.received.map((r) => [r.status, r.identities])).toEqual([
      [503, ['fresh']],
      [202, ['fresh']],
    ]);
    t.close();
  });

  it('storage that throws: events are kept in memory and still delivered', async () => {
    const t = setup(() => ok(), { storage: throwingStorage() });
    const q = t.open();
    const events = [t.event(), t.event()];
    expect(() => {
      for (const e of events) q.push(e);
    }).not.toThrow();
    await t.clock.advance(1000);
    expect(t.delivered()).toEqual(events.map((e) => e.id));
    t.close();
  });

  it('page hide flushes with keepalive, the key in the body', async () => {
    const t = setup(() => ok());
    const q = t.open();
    const e = t.event();
    q.push(e);
    dispatchEvent(new Event('pagehide'));
    await t.clock.advance(0);
    expect(t.received).toHaveLength(1);
    expect(t.received[0]).toMatchObject({ ids: [e.id], auth: null, key: 'pk_test_1' });
    await t.clock.advance(5000);
    expect(t.received).toHaveLength(1); // confirmed, so not sent again
    t.close();
  });

  for (const mode of ['Web Locks', 'storage lease'] as const) {
    it(`two tabs sharing storage (${mode}): each event is sent by exactly one tab`, async () => {
      const t = setup(async () => {
        await tick(5); // keep a request in flight while the other tab tries
        return ok();
      });
      const locks = mode === 'Web Locks' ? memoryLocks() : null;
      const tabA = t.open({ locks });
      const tabB = t.open({ locks });
      const events: TandemEvent[] = [];
      for (let i = 0; i < 30; i++) {
        const e = t.event();
        events.push(e);
        (i % 2 ? tabA : tabB).push(e);
      }
      await Promise.all([tabA.flush(), tabB.flush(), tabA.flush()]);
      await t.clock.advance(10_000);
      const counts = count(t.delivered());
      expect([...counts.keys()].sort()).toEqual(events.map((e) => e.id).sort());
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect(t.received.every((r) => r.status === 202)).toBe(true);
      t.close();
    });
  }
});
