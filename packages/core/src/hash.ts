/**
 * FNV-1a 32-bit hash of a string's UTF-8 bytes.
 * @example fnv1a32('o1:acct-1') // 2088334428
 */
export function fnv1a32(input: string): number {
  const bytes = new TextEncoder().encode(input);
  let hash = 0x811c9dc5;
  for (const byte of bytes) {
    hash ^= byte;
    // 32-bit multiply by the FNV prime without losing precision.
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export type Arm = 'treatment' | 'control';

/** Default share of eligible accounts kept in the control arm. */
export const DEFAULT_HOLDOUT = 0.2;

/**
 * The bucket (0–9999) an account falls in for an offer.
 * @example assignmentBucket('o1', 'acct-1') // 4428
 */
export function assignmentBucket(offerId: string, accountId: string): number {
  return fnv1a32(`${offerId}:${accountId}`) % 10000;
}

/**
 * Deterministic holdout assignment shared by SDK, server and docs.
 * @example assignArm('x', '', 0.5) // 'control'
 */
export function assignArm(offerId: string, accountId: string, holdout: number = DEFAULT_HOLDOUT): Arm {
  return assignmentBucket(offerId, accountId) < Math.round(holdout * 10000) ? 'control' : 'treatment';
}
