import { type DecidedOffer, type DecideRequest, type TandemEvent, uuidv7 } from '@tandem/core';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { clock } from './clock.ts';
import { $offers, $status, destroy, identify, init, mount, on, type TandemError, TandemOptionError } from './index.ts';
import { resetLog } from './log.ts';
import type { InitOptions } from './options.ts';
import { io, virtualClock } from './testing/virtual-clock.ts';
import type { RenderProps } from './ui/render.ts';
import { setUiLoader } from './view.ts';

const API = 'https://api.tandem.test';
const server = setupServer();
const realClock = { ...clock };
let vclock: ReturnType<typeof virtualClock>;
let decides: DecideRequest[];
let events: TandemEvent[];
let decideStatus: number;
let rendered: { props: RenderProps; root: ShadowRoot; box: HTMLElement; gone: boolean }[];
let loads: number;
let ioCallbacks: { cb: IntersectionObserverCallback; el?: Element }[];
/** Overrides the decided offers' copy, to make a re-decide answer a different offer. */
let headline: string;

const offer = (placement: string, offerId = `o_${placement}`): DecidedOffer => ({
  offerId,
  placement,
  kind: 'trial',
  display: 'inline',
  variant: null,
  content: { headline, body: 'Free for 14 days', cta: 'Start trial' },
  productId: 'insights',
  productName: 'Insights',
  trialDays: 14,
  action: { type: 'callback' },
});

const options = (more: Partial<InitOptions> = {}): InitOptions => ({
  publishableKey: 'pk_test_1',
  apiUrl: `${API}/`,
  accountId: 'acc_1',
  identity: 'jwt_1',
  ...more,
});

/** Lets the fake IntersectionObserver report the box at `ratio` visible. */
function showBoxes(ratio: number) {
  for (const o of ioCallbacks) {
    if (o.el) o.cb([{ isIntersecting: ratio > 0, intersectionRatio: ratio, target: o.el } as IntersectionObserverEntry], {} as IntersectionObserver);
  }
}

let epoch = Date.now() + 2 * 365 * 86_400_000;
beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  server.events.on('request:start', io.start);
  server.events.on('request:end', io.end);
});
beforeEach(() => {
  epoch += 30 * 86_400_000;
  vclock = virtualClock(epoch);
  Object.assign(clock, { now: vclock.now, set: vclock.set, clear: vclock.clear });
  localStorage.clear();
  resetLog();
  decides = [];
  events = [];
  decideStatus = 200;
  rendered = [];
  loads = 0;
  ioCallbacks = [];
  headline = 'Try Insights';
  server.use(
    http.post(`${API}/v1/decide`, async ({ request }) => {
      const body = (await request.json()) as DecideRequest;
      decides.push(body);
      if (decideStatus !== 200) return HttpResponse.json({ error: { code: 'boom', message: 'down' } }, { status: decideStatus });
      return HttpResponse.json({
        decisionId: `d${decides.length}`,
        decidedAt: new Date(vclock.now()).toISOString(),
        offers: body.placements.filter((p) => !p.startsWith('empty')).map((p) => offer(p)),
      });
    }),
    http.post(`${API}/v1/events`, async ({ request }) => {
      expect(request.headers.get('authorization')).toBe('Bearer pk_test_1');
      const body = (await request.json()) as { events: TandemEvent[] };
      events.push(...body.events);
      return HttpResponse.json({ accepted: body.events.length, duplicates: 0, rejected: [] }, { status: 202 });
    }),
  );
  setUiLoader(async () => {
    loads++;
    return {
      renderOffer(root, props) {
        const box = document.createElement('div');
        box.textContent = props.offer.content.headline;
        root.appendChild(box);
        const entry = { props, root, box, gone: false };
        rendered.push(entry);
        return {
          unmount() {
            entry.gone = true;
            box.remove();
          },
          element: () => box,
        };
      },
    };
  });
  vi.stubGlobal(
    'IntersectionObserver',
    class {
      o: (typeof ioCallbacks)[number];
      constructor(cb: IntersectionObserverCallback) {
        this.o = { cb };
        ioCallbacks.push(this.o);
      }
      observe(el: Element) {
        this.o.el = el;
      }
      disconnect() {
        this.o.el = undefined;
      }
    },
  );
});
afterEach(() => {
  destroy();
  document.body.innerHTML = '';
  server.resetHandlers();
  Object.assign(clock, realClock);
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});
afterAll(() => server.close());

