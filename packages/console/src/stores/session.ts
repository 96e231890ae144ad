/**
 * Who is signed in. The key lives in sessionStorage only: closing the tab
 * signs out, and no other tab or later visit can read it.
 */
import { computed, atom } from 'nanostores';
import type { KyInstance } from 'ky';
import { ApiError, call, createClient } from '../api/client.ts';
import type { ConsoleContext } from '../api/types.ts';

const STORAGE_KEY = 'tandem.console.key';

export interface Session {
  key: string;
  context: ConsoleContext;
}

export const $session = atom<Session | null>(null);
/** Set when the server refused a stored key (expired or rotated). */
export const $signInMessage = atom<string | null>(null);

let client: KyInstance | null = null;

/** The signed-in client; only called from pages behind the sign-in gate. */
export function api(): KyInstance {
  if (!client) throw new Error('api() used before sign-in');
  return client;
}

export const $products = computed($session, (s) => s?.context.products ?? []);

/**
 * Checks the key with the server and keeps it for this tab.
 * Throws ApiError with a readable message when the key is refused.
 */
export async function signIn(key: string): Promise<void> {
  const trimmed = key.trim();
  if (!trimmed) throw new ApiError(0, 'missing_key', 'Enter a secret key (sk_…) or an admin token.');
  if (trimmed.startsWith('pk_')) {
    throw new ApiError(0, 'publishable_key', 'That is a publishable key: it can only show offers. Sign in with a secret key (sk_…) or an admin token.');
  }
  const candidate = createClient(trimmed);
  let context: ConsoleContext;
  try {
    context = await call(() => candidate.get('v1/console/context').json<ConsoleContext>());
  } catch (err) {
    const e = err as ApiError;
    if (e.status === 401 || e.status === 403) throw new ApiError(e.status, e.code, `This key was refused (${e.message}). Check that it is a current secret key or admin token.`);
    throw e;
  }
  client = createClient(trimmed, () => signOut('Your key is no longer accepted. Sign in again.'));
  sessionStorage.setItem(STORAGE_KEY, trimmed);
  $signInMessage.set(null);
  $session.set({ key: trimmed, context });
}

/** Forgets the key. */
export function signOut(message: string | null = null): void {
  sessionStorage.removeItem(STORAGE_KEY);
  client = null;
  $signInMessage.set(message);
  $session.set(null);
}

/** Restores a key kept by this tab, if the server still accepts it. */
export async function restoreSession(): Promise<void> {
  const key = sessionStorage.getItem(STORAGE_KEY);
  if (!key) return;
  try {
    await signIn(key);
  } catch (err) {
    signOut((err as Error).message);
  }
}
