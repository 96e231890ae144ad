/**
 * The storage contract. Two implementations (store/sqlite, store/postgres) pass
 * one conformance suite (store/conformance.test.ts). Instants are epoch
 * milliseconds inside the server; ISO strings only on the wire.
 */
import type { Account, Arm, EventType, OfferDefinition } from '@tandem/core';

/** An event as stored: validated, with the server's decisions about time applied. */
export interface StoredEvent {
  id: string;
  type: EventType;
  accountId: string;
  userId: string | null;
  offerId: string | null;
  variant: string | null;
  decisionId: string | null;
  placement: string | null;
  /** Effective instant (client `at`, or server time when the browser clock was off by > 24 h). */
  at: number;
  receivedAt: number;
  source: 'browser' | 'backend' | 'stripe' | 'import';
  productId: string | null;
  arr: number | null;
  quantity: number | null;
}

export interface InsertEventsResult {
  /** Ids newly stored, in input order. */
  inserted: string[];
  /** Ids that were already stored (or repeated inside the batch). */
  duplicates: string[];
}

/**
 * Per-account measurement state, kept up to date on ingest so reports never
 * scan raw events. Exactly what the metrics module needs, whatever order the
 * events arrived in (back-dated imports included).
 */
export interface AccountFacts {
  id: string;
  activatedAt: number;
  arr: number;
  plan: string | null;
  region: string | null;
  channel: string | null;
  /** Earliest trial start: browser `trial_start` or backend `trial_started`. */
  trialAt: number | null;
  /** Instants of `paid` conversions, ascending. */
  paidAt: number[];
  /** Instants of `canceled` conversions, ascending. */
  canceledAt: number[];
  /** Product-two usage, ascending by instant. */
  usage: { at: number; quantity: number }[];
  offers: OfferFacts[];
}

/**
 * Per (account, offer) state: assignment and the first of each browser event.
 * Assignments are recorded only by decide (`recordAssignments`). Browser events
 * for an (account, offer) that decide never assigned (imports, a lost write)
 * still keep their facts here with `arm` and `assignedAt` null: such a row
 * counts for the exposed denominator, never for an arm (funnel, lift).
 */
export interface OfferFacts {
  offerId: string;
  /** null when no assignment was recorded for this (account, offer). */
  arm: Arm | null;
  /** The assignment's variant; without one, the variant of the earliest browser event that carried one. */
  variant: string | null;
  /** null when no assignment was recorded for this (account, offer). */
  assignedAt: number | null;
  exposedAt: number | null;
  clickedAt: number | null;
  dismissedAt: number | null;
}

export interface Assignment {
  accountId: string;
  offerId: string;
  arm: Arm;
  variant: string | null;
  assignedAt: number;
}

/** Recent browser history the rules engine needs for caps and cooldowns. */
export interface RecentHistory {
  exposures: { offerId: string; userId: string | null; at: number }[];
  dismissals: { offerId: string; userId: string | null; at: number }[];
}

/** Everything decide reads about one account (`Store.decisionState`). */
export interface DecisionState {
  /** Null for an unknown account (the rest is then empty). */
  account: Account | null;
  history: RecentHistory;
  assignments: Assignment[];
  attached: boolean;
}

export interface AuditEntry {
  id: number;
  offerId: string;
  actor: string;
  at: number;
  action: 'create' | 'update' | 'delete' | 'rollback' | 'publish' | 'unpublish';
  before: OfferDefinition | null;
  after: OfferDefinition | null;
}

export interface ApiKeyRecord {
  id: string;
  kind: 'publishable' | 'secret' | 'admin';
  /** SHA-256 hex of the key; the key itself is shown once at creation. */
  hash: string;
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
  label: string | null;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  close(): Promise<void>;

  // Accounts
  upsertAccounts(accounts: Account[], now: number): Promise<number>;
  getAccount(id: string): Promise<Account | null>;
  listAccountIds(opts: { limit: number; after?: string }): Promise<string[]>;

  // Events (browser, backend conversions, Stripe, imports), each id stored once,
  // account/offer facts updated in the same transaction.
  insertEvents(events: StoredEvent[]): Promise<InsertEventsResult>;
  countEvents(): Promise<number>;
  /** Exposures and dismissals (with an offer) of the account at or after `since`, oldest first. */
  recentHistory(accountId: string, since: number): Promise<RecentHistory>;
  /** Whether the account has product two at `now` (a trial started, or paid and not canceled since). */
  isAttached(accountId: string, now: number): Promise<boolean>;

  // Assignments: the first one recorded wins, forever.
  getAssignments(accountId: string): Promise<Assignment[]>;
  /** Inserts the ones not yet recorded; returns what is recorded afterwards for those offers. */
  recordAssignments(assignments: Assignment[]): Promise<Assignment[]>;
  /**
   * What decide reads, in one go (one round trip on PostgreSQL): the account,
   * `recentHistory(accountId, since)`, `getAssignments(accountId)` and
   * `isAttached(accountId, now)`. For an unknown account: `account` null, the rest empty.
   * The account and assignments may be shared with later calls (the SQLite store
   * keeps them for recently decided accounts): read-only. Writes by other processes
   * count from the next event-loop turn on (SQLite checks for them once a turn).
   */
  decisionState(accountId: string, since: number, now: number): Promise<DecisionState>;
  /**
   * The same answer without a promise when the store holds everything it needs in
   * memory right now (decide's hot path), else undefined (ask `decisionState`).
   */
  decisionStateNow?(accountId: string, since: number, now: number): DecisionState | undefined;

  // Measurement
  /**
   * Facts of every account activated at or before `activatedBefore` (accounts
   * known only from events are left out until they are upserted). Answered
   * from an in-memory copy refreshed with the rows changed since the last call,
   * so the objects are shared snapshots: read-only.
   */
  loadFacts(opts: { activatedBefore: number }): Promise<AccountFacts[]>;
  /**
   * Fills that in-memory copy ahead of the first report (the server calls it
   * in the background at start), in small steps that leave the event loop
   * free for requests. `loadFacts` calls made meanwhile wait for it, then
   * answer as usual. Resolves at once when the copy is already filled.
   */
  warmFacts(): Promise<void>;

  // Offers and their audit log
  listOffers(): Promise<OfferDefinition[]>;
  getOffer(id: string): Promise<OfferDefinition | null>;
  /**
   * Creates or replaces; bumps `version` (a re-created offer continues after its deleted
   * versions), sets `updatedAt`, writes one audit entry (before/after) in the same transaction.
   */
  saveOffer(offer: OfferDefinition, actor: string, action: AuditEntry['action'], now: number): Promise<OfferDefinition>;
  deleteOffer(id: string, actor: string, now: number): Promise<boolean>;
  listAudit(offerId: string): Promise<AuditEntry[]>;
  getAudit(id: number): Promise<AuditEntry | null>;

  // Stripe: each event applied once, also under concurrent delivery.
  /** True when this call claimed the id (first delivery). */
  claimStripeEvent(id: string, now: number): Promise<boolean>;

  // API keys made by `tandem keys`
  createKey(record: ApiKeyRecord): Promise<void>;
  listKeys(): Promise<ApiKeyRecord[]>;
  /** True when the key exists (now revoked; a second revocation keeps the first instant). */
  revokeKey(id: string, now: number): Promise<boolean>;
}