const settle = () => vclock.advance(0);
/** A JWT-shaped token (unsigned: the SDK only reads its claims, the server verifies). */
const jwt = (claims: object) =>
  `eyJhbGciOiJIUzI1NiJ9.${btoa(JSON.stringify(claims)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.sig`;
const visible = () => rendered.filter((r) => !r.gone);
const mountAll = (...placements: string[]) =>
  placements.map((placement) => {
    const el = document.createElement('section');
    document.body.appendChild(el);
    return mount(el, { placement });
  });

describe('options', () => {
  it.each([
    [{ publishableKey: 42 }, '`publishableKey` must be a non-empty string starting with pk_, got 42'],
    [{ publishableKey: 'sk_test_secret' }, '`publishableKey` must be a non-empty string starting with pk_, got "sk_test_secret"'],
    [{ apiUrl: undefined }, '`apiUrl` must be an http(s) URL or a path starting with /, got undefined'],
    [{ accountId: '' }, '`accountId` must be a non-empty string, got ""'],
    [{ identity: null }, '`identity` must be a non-empty string, got null'],
    [{ userId: 7 }, '`userId` must be a non-empty string, got 7'],
    [{ theme: 'blue' }, '`theme` must be one of light, dark, system, got "blue"'],
    [{ onStartTrial: 'yes' }, '`onStartTrial` must be a function returning a promise, got "yes"'],
  ])('init(%o) throws a TandemOptionError naming the option and the value', (bad, message) => {
    const call = () => init(options(bad as Partial<InitOptions>));
    expect(call).toThrow(TandemOptionError);
    expect(call).toThrow(message);
  });

  it('other setup misuse throws at once too', () => {
    expect(() => init(undefined as unknown as InitOptions)).toThrow('`init` must be an object with publishableKey, apiUrl, accountId and identity, got undefined');
    expect(() => identify({ accountId: 'a', identity: 'j' })).toThrow('`identify` was called before `init`');
    expect(() => on('bogus' as 'error', () => {})).toThrow('`on` event must be one of decide, exposure, click, dismiss, trial_start, error, got bogus');
    expect(() => mount(null as unknown as HTMLElement, { placement: 'x' })).toThrow('`mount` must be called with an HTMLElement, got null');
    expect(() => mount(document.body, { placement: '' })).toThrow('`placement` must be a non-empty string, got ""');
    init(options());
    expect(() => init(options())).toThrow(/called twice/);
  });
});

