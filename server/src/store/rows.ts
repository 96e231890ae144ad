/**
 * Row ↔ object mapping both stores share. Rows come back with instants as
 * numbers (the PostgreSQL store parses BIGINT to number) and the same column
 * order, so one mapper serves both.
 */
import type { Account, Arm, OfferDefinition } from '@tandem/core';
import { parseInstant } from './facts.ts';
import type { ApiKeyRecord, Assignment, AuditEntry } from './types.ts';

/** The columns of `account_state` an account upsert sets. */
export interface AccountDims {
  id: string;
  data: string;
  activatedAt: number;
  arr: number;
  plan: string | null;
  region: string | null;
  channel: string | null;
}

/** Validates and flattens accounts; a later copy of the same id in one batch wins. Sorted by id. */
export function accountDims(accounts: readonly Account[]): AccountDims[] {
  const byId = new Map<string, AccountDims>();
  accounts.forEach((a, i) => {
    if (typeof a.id !== 'string' || a.id === '') {
      throw new TypeError(`accounts[${i}].id must be a non-empty string, got ${JSON.stringify(a.id)}`);
    }
    byId.set(a.id, {
      id: a.id,
      data: JSON.stringify(a),
      activatedAt: parseInstant(a.activatedAt, `accounts[${i}].activatedAt`),
      arr: typeof a.arr === 'number' && Number.isFinite(a.arr) ? a.arr : 0,
      plan: a.plan ?? null,
      region: a.region ?? null,
      channel: a.channel ?? null,
    });
  });
  return [...byId.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

export interface AssignmentRow {
  account_id: string;
  offer_id: string;
  arm: Arm;
  variant: string | null;
  assigned_at: number;
}

export const assignmentFromRow = (r: AssignmentRow): Assignment => ({
  accountId: r.account_id,
  offerId: r.offer_id,
  arm: r.arm,
  variant: r.variant,
  assignedAt: r.assigned_at,
});

/** First copy of each (account, offer) wins inside one call; sorted for lock order. */
export function uniqueAssignments(assignments: readonly Assignment[]): Assignment[] {
  const byKey = new Map<string, Assignment>();
  for (const a of assignments) {
    const key = `${a.accountId}\u0000${a.offerId}`;
    if (!byKey.has(key)) byKey.set(key, a);
  }
  return [...byKey.values()].sort((x, y) =>
    x.accountId < y.accountId
      ? -1
      : x.accountId > y.accountId
        ? 1
        : x.offerId < y.offerId
          ? -1
          : x.offerId > y.offerId
            ? 1
            : 0,
  );
}

export interface AuditRow {
  id: number;
  offer_id: string;
  actor: string;
  at: number;
  action: AuditEntry['action'];
  before: string | null;
  after: string | null;
}

export const auditFromRow = (r: AuditRow): AuditEntry => ({
  id: r.id,
  offerId: r.offer_id,
  actor: r.actor,
  at: r.at,
  action: r.action,
  before: r.before === null ? null : (JSON.parse(r.before) as OfferDefinition),
  after: r.after === null ? null : (JSON.parse(r.after) as OfferDefinition),
});

export interface KeyRow {
  id: string;
  kind: ApiKeyRecord['kind'];
  hash: string;
  prefix: string;
  created_at: number;
  revoked_at: number | null;
  label: string | null;
}

export const keyFromRow = (r: KeyRow): ApiKeyRecord => ({
  id: r.id,
  kind: r.kind,
  hash: r.hash,
  prefix: r.prefix,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  label: r.label,
});

/** The offer as stored: the caller's definition with the new version and instant. */
export function versionedOffer(offer: OfferDefinition, version: number, now: number): OfferDefinition {
  return { ...offer, version, updatedAt: new Date(now).toISOString() };
}

/** Splits an event batch into first copies and repeats (input order kept). */
export function splitRepeats<T extends { id: string }>(events: readonly T[]): { unique: T[]; repeats: Set<number> } {
  const seen = new Set<string>();
  const unique: T[] = [];
  const repeats = new Set<number>();
  events.forEach((e, i) => {
    if (seen.has(e.id)) repeats.add(i);
    else {
      seen.add(e.id);
      unique.push(e);
    }
  });
  return { unique, repeats };
}
