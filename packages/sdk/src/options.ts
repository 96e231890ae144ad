import type { DecidedOffer } from '@tandem/core';
import { TandemOptionError } from './errors.ts';

export type Theme = 'light' | 'dark' | 'system';

/** What `init()` accepts. */
export interface InitOptions {
  /** Publishable key (`pk_…`); it can decide and send browser events, nothing else. */
  publishableKey: string;
  /** Base URL of the Tandem server, e.g. `https://tandem.example.com`. */
  apiUrl: string;
  accountId: string;
  /** Short-lived identity JWT minted by your backend (`sub` = accountId). */
  identity: string;
  userId?: string;
  /** BCP 47 locale for prices and dates; defaults to the browser's. */
  locale?: string;
  theme?: Theme;
  /** Provisions the trial; resolve on success (then `trial_start` is sent), reject on failure. */
  onStartTrial?: (offer: DecidedOffer) => Promise<unknown>;
}

/** Who the page is showing offers to; `identify()` replaces it. */
export interface Identity {
  accountId: string;
  identity: string;
  userId?: string;
}

/** Options after validation and defaults: everything downstream trusts it. */
export interface Options extends Identity {
  key: string;
  /** `apiUrl` without a trailing slash. */
  api: string;
  locale: string;
  theme: Theme;
  onStartTrial: ((offer: DecidedOffer) => Promise<unknown>) | undefined;
}

const THEMES: Theme[] = ['light', 'dark', 'system'];

/** How a received value is shown in an error message (strings shortened: they may be secrets). */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 24 ? `${value.slice(0, 24)}…` : value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  return value !== null && typeof value === 'object' ? 'an object' : String(value);
}

export function fail(name: string, rule: string, got: unknown): never {
  throw new TandemOptionError(`\`${name}\` must be ${rule}, got ${describe(got)}`);
}

export function text(name: string, value: unknown): string {
  if (typeof value !== 'string' || !value.trim()) fail(name, 'a non-empty string', value);
  return value;
}

function optionalText(name: string, value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : text(name, value);
}

/**
 * Validates `identify()`'s argument (also the identity part of `init`).
 * @example normalizeIdentity({ accountId: 'acc_1', identity: jwt })
 */
export function normalizeIdentity(input: unknown): Identity {
  if (input === null || typeof input !== 'object') fail('identify', 'an object with accountId and identity', input);
  const o = input as Partial<Identity>;
  return { accountId: text('accountId', o.accountId), identity: text('identity', o.identity), userId: optionalText('userId', o.userId) };
}

/**
 * Validates `init()` options once and fills the defaults.
 * @example normalizeOptions({ publishableKey: 'pk_live_1', apiUrl: 'https://t.example', accountId: 'a', identity: jwt })
 */
export function normalizeOptions(input: InitOptions): Options {
  if (input === null || typeof input !== 'object') fail('init', 'an object with publishableKey, apiUrl, accountId and identity', input);
  const { publishableKey: key, apiUrl, locale, theme = 'system', onStartTrial } = input;
  if (typeof key !== 'string' || !/^pk_\S+$/.test(key)) fail('publishableKey', 'a non-empty string starting with pk_', key);
  if (typeof apiUrl !== 'string' || !/^(https?:\/\/[^/\s]|\/)/.test(apiUrl)) {
    fail('apiUrl', 'an http(s) URL or a path starting with /', apiUrl);
  }
  const who = normalizeIdentity(input);
  if (!THEMES.includes(theme)) fail('theme', `one of ${THEMES.join(', ')}`, theme);
  if (onStartTrial !== undefined && typeof onStartTrial !== 'function') fail('onStartTrial', 'a function returning a promise', onStartTrial);
  return {
    ...who,
    key,
    api: apiUrl.replace(/\/+$/, ''),
    locale: optionalText('locale', locale) ?? ((typeof navigator !== 'undefined' && navigator.language) || 'en'),
    theme,
    onStartTrial,
  };
}