describe('deciding', () => {
  it('three placements registered together share one decide request', async () => {
    init(options());
    mountAll('sidebar', 'header', 'empty-footer');
    await settle();
    expect(decides).toEqual([{ accountId: 'acc_1', identity: 'jwt_1', placements: ['sidebar', 'header', 'empty-footer'] }]);
    expect($status.get()).toBe('ready');
    expect(Object.keys($offers.get()).sort()).toEqual(['empty-footer', 'header', 'sidebar']);
    expect($offers.get()['empty-footer']).toBeNull();
    expect(visible().map((r) => r.props.offer.placement).sort()).toEqual(['header', 'sidebar']);
  });

  it('placements declared before init (custom elements in the HTML) are decided in one request at init', async () => {
    document.body.innerHTML = '<tandem-offer placement="a"></tandem-offer><tandem-offer placement="b"></tandem-offer>';
    mountAll('c');
    await settle();
    expect(decides).toHaveLength(0);
    init(options());
    await settle();
    expect(decides.map((d) => d.placements.sort())).toEqual([['a', 'b', 'c']]);
    const host = document.querySelector('tandem-offer')!;
    expect(host.shadowRoot?.textContent).toBe('Try Insights');
  });

  it('a placement appearing later is decided by itself; changing the attribute decides the new one', async () => {
    init(options());
    mountAll('sidebar');
    await settle();
    document.body.insertAdjacentHTML('beforeend', '<tandem-offer placement="later"></tandem-offer>');
    await settle();
    document.querySelector('tandem-offer')!.setAttribute('placement', 'renamed');
    await settle();
    expect(decides.map((d) => d.placements)).toEqual([['sidebar'], ['later'], ['renamed']]);
    expect($offers.get().later).toBeUndefined();
  });

  it('identify() switches account: old offers disappear at once and a new decide is made', async () => {
    init(options());
    mountAll('sidebar');
    await settle();
    expect(visible()).toHaveLength(1);
    identify({ accountId: 'acc_2', identity: 'jwt_2', userId: 'u_9' });
    expect($offers.get().sidebar).toBeNull();
    await settle();
    expect(decides.at(-1)).toEqual({ accountId: 'acc_2', identity: 'jwt_2', userId: 'u_9', placements: ['sidebar'] });
    expect(visible()).toHaveLength(1);
  });

  it('a UTC day boundary passing while the page is open decides again', async () => {
    vclock.jump(86_400_000 - (vclock.now() % 86_400_000) - 60_000); // 23:59 UTC
    init(options());
    mountAll('sidebar');
    await settle();
    await vclock.advance(50_000);
    expect(decides).toHaveLength(1);
    await vclock.advance(20_000);
    expect(decides).toHaveLength(2);
    await vclock.advance(3_600_000);
    expect(decides).toHaveLength(2);
  });

  it('after the computer slept past midnight, coming back to the page decides again', async () => {
    init(options());
    mountAll('sidebar');
    await settle();
    vclock.jump(86_400_000); // timers did not run during sleep
    vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('visible');
    document.dispatchEvent(new Event('visibilitychange'));
    await settle();
    expect(decides).toHaveLength(2);
  });
});

describe('never throws into the host page', () => {
  it('decide 500: $status is error, nothing is shown, the UI is not even loaded, logged once', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const errors: TandemError[] = [];
    decideStatus = 500;
    init(options());
    on('error', (e) => errors.push(e));
    mountAll('sidebar');
    await settle();
    identify({ accountId: 'acc_1', identity: 'jwt_1b' });
    await settle();
    expect(decides).toHaveLength(2);
    expect($status.get()).toBe('error');
    expect($offers.get().sidebar).toBeNull();
    expect(loads).toBe(0);
    expect(errors.map((e) => e.code)).toEqual(['decide_failed', 'decide_failed']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/^\[tandem\] decide answered 500 \(boom: down\)/);
  });

  it('a network failure on decide and a throwing on() handler stay inside the SDK', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    server.use(http.post(`${API}/v1/decide`, () => HttpResponse.error()));
    init(options());
    on('error', () => {
      throw new Error('host bug');
    });
    mountAll('sidebar');
    await settle();
    expect($status.get()).toBe('error');
  });

  it('a page with no offer never loads the UI module', async () => {
    init(options());
    mountAll('empty-1', 'empty-2');
    await settle();
    expect($status.get()).toBe('ready');
    expect(loads).toBe(0);
  });
});

