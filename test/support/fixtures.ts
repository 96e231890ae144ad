/**
 * Fixtures for the browser tests: seed offers and accounts into the real server with
 * the secret key, mint identity tokens like a vendor backend would, build test pages
 * that install the built SDK, and watch the events the page sends.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect, type Page, type Request } from '@playwright/test';
import type { OfferDefinition, TandemEvent } from '@tandem/core';
import { SignJWT } from 'jose';
import { E2E } from './env.ts';
import { type PageSpec, pagePath, scriptPath } from './site.ts';

const DIST = join(import.meta.dirname, '../../packages/sdk/dist');

/** The built snippet, configured the way its comment tells a site owner to (src and data attributes). */
export function configuredSnippet(s: { accountId: string; identity: string }): string {
  const edits: [string, string][] = [
    ['https://cdn.example.com/tandem/tandem.min.js', '/dist/tandem.min.js'],
    ['pk_live_REPLACE_ME', E2E.publishableKey],
    ['https://tandem.example.com', E2E.api],
    ['ACCOUNT_ID', s.accountId],
    ['IDENTITY_JWT_FROM_YOUR_BACKEND', s.identity],
  ];
  let code = readFileSync(join(DIST, 'snippet.min.js'), 'utf8');
  for (const [from, to] of edits) {
    if (!code.includes(from)) throw new Error(`e2e: snippet.min.js no longer contains the placeholder ${from}`);
    code = code.replace(from, to);
  }
  return code;
}

export interface Scenario {
  accountId: string;
  identity: string;
  placement: string;
  offerId: string;
}

async function api(method: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${E2E.api}${path}`, {
    method,
    headers: { authorization: `Bearer ${E2E.secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`e2e seed: ${method} ${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

export function mintIdentity(accountId: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', kid: E2E.kid })
    .setSubject(accountId)
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(E2E.identitySecret));
}

/** A fresh account in its offer window and a published offer on a placement of its own (no holdout). */
export async function seedScenario(over: Partial<OfferDefinition> = {}): Promise<Scenario> {
  const tag = randomUUID().slice(0, 8);
  const accountId = `acc_${tag}`;
  const placement = `p_${tag}`;
  const offerId = `off_${tag}`;
  const activatedAt = new Date(Date.now() - 90 * 86_400_000).toISOString();
  await api('PUT', `/v1/accounts/${accountId}`, { activatedAt, plan: 'pro', arr: 5880, currency: 'USD' });
  const offer: OfferDefinition = {
    id: offerId,
    name: `e2e ${tag}`,
    status: 'published',
    kind: 'trial',
    placement,
    display: 'inline',
    priority: 1,
    productId: 'insights',
    content: { headline: 'Try Insights free for 14 days', body: 'See where every dollar goes.', cta: 'Start free trial' },
    trialDays: 14,
    action: { type: 'callback' },
    holdout: 0,
    rules: { activationDays: { min: 0, max: 36_500 } },
    ...over,
  };
  await api('POST', '/v1/offers', offer);
  return { accountId, identity: await mintIdentity(accountId), placement, offerId };
}

export interface InstallOptions {
  theme?: 'light' | 'dark' | 'system';
  locale?: string;
  /** Milliseconds the host's onStartTrial takes before it resolves. */
  trialMs?: number;
}

/** The JS a host page runs (after the snippet or the bundle) to initialise and mount. */
export function installCode(s: Scenario, o: InstallOptions = {}, slot = '#slot'): string {
  const opts = {
    publishableKey: E2E.publishableKey,
    apiUrl: E2E.api,
    accountId: s.accountId,
    identity: s.identity,
    theme: o.theme ?? 'light',
    locale: o.locale ?? 'en-US',
  };
  return `(function(){
  window.__trials = [];
  var o = ${JSON.stringify(opts)};
  o.onStartTrial = function (offer) {
    window.__trials.push(offer.offerId);
    return new Promise(function (r) { setTimeout(r, ${o.trialMs ?? 200}); });
  };
  tandem.init(o);
  tandem.mount(document.querySelector(${JSON.stringify(slot)}), { placement: ${JSON.stringify(s.placement)} });
})();`;
}

/** Records `securitypolicyviolation` events; an external script so a strict CSP allows it. */
export const VIOLATION_RECORDER = `window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
});`;

export const page$ = (spec: PageSpec) => `${E2E.site}${pagePath(spec)}`;
export const script$ = (code: string) => scriptPath(code);

/** A page that installs the built IIFE with external scripts only (works under a strict CSP). */
export function bundlePage(s: Scenario, o: InstallOptions & { csp?: string; head?: string; body?: string } = {}): string {
  return page$({
    csp: o.csp,
    html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dashboard</title>
<script src="${script$(VIOLATION_RECORDER)}"></script>${o.head ?? ''}</head>
<body><main><h1>Ledger dashboard</h1>${o.body ?? '<div id="slot"></div>'}</main>
<script src="/dist/tandem.min.js"></script>
<script src="${script$(installCode(s, o))}"></script></body></html>`,
  });
}

/** The browser events the page posts to /v1/events, in order (fetch, keepalive or beacon). */
export function watchEvents(page: Page): TandemEvent[] {
  const seen: TandemEvent[] = [];
  page.on('request', (req: Request) => {
    if (req.method() !== 'POST' || !req.url().startsWith(`${E2E.api}/v1/events`)) return;
    try {
      const body = JSON.parse(req.postData() ?? '{}') as { events?: TandemEvent[] };
      seen.push(...(body.events ?? []));
    } catch {
      // not JSON: not an events batch
    }
  });
  return seen;
}

/** The shadow root that holds a rendered offer (found by its card), as a JS handle. */
export const findCardScript = `(() => {
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) {
        if (el.shadowRoot.querySelector('.c')) return el.shadowRoot;
        const inner = walk(el.shadowRoot);
        if (inner) return inner;
      }
    }
    return null;
  };
  return walk(document);
})()`;

export const test = base.extend<{ events: TandemEvent[] }>({
  events: async ({ page }, use) => {
    await use(watchEvents(page));
  },
});

export { expect };
