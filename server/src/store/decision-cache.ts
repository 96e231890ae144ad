/**
 * decide's reads of an account besides its history (the account, its recorded
 * assignments, its trial and payment instants), kept by both stores for
 * recently decided accounts. A store drops an account's entry whenever a write
 * names it (its own at commit, other processes' or servers' as it follows
 * them), so every answer is the tables' answer.
 */
import type { Account } from '@tandem/core';
import { isAttachedAt, unpackNumbers } from './facts.ts';
import type { Assignment, DecisionState, RecentHistory } from './types.ts';

export interface DecisionEntry {
  account: Account;
  assignments: Assignment[];
  attachedFacts: { trialAt: number | null; paidAt: number[]; canceledAt: number[] };
}

/** A recorded assignment as both stores read it: [offerId, arm, variant, assignedAt], by offer id. */
export type AssignmentTuple = [string, Assignment['arm'], string | null, number];
/** An account's attach columns: [trial_at, paid, canceled], the lists packed (facts.ts). */
export type AttachTuple = [number | null, string | null, string | null];

/** The entry from the stored account's JSON and its parts (no account: null). */
export function decisionEntry(
  accountId: string,
  accountJson: string | null,
  assignments: readonly AssignmentTuple[] | null,
  attach: AttachTuple | null,
): DecisionEntry | null {
  if (accountJson === null) return null;
  return {
    account: JSON.parse(accountJson) as Account,
    assignments: (assignments ?? []).map(([offerId, arm, variant, assignedAt]): Assignment => ({ accountId, offerId, arm, variant, assignedAt })),
    attachedFacts: { trialAt: attach?.[0] ?? null, paidAt: unpackNumbers(attach?.[1]), canceledAt: unpackNumbers(attach?.[2]) },
  };
}

/**
 * What decide reads, from an entry and the account's history (asked only for a known account).
 * @example decisionStateOf(entry, accountId, since, now, (id, s) => history.get(id, s))
 */
export function decisionStateOf(
  entry: DecisionEntry | null,
  accountId: string,
  since: number,
  now: number,
  historyOf: (accountId: string, since: number) => RecentHistory,
): DecisionState {
  if (entry === null) return { account: null, history: { exposures: [], dismissals: [] }, assignments: [], attached: false };
  return {
    account: entry.account,
    history: historyOf(accountId, since),
    assignments: entry.assignments,
    attached: isAttachedAt(entry.attachedFacts, now),
  };
}

/** Entries by account id (null: no such account), the oldest dropped first beyond `max`. */
export class DecisionCache {
  private readonly entries = new Map<string, DecisionEntry | null>();

  constructor(private readonly max = 50_000) {}

  get(accountId: string): DecisionEntry | null | undefined {
    return this.entries.get(accountId);
  }

  set(accountId: string, entry: DecisionEntry | null): void {
    if (!this.entries.has(accountId) && this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(accountId, entry);
  }

  delete(accountId: string): void {
    this.entries.delete(accountId);
  }

  clear(): void {
    this.entries.clear();
  }
}
