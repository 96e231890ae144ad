import type { TandemEvent } from '@tandem/core';
import type { Identity } from '../options.ts';

interface Claims {
  exp?: number;
  uid?: string;
}

/**
 * The payload of a JWT, read without verifying it — only ever compared with another token's,
 * never trusted — or `{}` when the token cannot be read.
 * @example claims(jwt).exp // seconds since the epoch
 */
export function claims(jwt: string | undefined): Claims {
  try {
    const payload = JSON.parse(atob(jwt!.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')));
    return payload && typeof payload === 'object' ? payload : {};
  } catch {
    return {};
  }
}

/**
 * The event with `current.identity` in place of its own token when that is safe and useful:
 * same account and user, same `uid` claim (the server takes the user from it, so another seat's
 * token would move the event to that seat), and a later `exp` (a tab holding an older token must
 * not downgrade the events a fresher tab queued). Otherwise the event as it is.
 * @example freshen(persistedEvent, { accountId: 'acc_42', identity: freshJwt })
 */
export function freshen(event: TandemEvent, current: Identity): TandemEvent {
  if (event.accountId !== current.accountId || event.userId !== current.userId || event.identity === current.identity) return event;
  const was = claims(event.identity);
  const now = claims(current.identity);
  return (now.exp ?? 0) > (was.exp ?? 0) && now.uid === was.uid ? { ...event, identity: current.identity } : event;
}