describe('events from a shown offer', () => {
  it('exposure only after one continuous viewable second, once per decision, with identity', async () => {
    const exposures: TandemEvent[] = [];
    init(options({ userId: 'u_1' }));
    on('exposure', (e) => exposures.push(e));
    mountAll('sidebar');
    await settle();
    showBoxes(0.6);
    await vclock.advance(500);
    showBoxes(0.1);
    await vclock.advance(2000);
    expect(exposures).toHaveLength(0);
    showBoxes(1);
    await vclock.advance(1000);
    expect(exposures).toHaveLength(1);
    showBoxes(0);
    showBoxes(1);
    await vclock.advance(5000);
    expect(exposures).toHaveLength(1);
    await vclock.advance(1000);
    expect(events).toEqual([
      expect.objectContaining({
        id: exposures[0]!.id,
        type: 'exposure',
        accountId: 'acc_1',
        userId: 'u_1',
        identity: 'jwt_1',
        offerId: 'o_sidebar',
        decisionId: 'd1',
        placement: 'sidebar',
      }),
    ]);
  });

  it('trial_start is sent only when onStartTrial succeeds', async () => {
    let succeed = false;
    const onStartTrial = vi.fn(async () => {
      if (!succeed) throw new Error('billing down');
    });
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    init(options({ onStartTrial }));
    mountAll('sidebar');
    await settle();
    const props = visible()[0]!.props;
    await expect(props.onCta()).rejects.toThrow('billing down');
    await vclock.advance(1000);
    expect(events.map((e) => e.type)).toEqual(['click']);
    succeed = true;
    await props.onCta();
    await vclock.advance(1000);
    expect(events.map((e) => e.type)).toEqual(['click', 'click', 'trial_start']);
    expect(onStartTrial).toHaveBeenCalledWith(expect.objectContaining({ offerId: 'o_sidebar' }));
  });

  it('dismiss sends a dismiss event and hides the offer', async () => {
    init(options());
    mountAll('sidebar');
    await settle();
    visible()[0]!.props.onDismiss();
    expect(visible()).toHaveLength(0);
    expect($offers.get().sidebar).toBeNull();
    await vclock.advance(1000);
    expect(events.map((e) => [e.type, e.decisionId])).toEqual([['dismiss', 'd1']]);
  });
});

describe('closing after a trial start', () => {
  it('hides the offer without sending a dismiss once the trial has started', async () => {
    init(options({ onStartTrial: async () => {} }));
    mountAll('sidebar');
    await settle();
    const props = visible()[0]!.props;
    await props.onCta();
    props.onDismiss();
    expect($offers.get().sidebar).toBeNull();
    await vclock.advance(1000);
    expect(events.map((e) => e.type)).toEqual(['click', 'trial_start']);
  });
});

