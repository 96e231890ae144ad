/**
 * The demo's Tandem set-up: keys, secrets, products and the server config file
 * it writes. Everything here is for local demonstration only — real secrets
 * come from the environment (see README, "Configuration").
 */

export const PUBLISHABLE_KEY = 'pk_test_demo';
export const SECRET_KEY = 'sk_test_demo';
/** The identity secret the vendor's backend shares with Tandem (HS256, ≥ 32 chars). */
export const IDENTITY_KID = 'demo-k1';
export const IDENTITY_SECRET = 'demo-identity-secret-change-me-0123456789';
export const STRIPE_WEBHOOK_SECRET = 'whsec_demo_0123456789abcdef0123456789abcdef';

export const PRODUCT_ONE = { id: 'ledger', name: 'Ledger' } as const;
export const PRODUCT_TWO = {
  id: 'insights',
  name: 'Insights',
  stripeProductId: 'prod_demo_insights',
  stripePriceId: 'price_demo_insights_monthly',
  monthly: 29,
} as const;

export const DEFAULT_DEMO_PORT = 5173;
export const DEFAULT_API_PORT = 8787;

/** The server config file `tandem serve --config` reads (format: README, "Configuration"). */
export interface DemoServerConfig {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: null;
  keys: { publishable: string[]; secret: string[] };
  identity: { verify: boolean; secrets: { kid: string; secret: string }[] };
  cors: { origins: string[] };
  products: unknown[];
  stripe: { webhookSecret: string };
  logLevel: string;
}

/**
 * The config for a demo server: two products, the demo keys, and CORS for the
 * demo app's origin(s).
 * @example demoServerConfig({ host: '127.0.0.1', port: 8787, dataDir: 'demo/.data', origins: ['http://127.0.0.1:5173'] })
 */
export function demoServerConfig(opts: { host: string; port: number; dataDir: string; origins: string[] }): DemoServerConfig {
  return {
    host: opts.host,
    port: opts.port,
    dataDir: opts.dataDir,
    databaseUrl: null,
    keys: { publishable: [PUBLISHABLE_KEY], secret: [SECRET_KEY] },
    identity: { verify: true, secrets: [{ kid: IDENTITY_KID, secret: IDENTITY_SECRET }] },
    cors: { origins: opts.origins },
    products: [
      {
        id: PRODUCT_ONE.id,
        name: PRODUCT_ONE.name,
        role: 'primary',
        listPrice: { amount: 49, currency: 'USD', interval: 'month' },
        stripe: { productIds: ['prod_demo_ledger'], priceIds: ['price_demo_ledger_monthly'] },
      },
      {
        id: PRODUCT_TWO.id,
        name: PRODUCT_TWO.name,
        role: 'second',
        listPrice: { amount: PRODUCT_TWO.monthly, currency: 'USD', interval: 'month' },
        stripe: { productIds: [PRODUCT_TWO.stripeProductId], priceIds: [PRODUCT_TWO.stripePriceId] },
      },
    ],
    stripe: { webhookSecret: STRIPE_WEBHOOK_SECRET },
    // Requests are not news in a demo; warnings and errors are.
    logLevel: 'warn',
  };
}
