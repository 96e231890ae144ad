import type { DecideResponse, TandemEvent } from '@tandem/core';
import { type TandemError, TandemOptionError } from './errors.ts';
import { logOnce } from './log.ts';

/** What each `on()` event hands to its handler. */
export interface EventMap {
  decide: DecideResponse;
  exposure: TandemEvent;
  click: TandemEvent;
  dismiss: TandemEvent;
  trial_start: TandemEvent;
  error: TandemError;
}
export type EventName = keyof EventMap;
export type Handler<K extends EventName> = (payload: EventMap[K]) => void;

const NAMES: EventName[] = ['decide', 'exposure', 'click', 'dismiss', 'trial_start', 'error'];
const handlers = new Map<EventName, Set<Handler<never>>>();

/**
 * Listens to an SDK event; returns the function that stops listening.
 * @example
 * const off = on('trial_start', (event) => analytics.track('Trial started', event))
 * off()
 */
export function on<K extends EventName>(event: K, handler: Handler<K>): () => void {
  if (!NAMES.includes(event)) {
    throw new TandemOptionError(`\`on\` event must be one of ${NAMES.join(', ')}, got ${String(event)}`);
  }
  if (typeof handler !== 'function') {
    throw new TandemOptionError(`\`on('${event}')\` handler must be a function, got ${typeof handler}`);
  }
  const set = handlers.get(event) ?? new Set();
  handlers.set(event, set);
  set.add(handler as Handler<never>);
  return () => void set.delete(handler as Handler<never>);
}

/** Calls the handlers; a throwing handler is logged, never propagated into the SDK or the page. */
export function emit<K extends EventName>(event: K, payload: EventMap[K]): void {
  for (const handler of handlers.get(event) ?? []) {
    try {
      (handler as Handler<K>)(payload);
    } catch (error) {
      logOnce(`handler:${event}`, `an on('${event}') handler threw`, error);
    }
  }
}

export function clearHandlers(): void {
  handlers.clear();
}