describe('re-deciding while an offer is on screen', () => {
  it('the same offer again (token refresh): the UI stays, no second exposure, later events keep the first decisionId', async () => {
    const onStartTrial = vi.fn(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
    init(options({ onStartTrial }));
    mountAll('sidebar');
    await settle();
    showBoxes(1);
    await vclock.advance(1000);
    identify({ accountId: 'acc_1', identity: 'jwt_1_refreshed' });
    await settle();
    expect(decides).toHaveLength(2);
    expect(rendered).toHaveLength(1);
    expect(rendered[0]!.gone).toBe(false);
    showBoxes(0);
    showBoxes(1);
    await vclock.advance(5000);
    await rendered[0]!.props.onCta();
    await vclock.advance(1000);
    expect(events.map((e) => [e.type, e.decisionId, e.identity])).toEqual([
      ['exposure', 'd1', 'jwt_1'],
      ['click', 'd1', 'jwt_1_refreshed'],
      ['trial_start', 'd1', 'jwt_1_refreshed'],
    ]);
  });

  it('a trial start pending across a re-decide with the same offer completes and is recorded', async () => {
    let finish = () => {};
    const onStartTrial = () => new Promise<void>((resolve) => (finish = resolve));
    init(options({ onStartTrial }));
    mountAll('sidebar');
    await settle();
    const started = rendered[0]!.props.onCta();
    vclock.jump(86_400_000 - (vclock.now() % 86_400_000) - 500);
    await vclock.advance(2000); // the UTC day boundary passes: decide again
    expect(decides).toHaveLength(2);
    expect(rendered).toHaveLength(1);
    expect(rendered[0]!.gone).toBe(false);
    finish();
    await started;
    await vclock.advance(1000);
    expect(events.map((e) => [e.type, e.decisionId])).toEqual([
      ['click', 'd1'],
      ['trial_start', 'd1'],
    ]);
  });

  it('a different offer (changed copy) renders anew under the new decision and is exposed again', async () => {
    init(options());
    mountAll('sidebar');
    await settle();
    showBoxes(1);
    await vclock.advance(1000);
    headline = 'Insights, now with forecasts';
    identify({ accountId: 'acc_1', identity: 'jwt_1_refreshed' });
    await settle();
    expect(rendered.map((r) => r.gone)).toEqual([true, false]);
    expect(rendered[1]!.props.offer.content.headline).toBe('Insights, now with forecasts');
    showBoxes(1);
    await vclock.advance(2000);
    expect(events.map((e) => [e.type, e.decisionId])).toEqual([
      ['exposure', 'd1'],
      ['exposure', 'd2'],
    ]);
  });

  it('a new placement elsewhere leaves the shown one alone', async () => {
    init(options());
    mountAll('sidebar');
    await settle();
    mountAll('header');
    await settle();
    expect(decides.map((d) => d.placements)).toEqual([['sidebar'], ['header']]);
    expect(rendered.map((r) => [r.props.offer.placement, r.gone])).toEqual([
      ['sidebar', false],
      ['header', false],
    ]);
  });
});

describe('events persisted by an earlier page', () => {
  it('a reload with a fresh token re-sends them with it; other accounts, seats and fresher tokens are left alone', async () => {
    const now = Math.floor(vclock.now() / 1000);
    const expired = jwt({ sub: 'acc_1', exp: now - 60 });
    const fresh = jwt({ sub: 'acc_1', exp: now + 900 });
    const otherSeat = jwt({ sub: 'acc_1', uid: 'u_other', exp: now - 60 });
    const otherAccount = jwt({ sub: 'acc_9', exp: now - 60 });
    const fresher = jwt({ sub: 'acc_1', exp: now + 1800 });
    const left = (identity: string, accountId = 'acc_1'): TandemEvent => ({
      id: uuidv7(vclock.now() - 3_600_000),
      type: 'click',
      accountId,
      identity,
      offerId: 'o_sidebar',
      at: new Date(vclock.now() - 3_600_000).toISOString(),
    });
    const queued = [left(expired), left(otherSeat), left(otherAccount, 'acc_9'), left(fresher)];
    localStorage.setItem('tandem:q', JSON.stringify(queued.map((e) => ({ e, a: 2 }))));
    init(options({ identity: fresh }));
    await vclock.advance(1000);
    expect(events.map((e) => e.identity)).toEqual([fresh, otherSeat, otherAccount, fresher]);
    expect(events.map((e) => e.id)).toEqual(queued.map((e) => e.id));
    expect(localStorage.getItem('tandem:q')).toBeNull();
  });

  it('events queued before identify() refreshed the token are sent with the new one', async () => {
    const now = Math.floor(vclock.now() / 1000);
    const first = jwt({ sub: 'acc_1', uid: 'u_1', exp: now + 60 });
    const second = jwt({ sub: 'acc_1', uid: 'u_1', exp: now + 960 });
    server.use(http.post(`${API}/v1/events`, () => new HttpResponse(null, { status: 503 }), { once: true }));
    init(options({ identity: first, userId: 'u_1' }));
    mountAll('sidebar');
    await settle();
    visible()[0]!.props.onDismiss();
    await vclock.advance(1000); // the first send fails with 503
    expect(events).toHaveLength(0);
    identify({ accountId: 'acc_1', identity: second, userId: 'u_1' });
    await vclock.advance(10_000);
    expect(events.map((e) => [e.type, e.identity])).toEqual([['dismiss', second]]);
  });
});

describe('destroy', () => {
  it('removes elements, timers and handlers; no more requests', async () => {
    const seen = vi.fn();
    init(options());
    on('decide', seen);
    const [unmount] = mountAll('sidebar');
    await settle();
    expect(document.querySelectorAll('[data-tandem-placement]')).toHaveLength(1);
    destroy();
    expect(document.querySelectorAll('[data-tandem-placement]')).toHaveLength(0);
    expect(visible()).toHaveLength(0);
    expect(vclock.pending()).toBe(0);
    expect($status.get()).toBe('idle');
    expect(() => unmount!()).not.toThrow();
    await vclock.advance(2 * 86_400_000);
    expect(decides).toHaveLength(1);
    expect(seen).toHaveBeenCalledTimes(1);
  });
});
