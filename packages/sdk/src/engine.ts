import { type BrowserEventType, type DecidedOffer, type DecideRequest, type DecideResponse, uuidv7 } from '@tandem/core';
import { clock, DAY_MS, utcDay } from './clock.ts';
import { clearHandlers, emit } from './emitter.ts';
import { TandemError, TandemOptionError } from './errors.ts';
import { errorDetail, postJson } from './http/post.ts';
import { logOnce } from './log.ts';
import { type Identity, type InitOptions, normalizeIdentity, normalizeOptions, type Options } from './options.ts';
import { createQueue, type EventQueue } from './queue/event-queue.ts';
import { freshen } from './queue/fresh-identity.ts';
import { $offers, $status } from './stores/index.ts';

// One engine per page: the state below is what `init` sets up and `destroy` takes down.
let o: Options | undefined;
let queue: EventQueue | undefined;
/** Placement → how many hosts show it. */
const placements = new Map<string, number>();
const pending = new Set<string>();
let batching = false;
/** Bumped when answers in flight must be ignored (account switch, destroy). */
let generation = 0;
let inflight = 0;
const decisions = new Map<string, string>();
const exposed = new Set<string>();
let dayTimer: unknown;
let decidedDay = 0;
/** Detach functions of every rendered host, run by `destroy`. */
export const teardowns = new Set<() => void>();

/** The options in force, if `init` ran. */
export const settings = (): Options | undefined => o;

/** Emits `error` and logs it once per code: the page never sees a throw. */
export function report(error: TandemError): void {
  logOnce(error.code, error.message);
  emit('error', error);
}

export function start(input: InitOptions): void {
  if (o) throw new TandemOptionError('`init` was called twice: call destroy() first, or identify() to switch accounts');
  o = normalizeOptions(input);
  queue = createQueue({
    url: `${o.api}/v1/events`,
    key: o.key,
    onError: report,
    // Events left by an earlier page (or queued before a token refresh) go out with the
    // freshest identity this page holds for the same account and user.
    prepare: (event) => (o ? freshen(event, o) : event),
  });
  if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisible);
  decideAll();
}

export function identify(input: Identity): void {
  if (!o) throw new TandemOptionError('`identify` was called before `init`');
  const who = normalizeIdentity(input);
  if (who.accountId !== o.accountId || who.userId !== o.userId) {
    // Another account must never see the previous one's offers, even for a moment.
    generation++;
    for (const placement of placements.keys()) $offers.setKey(placement, null);
  }
  Object.assign(o, who);
  decideAll();
}

export function destroy(): void {
  for (const teardown of [...teardowns]) teardown();
  queue?.destroy();
  clock.clear(dayTimer);
  if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onVisible);
  // A stale timer id must not clear someone else's timer after the next init.
  o = queue = dayTimer = undefined;
  generation++;
  for (const set of [placements, pending, decisions, exposed]) set.clear();
  $offers.set({});
  $status.set('idle');
  clearHandlers();
}

/** A host starts showing `placement`; a placement new to the page is decided. */
export function register(placement: string): void {
  const n = placements.get(placement) ?? 0;
  placements.set(placement, n + 1);
  if (!n) request([placement]);
}

export function unregister(placement: string): void {
  const n = (placements.get(placement) ?? 1) - 1;
  if (n > 0) return void placements.set(placement, n);
  placements.delete(placement);
  pending.delete(placement);
  $offers.setKey(placement, undefined);
}

function decideAll(): void {
  decidedDay = utcDay(clock.now());
  armDayTimer();
  request([...placements.keys()]);
}

// Placements registered in the same task share one decide request: no waterfalls.
function request(list: string[]): void {
  for (const placement of list) pending.add(placement);
  if (batching || !pending.size) return;
  batching = true;
  queueMicrotask(() => {
    batching = false;
    if (!o || !pending.size) return;
    const list = [...pending];
    pending.clear();
    void decide(o, list);
  });
}

