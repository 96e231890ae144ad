/**
 * Hash routes, so the server only ever serves one page at /console:
 * #/offers, #/offers/new, #/offers/<id>, #/attach.
 */
import { atom } from 'nanostores';

export type Route = { page: 'offers' } | { page: 'offer'; id: string | null } | { page: 'attach' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'attach') return { page: 'attach' };
  if (parts[0] === 'offers' && parts[1]) return { page: 'offer', id: parts[1] === 'new' ? null : parts[1] };
  return { page: 'offers' };
}

export function hrefOf(route: Route): string {
  if (route.page === 'attach') return '#/attach';
  if (route.page === 'offer') return `#/offers/${route.id === null ? 'new' : encodeURIComponent(route.id)}`;
  return '#/offers';
}

export const $route = atom<Route>(parseRoute(typeof location === 'undefined' ? '' : location.hash));

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => $route.set(parseRoute(location.hash)));
}

export function navigate(route: Route): void {
  location.hash = hrefOf(route);
}
