/**
 * Test harness: a real app over a real store (SQLite in a temp dir, or
 * PostgreSQL in a fresh schema when asked and DATABASE_URL is set).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OfferDefinition } from '@tandem/core';
import { SignJWT } from 'jose';
import pg from 'pg';
import { buildApp } from '../app.ts';
import { type Config, normalizeConfig } from '../config.ts';
import type { App } from '../context.ts';
import { openPostgresStore, openSqliteStore } from '../store/index.ts';
import type { Store } from '../store/types.ts';

export const PK = 'pk_test_harness';
export const SK = 'sk_test_harness';
export const IDENTITY_SECRET = 'identity-secret-for-tests-0123456789abcdef';
export const IDENTITY_SECRET_2 = 'second-identity-secret-for-rotation-0123456';
export const WEBHOOK_SECRET = 'whsec_test_secret_for_tandem';
export const ORIGIN = 'http://127.0.0.1:5173';
export const DAY = 86_400_000;

export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: StoreKind[] = process.env.DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/** The raw config every test starts from (products, keys, identity, Stripe ids). */
export function rawTestConfig(dataDir: string): Record<string, unknown> {
  return {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    keys: { publishable: [PK], secret: [SK] },
    identity: {
      verify: true,
      secrets: [
        { kid: 'k1', secret: IDENTITY_SECRET },
        { kid: 'k2', secret: IDENTITY_SECRET_2 },
      ],
    },
    cors: { origins: [ORIGIN] },
    products: [
      { id: 'ledger', name: 'Ledger', role: 'primary', listPrice: { amount: 49, currency: 'USD', interval: 'month' } },
      {
        id: 'insights',
        name: 'Insights',
        role: 'second',
        listPrice: { amount: 29, currency: 'USD', interval: 'month' },
        stripe: { productIds: ['prod_insights'], priceIds: ['price_insights_monthly'] },
      },
    ],
    stripe: { webhookSecret: WEBHOOK_SECRET },
    limits: { bodyBytes: 65_536, ratePerMinutePerKey: 100_000, ratePerMinutePerIp: 100_000 },
  };
}

export interface TestApp {
  app: App;
  store: Store;
  config: Config;
  dir: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  kind?: StoreKind;
  /** Shallow overrides of the raw config (top-level keys). */
  config?: Record<string, unknown>;
  now?: () => number;
}

let admin: pg.Pool | undefined;

/** Opens a migrated store of the given kind in a fresh place. */
export async function openTestStore(kind: StoreKind, dir: string): Promise<{ store: Store; drop(): Promise<void> }> {
  if (kind === 'postgres') {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set');
    const schema = `tandem_test_${randomBytes(6).toString('hex')}`;
    const store = openPostgresStore({ url, schema, max: 4 });
    await store.migrate();
    return {
      store,
      async drop() {
        await store.close();
        admin ??= new pg.Pool({ connectionString: url, max: 1 });
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      },
    };
  }
  const store = openSqliteStore({ dataDir: join(dir, 'data') });
  await store.migrate();
  return { store, drop: () => store.close() };
}

/**
 * A ready app (not listening) over a fresh store.
 * @example const t = await openTestApp(); await t.app.inject({ method: 'GET', url: '/healthz' }); await t.close();
 */
export async function openTestApp(opts: OpenOptions = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-server-'));
  const config = normalizeConfig({ ...rawTestConfig(join(dir, 'data')), ...opts.config }, {}, dir);
  const { store, drop } = await openTestStore(opts.kind ?? 'sqlite', dir);
  const app = await buildApp({ config, store, logger: false, now: opts.now });
  await app.ready();
  return {
    app,
    store,
    config,
    dir,
    async close() {
      await app.close();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Ends the shared admin pool (call in a file's afterAll when PostgreSQL was used). */
export async function endAdminPool(): Promise<void> {
  await admin?.end();
  admin = undefined;
}

/** An identity JWT as the vendor's backend would mint it. */
export async function mintIdentity(
  accountId: string,
  opts: { uid?: string; attrs?: Record<string, unknown>; kid?: string | null; secret?: string; expSeconds?: number; now?: number } = {},
): Promise<string> {
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  const claims: Record<string, unknown> = {};
  if (opts.uid) claims.uid = opts.uid;
  if (opts.attrs) claims.attrs = opts.attrs;
  const jwt = new SignJWT(claims)
    .setProtectedHeader(opts.kid === null ? { alg: 'HS256' } : { alg: 'HS256', kid: opts.kid ?? 'k1' })
    .setSubject(accountId)
    .setIssuedAt(now)
    .setExpirationTime(now + (opts.expSeconds ?? 600));
  return jwt.sign(new TextEncoder().encode(opts.secret ?? IDENTITY_SECRET));
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** A published trial offer for `insights` on placement `dashboard` with the given holdout. */
export function trialOffer(over: Partial<OfferDefinition> = {}): OfferDefinition {
  return {
    id: 'o_trial',
    name: 'Insights trial',
    status: 'published',
    kind: 'trial',
    placement: 'dashboard',
    display: 'inline',
    priority: 10,
    productId: 'insights',
    content: { headline: 'Try Insights', body: 'See where your money goes.', cta: 'Start trial' },
    trialDays: 14,
    action: { type: 'callback' },
    holdout: 0,
    rules: {},
    ...over,
  };
}

/** An account activated `days` days before `now`. */
export function accountAged(id: string, days: number, now = Date.now(), extra: Record<string, unknown> = {}) {
  return { id, activatedAt: new Date(now - days * DAY).toISOString(), plan: 'pro', arr: 1200, ...extra };
}
