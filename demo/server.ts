/**
 * The demo vendor's own backend (what "Ledger" would run): serves the
 * dashboard, mints identity tokens, provisions Insights trials and plays
 * Stripe for the billing action. Plain node:http — nothing Tandem-specific
 * beyond a few HTTP calls.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uuidv7 } from '@tandem/core';
import { DEMO_ACCOUNTS, findDemoAccount } from './accounts.ts';
import { tandemApi } from './api.ts';
import { deliverStripeEvents, subscriptionEvents } from './billing.ts';
import { IDENTITY_KID, IDENTITY_SECRET, PRODUCT_TWO, PUBLISHABLE_KEY, SECRET_KEY, STRIPE_WEBHOOK_SECRET } from './config.ts';
import { mintIdentity } from './identity.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const PUBLIC_DIR = join(HERE, 'public');
const SDK_DIST = join(HERE, '..', 'packages', 'sdk', 'dist');
const TRIAL_DAYS = 14;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

export interface ProvisionedTrial {
  id: string;
  accountId: string;
  offerId: string | null;
  productId: string;
  startedAt: string;
  endsAt: string;
}

export interface DemoServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** Tandem's API base URL; may be set later with `setApiUrl`. */
  apiUrl: string;
  log?: (line: string) => void;
}

export interface DemoServer {
  url: string;
  setApiUrl(url: string): void;
  /** Trials this backend provisioned, newest last. */
  trials: ProvisionedTrial[];
  close(): Promise<void>;
}

class BadRequest extends Error {}

/** The placeholders of the published snippet, as a vendor edits them when pasting it. */
const SNIPPET_EDITS: [string, string][] = [
  ['"https://cdn.example.com/tandem/tandem.min.js"', '"/sdk/tandem.min.js"'],
  // The page calls tandem.init() itself once its backend has minted the identity token,
  // so the tag carries no config of its own.
  ['"pk_live_REPLACE_ME"', 'null'],
  ['"https://tandem.example.com"', 'null'],
  ['"ACCOUNT_ID"', 'null'],
  ['"IDENTITY_JWT_FROM_YOUR_BACKEND"', 'null'],
];

