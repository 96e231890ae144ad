/**
 * Configuration: one JSON file plus environment overrides, normalized once
 * into a fully-filled `Config` that everything downstream trusts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { BillingInterval, Product } from '@tandem/core';
import { describe } from './errors.ts';

export interface ConfigProduct extends Product {
  /** `primary` is product one; anything else can be offered. */
  role: 'primary' | 'second';
  stripe: { productIds: string[]; priceIds: string[] };
}

export interface IdentitySecret {
  kid: string;
  secret: string;
}

export interface Config {
  host: string;
  port: number;
  /** Absolute path of the data folder (SQLite file). */
  dataDir: string;
  databaseUrl: string | null;
  keys: { publishable: string[]; secret: string[] };
  identity: { verify: boolean; secrets: IdentitySecret[] };
  cors: { origins: string[] };
  products: ConfigProduct[];
  stripe: { webhookSecret: string | null; toleranceSeconds: number };
  limits: {
    bodyBytes: number;
    ratePerMinutePerKey: number;
    ratePerMinutePerIp: number;
    eventsPerBatch: number;
  };
  timeouts: { connectionMs: number; requestMs: number; headersMs: number; keepAliveMs: number };
  /** Trust `X-Forwarded-For` (behind a load balancer). */
  trustProxy: boolean;
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_CONFIG_PATH = 'tandem.config.json';

const DEFAULT_PRODUCTS: ConfigProduct[] = [
  {
    id: 'ledger',
    name: 'Ledger',
    role: 'primary',
    listPrice: { amount: 49, currency: 'USD', interval: 'month' },
    stripe: { productIds: [], priceIds: [] },
  },
  {
    id: 'insights',
    name: 'Insights',
    role: 'second',
    listPrice: { amount: 29, currency: 'USD', interval: 'month' },
    stripe: { productIds: [], priceIds: [] },
  },
];

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(path: string, expected: string, got: unknown): never {
  throw new ConfigError(`config \`${path}\` must be ${expected}, got ${describe(got)}`);
}

function obj(raw: Raw, key: string, path: string): Raw {
  const v = raw[key];
  if (v === undefined || v === null) return {};
  if (!isObject(v)) fail(path, 'an object', v);
  return v;
}

function str(raw: Raw, key: string, path: string, fallback: string): string {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || v === '') fail(path, 'a non-empty string', v);
  return v;
}

function nullableStr(raw: Raw, key: string, path: string): string | null {
  const v = raw[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v === '') fail(path, 'a non-empty string or null', v);
  return v;
}

function int(raw: Raw, key: string, path: string, fallback: number, min: number, max: number): number {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    fail(path, `an integer from ${min} to ${max}`, v);
  return v;
}

function bool(raw: Raw, key: string, path: string, fallback: boolean): boolean {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') fail(path, 'true or false', v);
  return v;
}

function strings(raw: Raw, key: string, path: string, fallback: string[], nonEmpty = false): string[] {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (!Array.isArray(v) || (nonEmpty && v.length === 0) || v.some((s) => typeof s !== 'string' || s === ''))
    fail(path, `${nonEmpty ? 'a non-empty' : 'an'} array of non-empty strings`, v);
  return v as string[];
}

function parseProducts(v: unknown): ConfigProduct[] {
  if (v === undefined) return DEFAULT_PRODUCTS;
  if (!Array.isArray(v) || v.length === 0) fail('products', 'a non-empty array of products', v);
  const seen = new Set<string>();
  return v.map((p, i) => {
    const path = `products[${i}]`;
    if (!isObject(p)) fail(path, 'an object', p);
    const id = str(p, 'id', `${path}.id`, '');
    if (!id) fail(`${path}.id`, 'a non-empty string', p.id);
    if (seen.has(id)) fail(`${path}.id`, 'unique', id);
    seen.add(id);
    const role = p.role ?? 'second';
    if (role !== 'primary' && role !== 'second') fail(`${path}.role`, '"primary" or "second"', role);
    const lp = obj(p, 'listPrice', `${path}.listPrice`);
    const amount = lp.amount;
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0)
      fail(`${path}.listPrice.amount`, 'a number ≥ 0', amount);
    const currency = str(lp, 'currency', `${path}.listPrice.currency`, 'USD');
    if (!/^[A-Z]{3}$/.test(currency)) fail(`${path}.listPrice.currency`, 'an ISO 4217 code such as "USD"', currency);
    const interval = lp.interval ?? 'month';
    if (interval !== 'month' && interval !== 'year') fail(`${path}.listPrice.interval`, '"month" or "year"', interval);
    const stripe = obj(p, 'stripe', `${path}.stripe`);
    return {
      id,
      name: str(p, 'name', `${path}.name`, id),
      role,
      listPrice: { amount, currency, interval: interval as BillingInterval },
      stripe: {
        productIds: strings(stripe, 'productIds', `${path}.stripe.productIds`, []),
        priceIds: strings(stripe, 'priceIds', `${path}.stripe.priceIds`, []),
      },
    };
  });
}