async function decide(options: Options, list: string[]): Promise<void> {
  const mine = generation;
  inflight++;
  $status.set('loading');
  let failed = false;
  try {
    const body: DecideRequest = {
      accountId: options.accountId,
      identity: options.identity,
      userId: options.userId,
      placements: list,
    };
    const res = await postJson(`${options.api}/v1/decide`, options.key, body);
    if (!res.ok) throw new TandemError('decide_failed', `decide answered ${res.status}${await errorDetail(res)}; showing nothing`);
    const answer = (await res.json()) as DecideResponse;
    if (mine !== generation) return;
    for (const placement of list) {
      if (!placements.has(placement)) continue;
      const next = answer.offers.find((x) => x.placement === placement) ?? null;
      // A re-decide (token refresh, day boundary, identify with the same account and user) that
      // returns exactly the offer on screen changes nothing the user sees, so the showing goes on
      // untouched: the UI is not re-rendered (a pending trial start is not interrupted) and the
      // showing keeps the decisionId it was shown under, for its exposure and every later click,
      // dismiss and trial_start. A new decisionId would mean a second exposure for what is one
      // continuous showing — each token refresh would spend the frequency cap (3 per 7 days) —
      // and would split one showing's funnel across two decisions. Any difference (prices,
      // action, copy, variant) is a new showing: it renders anew under the new decision.
      if (next && same(next, $offers.get()[placement])) continue;
      decisions.set(placement, answer.decisionId);
      $offers.setKey(placement, next);
    }
    emit('decide', answer);
  } catch (error) {
    if (mine !== generation) return;
    failed = true;
    for (const placement of list) if (placements.has(placement)) $offers.setKey(placement, null);
    report(error instanceof TandemError ? error : new TandemError('decide_failed', `decide request failed (${error}); showing nothing`));
  } finally {
    inflight--;
    if (mine === generation && o) $status.set(failed ? 'error' : inflight ? 'loading' : 'ready');
  }
}

/** Structural equality of two JSON values (decided offers come from JSON). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

// A timer to the next UTC midnight (plus a second of slack for the server's clock): an account
// entering its offer window gets the offer without a reload.
function armDayTimer(): void {
  clock.clear(dayTimer);
  dayTimer = clock.set(onDay, DAY_MS - (clock.now() % DAY_MS) + 1000);
}

function onDay(): void {
  if (utcDay(clock.now()) !== decidedDay) decideAll();
  else armDayTimer();
}

// Timers stall while a laptop sleeps: check the day again when the page comes back.
function onVisible(): void {
  if (document.visibilityState === 'visible') onDay();
}

function track(type: BrowserEventType, placement: string, offer: DecidedOffer, decisionId: string | undefined): void {
  if (!o || !queue) return;
  const now = clock.now();
  const event = {
    id: uuidv7(now),
    type,
    accountId: o.accountId,
    identity: o.identity,
    userId: o.userId,
    offerId: offer.offerId,
    variant: offer.variant,
    decisionId,
    placement,
    at: new Date(now).toISOString(),
  };
  queue.push(event);
  emit(type, event);
}

/** What a rendered offer can do: press the call to action, dismiss, be seen. */
export function actions(placement: string, offer: DecidedOffer) {
  const decisionId = decisions.get(placement);
  const send = (type: BrowserEventType) => track(type, placement, offer, decisionId);
  // Closing the card after a successful trial is not a refusal: no dismiss (and no cooldown).
  let started = false;
  return {
    async cta(): Promise<void> {
      send('click');
      const { action } = offer;
      const start = o?.onStartTrial;
      if (action.type === 'callback' && start) {
        try {
          await start(offer);
        } catch (error) {
          report(new TandemError('trial_failed', `onStartTrial rejected for offer ${offer.offerId}: ${error}`));
          throw error;
        }
        started = true;
        send('trial_start');
      } else if (action.url) {
        // Provisioning happens on the other side of the link; the backend reports `trial_started`.
        location.assign(action.url);
      } else {
        const error = new TandemError('trial_failed', `offer ${offer.offerId} needs onStartTrial in init() or an action url`);
        report(error);
        throw error;
      }
    },
    dismiss(): void {
      if (!started) send('dismiss');
      $offers.setKey(placement, null);
    },
    seen(): void {
      const key = `${decisionId}:${offer.offerId}`;
      if (exposed.has(key)) return;
      exposed.add(key);
      send('exposure');
    },
  };
}