/** The built pre-load snippet with the demo's values, pasted into the page as the README tells vendors to. */
export function configureSnippet(built: string): string {
  let out = built.trim();
  for (const [from, to] of SNIPPET_EDITS) {
    if (!out.includes(from)) throw new Error(`packages/sdk/dist/snippet.min.js no longer contains ${from}; update SNIPPET_EDITS in demo/server.ts`);
    out = out.replace(from, to);
  }
  return out;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let raw = '';
  for await (const chunk of req) {
    raw += chunk;
    if (raw.length > 65_536) throw new BadRequest('body is larger than 64 KB');
  }
  if (!raw) return {};
  try {
    const value: unknown = JSON.parse(raw);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {}
  throw new BadRequest(`body must be a JSON object, got ${JSON.stringify(raw.slice(0, 60))}`);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function accountParam(value: unknown, field: string): string {
  if (typeof value !== 'string' || !findDemoAccount(value)) {
    throw new BadRequest(`${field} must be one of the demo accounts (${DEMO_ACCOUNTS.map((a) => a.id).join(', ')}), got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Starts the demo backend.
 * @example const demo = await startDemoServer({ port: 5173, apiUrl: 'http://127.0.0.1:8787' })
 */
export async function startDemoServer(opts: DemoServerOptions): Promise<DemoServer> {
  let apiUrl = opts.apiUrl.replace(/\/+$/, '');
  const trials: ProvisionedTrial[] = [];
  const log = opts.log ?? (() => {});

  async function renderIndex(): Promise<string> {
    const template = await readFile(join(PUBLIC_DIR, 'index.html'), 'utf8');
    const snippet = await readFile(join(SDK_DIST, 'snippet.min.js'), 'utf8').catch(() => null);
    const tag = snippet === null ? '<!-- run pnpm build: packages/sdk/dist/snippet.min.js is missing -->' : `<script>${configureSnippet(snippet)}</script>`;
    return template
      .replace('<!--TANDEM_SNIPPET-->', tag)
      .replaceAll('{{API_URL}}', apiUrl)
      .replaceAll('{{PUBLISHABLE_KEY}}', PUBLISHABLE_KEY);
  }

  async function serveFile(res: ServerResponse, root: string, rel: string): Promise<void> {
    const path = normalize(join(root, rel));
    if (!path.startsWith(root + sep)) return send(res, 404, { error: { code: 'not_found', message: `no file ${rel}` } });
    try {
      const body = await readFile(path);
      res.writeHead(200, { 'content-type': MIME[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      res.end(body);
    } catch {
      send(res, 404, { error: { code: 'not_found', message: `no file ${rel}` } });
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://demo.local');
    const { pathname } = url;

    if (req.method === 'GET' && (pathname === '/' || pathname === '/index.html' || pathname === '/billing')) {
      res.writeHead(200, { 'content-type': MIME['.html']!, 'cache-control': 'no-store' });
      res.end(await renderIndex());
      return;
    }
    if (req.method === 'GET' && pathname.startsWith('/sdk/')) return serveFile(res, SDK_DIST, pathname.slice(5));
    if (req.method === 'GET' && pathname.startsWith('/assets/')) return serveFile(res, PUBLIC_DIR, pathname.slice(8));

    if (req.method === 'GET' && pathname === '/api/accounts') {
      return send(
        res,
        200,
        DEMO_ACCOUNTS.map((a) => ({ ...a, trial: trials.find((t) => t.accountId === a.id) ?? null })),
      );
    }

    // In a real app the account comes from the signed-in session; the demo lets
    // the switcher choose it. Either way the token is minted server-side only.
    if (req.method === 'GET' && pathname === '/api/identity') {
      const account = findDemoAccount(accountParam(url.searchParams.get('account'), 'account'))!;
      const { token, expiresAt } = await mintIdentity(
        { kid: IDENTITY_KID, secret: IDENTITY_SECRET },
        { accountId: account.id, userId: account.user.id, attrs: { plan: account.plan, region: account.region } },
      );
      return send(res, 200, { accountId: account.id, userId: account.user.id, identity: token, expiresAt });
    }

    // Called by the widget's onStartTrial: provision Insights, then tell Tandem.
    if (req.method === 'POST' && pathname === '/api/trials') {
      const body = await readJson(req);
      const accountId = accountParam(body.accountId, 'accountId');
      const offerId = typeof body.offerId === 'string' ? body.offerId : null;
      const existing = trials.find((t) => t.accountId === accountId);
      if (existing) return send(res, 200, existing);
      const now = Date.now();
      const trial: ProvisionedTrial = {
        id: uuidv7(now),
        accountId,
        offerId,
        productId: PRODUCT_TWO.id,
        startedAt: new Date(now).toISOString(),
        endsAt: new Date(now + TRIAL_DAYS * 86_400_000).toISOString(),
      };
      await tandemApi(apiUrl, SECRET_KEY).request('POST', '/v1/conversions', {
        id: trial.id,
        accountId,
        type: 'trial_started',
        productId: PRODUCT_TWO.id,
        ...(offerId ? { offerId } : {}),
        at: trial.startedAt,
      });
      trials.push(trial);
      log(`demo: provisioned an Insights trial for ${accountId}`);
      return send(res, 201, trial);
    }

    // The "billing" action: the customer subscribes; Stripe (played here) tells Tandem.
    if (req.method === 'POST' && pathname === '/api/billing/upgrade') {
      const body = await readJson(req);
      const accountId = accountParam(body.accountId, 'accountId');
      const delivered = await deliverStripeEvents(apiUrl, STRIPE_WEBHOOK_SECRET, subscriptionEvents(accountId));
      const ok = delivered.every((d) => d.status >= 200 && d.status < 300);
      log(`demo: Stripe webhooks for ${accountId}: ${delivered.map((d) => `${d.type} → ${d.status}`).join(', ')}`);
      return send(res, ok ? 200 : 502, { accountId, delivered });
    }

    send(res, 404, { error: { code: 'not_found', message: `no route ${req.method} ${pathname}` } });
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) return res.end();
      if (err instanceof BadRequest) return send(res, 400, { error: { code: 'bad_request', message: err.message } });
      log(`demo: ${req.method} ${req.url} failed: ${err instanceof Error ? err.message : String(err)}`);
      send(res, 502, { error: { code: 'upstream', message: err instanceof Error ? err.message : String(err) } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    setApiUrl(url) {
      apiUrl = url.replace(/\/+$/, '');
    },
    trials,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
