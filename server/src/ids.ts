/** Deterministic ids for things that arrive with someone else's id. */
import { createHash } from 'node:crypto';
import { isUuid } from '@tandem/core';

/**
 * A UUID (version 8, RFC 9562) derived from a namespace and a name, so the
 * same outside id always maps to the same stored event id.
 * @example stableUuid('stripe', 'evt_123') // same answer every time
 */
export function stableUuid(namespace: string, name: string): string {
  const b = createHash('sha256').update(`${namespace}:${name}`, 'utf8').digest();
  b[6] = 0x80 | (b[6]! & 0x0f);
  b[8] = 0x80 | (b[8]! & 0x3f);
  const hex = b.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A vendor's conversion id as a stored event id: UUIDs as they are, anything else derived. */
export function conversionEventId(id: string): string {
  return isUuid(id) ? id.toLowerCase() : stableUuid('conversion', id);
}