function parseSecrets(v: unknown): IdentitySecret[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) fail('identity.secrets', 'an array of {kid, secret}', v);
  return v.map((s, i) => {
    const path = `identity.secrets[${i}]`;
    if (!isObject(s)) fail(path, 'an object {kid, secret}', s);
    const kid = str(s, 'kid', `${path}.kid`, '');
    if (!kid) fail(`${path}.kid`, 'a non-empty string', s.kid);
    const secret = s.secret;
    if (typeof secret !== 'string' || secret.length < 32)
      fail(`${path}.secret`, 'a string of at least 32 characters', secret);
    return { kid, secret };
  });
}

function envList(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Merge defaults, apply environment overrides and validate. `baseDir` resolves
 * a relative `dataDir` (the config file's folder).
 * @example normalizeConfig({ port: 0 }, {}, process.cwd()).port // 0
 */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function oneOf(o: Raw, key: string, allowed: readonly string[], fallback: string): string {
  const v = o[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !allowed.includes(v)) fail(key, `one of ${allowed.join(', ')}`, v);
  return v;
}

/** A misspelt option is a silent misconfiguration: name it at start-up. */
function onlyKnown(o: Raw, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) {
      throw new ConfigError(`config ${path ? `\`${path}\`` : 'file'} has an unknown option \`${key}\`; known: ${allowed.join(', ')}`);
    }
  }
}

