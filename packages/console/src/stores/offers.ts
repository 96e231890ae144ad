/** The offers list with this week's activity, reloaded after every change. */
import { atom } from 'nanostores';
import { call } from '../api/client.ts';
import type { OfferSummary } from '../api/types.ts';
import { api } from './session.ts';

export const $offers = atom<{ loading: boolean; error: string | null; items: OfferSummary[] }>({ loading: false, error: null, items: [] });

export async function loadOffers(): Promise<void> {
  $offers.set({ ...$offers.get(), loading: true, error: null });
  try {
    const items = await call(() => api().get('v1/console/offers').json<{ offers: OfferSummary[] }>());
    $offers.set({ loading: false, error: null, items: items.offers });
  } catch (err) {
    $offers.set({ loading: false, error: (err as Error).message, items: $offers.get().items });
  }
}

/**
 * The last save's outcome ("Published", "Saved"…) for the offer it concerns. A store, not
 * component state, so it survives the editor re-mounting when a new offer gets its URL.
 */
export const $notice = atom<{ offerId: string; text: string } | null>(null);
