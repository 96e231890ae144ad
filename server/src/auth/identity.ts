/**
 * Identity tokens: short-lived HS256 JWTs minted by the vendor's backend.
 * `sub` = account id, optional `uid`, required `exp`, optional signed `attrs`.
 * The header's `kid` picks one of several active secrets (rotation).
 */
import { webcrypto } from 'node:crypto';
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Config } from '../config.ts';
import { HttpError } from '../errors.ts';

export interface Identity {
  accountId: string;
  userId: string | null;
  /** Signed attributes; they override anything the browser sends. */
  attrs: Record<string, unknown>;
}

const CACHE_MAX = 10_000;

/**
 * Verifies identity tokens, caching good ones until they expire (the same
 * token arrives with every decide and event batch of a page view).
 * @example const id = await verifier.verify(token, 'acct_1'); // throws HttpError 401 when bad
 */
export class IdentityVerifier {
  // Imported once as CryptoKeys: handing jose raw bytes re-imports the key on every verify.
  private readonly secrets: Map<string, Promise<webcrypto.CryptoKey>>;
  private readonly only: Promise<webcrypto.CryptoKey> | null;
  private readonly cache = new Map<string, { identity: Identity; expMs: number }>();

  constructor(private readonly config: Config['identity']) {
    this.secrets = new Map(config.secrets.map((s) => [s.kid, importSecret(s.secret)]));
    this.only = config.secrets.length === 1 ? this.secrets.get(config.secrets[0]!.kid)! : null;
  }

  get enabled(): boolean {
    return this.config.verify;
  }

  /**
   * The verified identity for `accountId` when the token was verified before and has
   * not expired (no await: decide asks on every request); undefined when it must be
   * verified; an HttpError 401 `invalid_identity` as `verify` throws.
   */
  cached(token: string | undefined, accountId: string, now = Date.now()): Identity | undefined {
    if (typeof token !== 'string' || token === '') throw missingToken();
    const entry = this.cache.get(token);
    if (!entry || entry.expMs <= now) return undefined;
    return forAccount(entry.identity, accountId);
  }

  /** The verified identity for `accountId`, or an HttpError 401 `invalid_identity`. */
  async verify(token: string | undefined, accountId: string, now = Date.now()): Promise<Identity> {
    if (typeof token !== 'string' || token === '') throw missingToken();
    let entry = this.cache.get(token);
    if (entry && entry.expMs <= now) {
      this.cache.delete(token);
      entry = undefined;
    }
    if (!entry) {
      const payload = await this.check(token, now);
      entry = {
        identity: {
          accountId: payload.sub as string,
          userId: typeof payload.uid === 'string' ? payload.uid : null,
          attrs: isPlainObject(payload.attrs) ? payload.attrs : {},
        },
        expMs: (payload.exp as number) * 1000,
      };
      if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(token, entry);
    }
    return forAccount(entry.identity, accountId);
  }

  private async check(token: string, now: number): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(
        token,
        (header) => {
          const key = header.kid === undefined ? this.only : this.secrets.get(header.kid);
          if (!key)
            throw new HttpError(
              401,
              'invalid_identity',
              header.kid === undefined
                ? 'identity token has no `kid` header and several secrets are active'
                : `identity token \`kid\` ${JSON.stringify(header.kid)} is not an active secret`,
            );
          return key;
        },
        { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'], currentDate: new Date(now) },
      );
      return payload;
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(401, 'invalid_identity', `identity token rejected: ${reason(err)}`);
    }
  }
}

const missingToken = () => new HttpError(401, 'invalid_identity', '`identity` is required: a JWT minted by your backend (sub = accountId)');

function forAccount(identity: Identity, accountId: string): Identity {
  if (identity.accountId !== accountId)
    throw new HttpError(401, 'invalid_identity', `identity token is for account ${JSON.stringify(identity.accountId)}, not ${JSON.stringify(accountId)}`);
  return identity;
}

function importSecret(secret: string): Promise<webcrypto.CryptoKey> {
  const key = webcrypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  key.catch(() => {}); // a failure surfaces where the key is used, as a rejected token
  return key;
}

function reason(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'expired';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature does not verify';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `claim \`${err.claim}\` ${err.reason}`;
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm must be HS256';
  if (err instanceof joseErrors.JOSEError) return 'malformed token';
  return 'malformed token';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