export function normalizeConfig(input: unknown, env: NodeJS.ProcessEnv = {}, baseDir = process.cwd()): Config {
  if (!isObject(input)) fail('(root)', 'a JSON object', input);
  const raw: Raw = { ...input };
  const keys = obj(raw, 'keys', 'keys');
  const identity = obj(raw, 'identity', 'identity');
  const cors = obj(raw, 'cors', 'cors');
  const stripe = obj(raw, 'stripe', 'stripe');
  const limits = obj(raw, 'limits', 'limits');
  const timeouts = obj(raw, 'timeouts', 'timeouts');
  onlyKnown(raw, '', ['$schema', 'host', 'port', 'dataDir', 'databaseUrl', 'keys', 'identity', 'cors', 'products', 'stripe', 'limits', 'timeouts', 'trustProxy', 'logLevel']);
  onlyKnown(keys, 'keys', ['publishable', 'secret']);
  onlyKnown(identity, 'identity', ['verify', 'secrets']);
  onlyKnown(cors, 'cors', ['origins']);
  onlyKnown(stripe, 'stripe', ['webhookSecret', 'toleranceSeconds']);
  onlyKnown(limits, 'limits', ['bodyBytes', 'ratePerMinutePerKey', 'ratePerMinutePerIp', 'eventsPerBatch']);
  onlyKnown(timeouts, 'timeouts', ['connectionMs', 'requestMs', 'headersMs', 'keepAliveMs']);

  let port = int(raw, 'port', 'port', 8787, 0, 65535);
  if (env.PORT !== undefined && env.PORT !== '') {
    const p = Number(env.PORT);
    if (!Number.isInteger(p) || p < 0 || p > 65535) fail('PORT (environment)', 'an integer from 0 to 65535', env.PORT);
    port = p;
  }

  let secrets = parseSecrets(identity.secrets);
  if (env.TANDEM_IDENTITY_SECRET) {
    secrets = parseSecrets([{ kid: env.TANDEM_IDENTITY_KID || 'k1', secret: env.TANDEM_IDENTITY_SECRET }]);
  }
  const verify = bool(identity, 'verify', 'identity.verify', true);
  if (verify && secrets.length === 0)
    throw new ConfigError(
      'config `identity.secrets` must list at least one {kid, secret} while `identity.verify` is true (or set TANDEM_IDENTITY_SECRET), got none',
    );

  const config: Config = {
    host: str(raw, 'host', 'host', '127.0.0.1'),
    port,
    dataDir: resolve(baseDir, env.TANDEM_DATA_DIR || str(raw, 'dataDir', 'dataDir', './.tandem')),
    databaseUrl: env.DATABASE_URL || nullableStr(raw, 'databaseUrl', 'databaseUrl'),
    keys: {
      publishable:
        envList(env.TANDEM_PUBLISHABLE_KEY) ?? strings(keys, 'publishable', 'keys.publishable', []),
      secret: envList(env.TANDEM_SECRET_KEY) ?? strings(keys, 'secret', 'keys.secret', []),
    },
    identity: { verify, secrets },
    cors: { origins: strings(cors, 'origins', 'cors.origins', []) },
    products: parseProducts(raw.products),
    stripe: {
      webhookSecret: env.STRIPE_WEBHOOK_SECRET || nullableStr(stripe, 'webhookSecret', 'stripe.webhookSecret'),
      toleranceSeconds: int(stripe, 'toleranceSeconds', 'stripe.toleranceSeconds', 300, 1, 3600),
    },
    limits: {
      bodyBytes: int(limits, 'bodyBytes', 'limits.bodyBytes', 262_144, 1024, 64 * 1024 * 1024),
      ratePerMinutePerKey: int(limits, 'ratePerMinutePerKey', 'limits.ratePerMinutePerKey', 6000, 1, 1e9),
      ratePerMinutePerIp: int(limits, 'ratePerMinutePerIp', 'limits.ratePerMinutePerIp', 3000, 1, 1e9),
      eventsPerBatch: int(limits, 'eventsPerBatch', 'limits.eventsPerBatch', 500, 1, 10_000),
    },
    timeouts: {
      connectionMs: int(timeouts, 'connectionMs', 'timeouts.connectionMs', 60_000, 0, 3_600_000),
      requestMs: int(timeouts, 'requestMs', 'timeouts.requestMs', 30_000, 0, 3_600_000),
      headersMs: int(timeouts, 'headersMs', 'timeouts.headersMs', 10_000, 1, 3_600_000),
      keepAliveMs: int(timeouts, 'keepAliveMs', 'timeouts.keepAliveMs', 72_000, 1, 3_600_000),
    },
    trustProxy: bool(raw, 'trustProxy', 'trustProxy', false),
    logLevel: oneOf(raw, 'logLevel', LOG_LEVELS, 'info'),
  };
  for (const list of ['publishable', 'secret'] as const) {
    if (config.keys[list].some((k) => k.length < 8))
      fail(`keys.${list}`, 'an array of keys of at least 8 characters', config.keys[list]);
  }
  if (!config.products.some((p) => p.role === 'second'))
    throw new ConfigError('config `products` must include at least one product with role "second", got none');
  return config;
}

export interface LoadedConfig {
  config: Config;
  /** Absolute path read, or null when the file was missing and defaults were used. */
  path: string | null;
  /** Human-readable notes for start-up (e.g. "no config file, using defaults"). */
  notes: string[];
}

/**
 * Read the JSON file (a missing file means defaults, with a note), apply env
 * overrides and validate.
 * @example const { config } = loadConfig('tandem.config.json', process.env);
 */
export function loadConfig(path: string = DEFAULT_CONFIG_PATH, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const abs = resolve(path);
  const notes: string[] = [];
  let raw: unknown = {};
  if (existsSync(abs)) {
    let text: string;
    try {
      text = readFileSync(abs, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${abs}: ${(err as Error).message}`);
    }
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`config file ${abs} is not valid JSON: ${(err as Error).message}`);
    }
  } else {
    // Without a file, run on the environment alone, or not at all: demo keys and
    // an unverified identity must never be what a forgotten file silently gives.
    const needed = ['TANDEM_PUBLISHABLE_KEY', 'TANDEM_SECRET_KEY', 'TANDEM_IDENTITY_SECRET'].filter((k) => !env[k]);
    if (needed.length) {
      throw new ConfigError(
        `no config file at ${abs}: create one (see server/tandem.config.example.json and docs/configuration.md), pass --config <file>, or set ${needed.join(', ')} to run on environment variables alone`,
      );
    }
    notes.push(`no config file at ${abs}; configured from environment variables`);
    raw = {};
  }
  const config = normalizeConfig(raw, env, existsSync(abs) ? dirname(abs) : process.cwd());
  if (!config.identity.verify) notes.push('identity verification is OFF (identity.verify = false)');
  return { config, path: existsSync(abs) ? abs : null, notes };
}
