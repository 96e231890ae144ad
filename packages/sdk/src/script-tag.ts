/**
 * The script-tag entry (IIFE). Reads `data-*` config from its own <script>, replays the calls the
 * pre-load snippet queued in `window.tandem.q`, then makes `window.tandem` the real API.
 * @example
 * <script async src="https://cdn.example.com/tandem.min.js" data-publishable-key="pk_live_…"
 *   data-api-url="https://tandem.example.com" data-account-id="acc_42" data-identity="eyJ…"></script>
 */
import { destroy, identify, init, mount, on } from './api.ts';
import { logOnce } from './log.ts';
import type { InitOptions } from './options.ts';
import { $offers, $status } from './stores/index.ts';
import { setUiLoader } from './view.ts';

type Call = [string, ...unknown[]];
const api = { init, mount, identify, on, destroy, $offers, $status };

// `currentScript` is only set while this file first runs, so read it now.
const script = document.currentScript as HTMLScriptElement | null;
const data = script?.dataset ?? {};
const global = window as unknown as { tandem?: unknown };
const preload = global.tandem as { q?: Call[] } | undefined;
const queued: Call[] = Array.isArray(preload?.q) ? preload.q : [];
global.tandem = api;

// The UI module sits next to this file, wherever it is served from.
if (script?.src) {
  const ui = data.uiUrl ?? new URL('tandem-ui.js', script.src).href;
  setUiLoader(() => import(/* @vite-ignore */ ui));
}

const run = ([method, ...args]: Call) => {
  try {
    (api[method as 'init'] as (...a: unknown[]) => unknown)(...args);
  } catch (error) {
    // Setup misuse still must not break the host's other scripts: report it loudly instead.
    logOnce(`call:${method}`, `tandem.${method}() failed: ${error instanceof Error ? error.message : error}`);
  }
};

const config: Partial<InitOptions> | undefined = data.publishableKey
  ? {
      publishableKey: data.publishableKey,
      apiUrl: data.apiUrl,
      accountId: data.accountId,
      identity: data.identity,
      userId: data.userId,
      locale: data.locale,
      theme: data.theme as InitOptions['theme'],
    }
  : undefined;
const initAt = queued.findIndex((call) => call[0] === 'init');
// A queued init (say, to pass onStartTrial) takes the data attributes as defaults.
if (initAt >= 0) queued[initAt] = ['init', { ...config, ...(queued[initAt]![1] as object) }];
else if (config) run(['init', config]);
for (const call of queued) if (Array.isArray(call) && typeof call[0] === 'string') run(call);
