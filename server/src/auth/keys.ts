/**
 * API keys: the config's publishable/secret keys plus keys made by
 * `tandem keys` (stored as SHA-256 digests). Every comparison is constant
 * time over digests, so neither the key nor its length leaks through timing.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRecord, Store } from '../store/types.ts';

export type KeyKind = ApiKeyRecord['kind'];

export interface Principal {
  kind: KeyKind;
  /** Stable id for rate limiting and audit (`config:secret:0`, or the stored key id). */
  id: string;
  /** Who, for the audit log. */
  actor: string;
}

const PREFIX: Record<KeyKind, string> = { publishable: 'pk_', secret: 'sk_', admin: 'ak_' };
/** How long the stored keys are trusted before re-reading them (keys made by the CLI in another process). */
const REFRESH_MS = 10_000;
/** An unknown key triggers a re-read at most this often. */
const MISS_REFRESH_MS = 1_000;
/** Digests of presented keys kept (then forgotten all at once). */
const DIGESTS_MAX = 1024;

export function sha256(value: string): Buffer {
  return hash('sha256', value, 'buffer');
}

/**
 * A new random key and its record; the key itself is shown once.
 * @example const { key, record } = generateKey('secret', 'billing'); await store.createKey(record);
 */
export function generateKey(kind: KeyKind, label: string | null, now = Date.now()): { key: string; record: ApiKeyRecord } {
  const key = `${PREFIX[kind]}live_${randomBytes(24).toString('base64url')}`;
  return {
    key,
    record: {
      id: `key_${randomBytes(8).toString('hex')}`,
      kind,
      hash: sha256(key).toString('hex'),
      prefix: key.slice(0, PREFIX[kind].length + 9),
      createdAt: now,
      revokedAt: null,
      label,
    },
  };
}

interface Entry {
  digest: Buffer;
  principal: Principal;
}

export class KeyRing {
  private readonly fixed: Entry[];
  private stored: Entry[] = [];
  private loadedAt = 0;
  private lastMissReload = 0;
  private loading: Promise<void> | null = null;
  private readonly digests = new Map<string, Buffer>();

  constructor(
    keys: { publishable: string[]; secret: string[] },
    private readonly store: Store,
  ) {
    this.fixed = [
      ...keys.publishable.map((k, i) => ({
        digest: sha256(k),
        principal: { kind: 'publishable' as const, id: `config:publishable:${i}`, actor: 'publishable-key' },
      })),
      ...keys.secret.map((k, i) => ({
        digest: sha256(k),
        principal: { kind: 'secret' as const, id: `config:secret:${i}`, actor: `secret-key:${k.slice(0, 8)}` },
      })),
    ];
  }

  /**
   * The principal for a presented key, or null when unknown or revoked. Answers at
   * once while the stored keys are fresh (every request asks), and with a promise
   * when they must be read again first.
   */
  resolve(key: string): Principal | null | Promise<Principal | null> {
    // The digest of a key presented before is reused (every request presents one; the
    // decision is still the constant-time comparison of digests below).
    let digest = this.digests.get(key);
    if (!digest) {
      digest = sha256(key);
      if (this.digests.size >= DIGESTS_MAX) this.digests.clear();
      this.digests.set(key, digest);
    }
    const now = Date.now();
    if (now - this.loadedAt > REFRESH_MS) return this.reload().then(() => this.matchOrReload(digest, now));
    return this.matchOrReload(digest, now);
  }

  /** An unknown key may have just been made by `tandem keys` in another process: read the keys again, at most once a second. */
  private matchOrReload(digest: Buffer, now: number): Principal | null | Promise<Principal | null> {
    const found = this.match(digest);
    if (found || now - this.lastMissReload <= MISS_REFRESH_MS) return found;
    this.lastMissReload = now;
    return this.reload().then(() => this.match(digest));
  }

  /** Forget the cached stored keys (after create/revoke in this process). */
  invalidate(): void {
    this.loadedAt = 0;
  }

  private match(digest: Buffer): Principal | null {
    let found: Principal | null = null;
    // Walk every entry even after a match, so timing does not depend on position.
    for (const e of this.fixed) if (timingSafeEqual(e.digest, digest) && !found) found = e.principal;
    for (const e of this.stored) if (timingSafeEqual(e.digest, digest) && !found) found = e.principal;
    return found;
  }

  private reload(): Promise<void> {
    this.loading ??= this.store
      .listKeys()
      .then((records) => {
        this.stored = records
          .filter((r) => r.revokedAt === null && /^[0-9a-f]{64}$/.test(r.hash))
          .map((r) => ({
            digest: Buffer.from(r.hash, 'hex'),
            principal: { kind: r.kind, id: r.id, actor: r.label ? `${r.kind}:${r.label}` : `${r.kind}:${r.id}` },
          }));
        this.loadedAt = Date.now();
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }
}
