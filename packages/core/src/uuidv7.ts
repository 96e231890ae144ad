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
  const bytes = new Uint8Array(16);
  // Bytes 6–7 carry the version and counter; 8–15 are random (variant bits set below).
  bytes.set(POOL.subarray(poolAt, poolAt + 8), 8);
  poolAt += 8;
  const ms = lastMs;
  bytes[0] = (ms / 2 ** 40) & 0xff;
  bytes[1] = (ms / 2 ** 32) & 0xff;
  bytes[2] = (ms >>> 24) & 0xff;
  bytes[3] = (ms >>> 16) & 0xff;
  bytes[4] = (ms >>> 8) & 0xff;
  bytes[5] = ms & 0xff;
  bytes[6] = 0x70 | ((seq >>> 8) & 0x0f);
  bytes[7] = seq & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  let hex = '';
  for (const b of bytes) hex += HEX[b];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
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
