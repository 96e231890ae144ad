let lastMs = -1;
let seq = 0;
// Random bytes drawn in bulk: one getRandomValues call per 512 ids, not per id.
const POOL = new Uint8Array(4096);
let poolAt = POOL.length;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A time-ordered UUIDv7 (RFC 9562): 48-bit ms timestamp, then a 12-bit counter
 * that keeps ids made in the same millisecond ordered, then random bits.
 * Time-ordered keys keep storage indexes appending (see DESIGN, Storage).
 * @example uuidv7() // '019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b'
 */
export function uuidv7(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    seq = 0;
  } else {
    seq++;
    if (seq > 0xfff) {
      // Counter exhausted: borrow the next millisecond rather than repeat.
      lastMs++;
      seq = 0;
    }
  }
  if (poolAt + 8 > POOL.length) {
    crypto.getRandomValues(POOL);
    poolAt = 0;
  }
  // Bytes 0–5: the ms timestamp; 6–7: version 7 and the counter; 8–15: random, variant bits set.
  const ms = lastMs;
  const hi = Math.floor(ms / 2 ** 32);
  const p = poolAt;
  poolAt += 8;
  return (
    HEX[(hi >>> 8) & 0xff]! +
    HEX[hi & 0xff]! +
    HEX[(ms >>> 24) & 0xff]! +
    HEX[(ms >>> 16) & 0xff]! +
    '-' +
    HEX[(ms >>> 8) & 0xff]! +
    HEX[ms & 0xff]! +
    '-' +
    HEX[0x70 | ((seq >>> 8) & 0x0f)]! +
    HEX[seq & 0xff]! +
    '-' +
    HEX[0x80 | (POOL[p]! & 0x3f)]! +
    HEX[POOL[p + 1]!]! +
    '-' +
    HEX[POOL[p + 2]!]! +
    HEX[POOL[p + 3]!]! +
    HEX[POOL[p + 4]!]! +
    HEX[POOL[p + 5]!]! +
    HEX[POOL[p + 6]!]! +
    HEX[POOL[p + 7]!]!
  );
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** True for a canonical RFC 9562 UUID string of any version 1–8. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}

/** The millisecond timestamp embedded in a UUIDv7. */
export function uuidv7Time(id: string): number {
  return Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}
