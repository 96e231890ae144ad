import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, normalizeConfig } from './config.ts';

const SECRET = { kid: 'k1', secret: 'x'.repeat(32) };
const base = { identity: { secrets: [SECRET] } };

describe('config', () => {
  it('fills every default', () => {
    const c = normalizeConfig(base, {}, '/srv/app');
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8787, dataDir: '/srv/app/.tandem', databaseUrl: null, trustProxy: false });
    expect(c.limits).toEqual({ bodyBytes: 262144, ratePerMinutePerKey: 6000, ratePerMinutePerIp: 3000, eventsPerBatch: 500 });
    expect(c.stripe.toleranceSeconds).toBe(300);
    expect(c.products.map((p) => p.role)).toEqual(['primary', 'second']);
  });

  it('applies environment overrides', () => {
    const c = normalizeConfig(base, {
      PORT: '9000',
      TANDEM_PUBLISHABLE_KEY: 'pk_env_1234,pk_env_5678',
      TANDEM_SECRET_KEY: 'sk_env_1234',
      TANDEM_IDENTITY_SECRET: 'y'.repeat(40),
      DATABASE_URL: 'postgres://db/x',
      TANDEM_DATA_DIR: '/data',
      STRIPE_WEBHOOK_SECRET: 'whsec_env',
    });
    expect(c.port).toBe(9000);
    expect(c.keys).toEqual({ publishable: ['pk_env_1234', 'pk_env_5678'], secret: ['sk_env_1234'] });
    expect(c.identity.secrets).toEqual([{ kid: 'k1', secret: 'y'.repeat(40) }]);
    expect([c.databaseUrl, c.dataDir, c.stripe.webhookSecret]).toEqual(['postgres://db/x', '/data', 'whsec_env']);
  });

  it.each([
    [{ ...base, keys: { secret: 'sk_one' } }, 'config `keys.secret` must be an array of non-empty strings, got "sk_one"'],
    [{ ...base, port: 70000 }, 'config `port` must be an integer from 0 to 65535, got 70000'],
    [{ identity: { secrets: [{ kid: 'k1', secret: 'short' }] } }, 'config `identity.secrets[0].secret` must be a string of at least 32 characters, got "short"'],
    [{ identity: { verify: true, secrets: [] } }, 'config `identity.secrets` must list at least one {kid, secret}'],
    [{ ...base, products: [{ id: 'a', role: 'primary', listPrice: { amount: 1, currency: 'USD' } }] }, 'at least one product with role "second"'],
    [{ ...base, products: [{ id: 'a', listPrice: { amount: -1 } }] }, 'config `products[0].listPrice.amount` must be a number ≥ 0, got -1'],
    [{ ...base, cors: { origins: 'http://x' } }, 'config `cors.origins` must be an array of non-empty strings, got "http://x"'],
    [[], 'config `(root)` must be a JSON object, got an array of 0'],
  ])('refuses bad values with a message naming the option and the value (%#)', (raw, message) => {
    expect(() => normalizeConfig(raw, {})).toThrow(ConfigError);
    expect(() => normalizeConfig(raw, {})).toThrow(message);
  });

  it('accepts the shipped example config', () => {
    const example = loadConfig(new URL('../tandem.config.example.json', import.meta.url).pathname, {});
    expect(example.path).not.toBeNull();
    expect(example.config.identity.verify).toBe(true);
  });

  it('loads a file (dataDir relative to it); without one it runs on environment variables alone, or refuses to start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-config-'));
    try {
      const path = join(dir, 'tandem.config.json');
      writeFileSync(path, JSON.stringify({ ...base, dataDir: './state', port: 0 }));
      const loaded = loadConfig(path, {});
      expect(loaded.config.dataDir).toBe(join(dir, 'state'));
      expect(loaded.path).toBe(path);
      expect(() => loadConfig(join(dir, 'nope.json'), { TANDEM_SECRET_KEY: 'sk_from_env_123' })).toThrow(
        /no config file at .*nope\.json: .*set TANDEM_PUBLISHABLE_KEY, TANDEM_IDENTITY_SECRET/,
      );
      const fromEnv = loadConfig(join(dir, 'nope.json'), {
        TANDEM_PUBLISHABLE_KEY: 'pk_from_env_123',
        TANDEM_SECRET_KEY: 'sk_from_env_123',
        TANDEM_IDENTITY_SECRET: 'identity-secret-from-the-environment-0123',
      });
      expect(fromEnv.path).toBeNull();
      expect(fromEnv.notes[0]).toContain('configured from environment variables');
      expect(fromEnv.config.identity.verify).toBe(true);
      expect(fromEnv.config.keys).toEqual({ publishable: ['pk_from_env_123'], secret: ['sk_from_env_123'] });
      writeFileSync(path, JSON.stringify({ ...base, prot: 8080 }));
      expect(() => loadConfig(path, {})).toThrow('config file has an unknown option `prot`');
      writeFileSync(path, JSON.stringify({ ...base, limits: { bodyByte: 10 } }));
      expect(() => loadConfig(path, {})).toThrow('config `limits` has an unknown option `bodyByte`');
      writeFileSync(path, JSON.stringify({ ...base, logLevel: 'loud' }));
      expect(() => loadConfig(path, {})).toThrow('config `logLevel` must be one of fatal, error, warn, info, debug, trace, silent, got "loud"');
      writeFileSync(path, '{ nope');
      expect(() => loadConfig(path, {})).toThrow(/is not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
