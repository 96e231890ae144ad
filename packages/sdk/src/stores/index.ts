import type { DecidedOffer } from '@tandem/core';
import { atom, map } from 'nanostores';

export type Status = 'idle' | 'loading' | 'ready' | 'error';

/**
 * The decided offer per placement: `null` when nothing is shown there, absent until decided.
 * @example
 * $offers.subscribe((offers) => console.log(offers.sidebar?.content.headline))
 */
export const $offers = map<Record<string, DecidedOffer | null>>({});

/**
 * Where deciding stands: `idle` before `init`, `loading`, `ready`, or `error` (nothing shown).
 * @example
 * $status.listen((status) => status === 'error' && hidePlaceholder())
 */
export const $status = atom<Status>('idle');
