/**
 * Wire types shared by the SDK and the server. The server's request schemas
 * (TypeBox, in server/src/schemas) must describe exactly these shapes.
 */
import type { Arm } from './hash.ts';
import type { BillingInterval, PriceQuote } from './pricing.ts';

export type OfferKind = 'trial' | 'bundle' | 'upgrade';
/** How the widget lays an offer out on the host page. */
export type OfferDisplay = 'inline' | 'modal' | 'banner';
export type CapScope = 'user' | 'account';

/** Plain-text copy; never HTML. */
export interface OfferContent {
  headline: string;
  body: string;
  cta: string;
  /** Label of the dismiss control; the widget has a default. */
  dismissLabel?: string;
}

/** What happens when the end user presses the call to action. */
export type OfferAction =
  /** The host's `onStartTrial(offer)` provisions it; falls back to `url` when no callback is set. */
  | { type: 'callback'; url?: string }
  /** Navigate to a URL (product two's sign-up, checkout…). */
  | { type: 'url'; url: string };

/** An offer as decide returns it to the widget: everything needed to render it. */
export interface DecidedOffer {
  offerId: string;
  placement: string;
  kind: OfferKind;
  display: OfferDisplay;
  variant: string | null;
  content: OfferContent;
  productId: string;
  productName: string;
  /** Trial length in days (kind `trial`). */
  trialDays?: number;
  /** Bundle / upgrade pricing with the list-price reference. */
  quote?: PriceQuote;
  action: OfferAction;
}

export interface DecideRequest {
  accountId: string;
  /** Short-lived JWT minted by the vendor's backend (HS256; sub = accountId). */
  identity?: string;
  userId?: string;
  /** One or more placements on the page, decided in one request. */
  placements: string[];
  /** Browser-sent attributes; signed identity claims override them. */
  attributes?: Record<string, unknown>;
  /** Publishable key, for transports that cannot set headers. */
  key?: string;
  debug?: boolean;
}

export interface DecideResponse {
  decisionId: string;
  /** At most one per placement; empty for control accounts or when nothing fits. */
  offers: DecidedOffer[];
  /** Server time of the decision (ISO 8601). */
  decidedAt: string;
  /** Present with the secret key and `debug: true`: why each offer was left out. */
  debug?: DecideDebug[];
}

export interface DecideDebug {
  offerId: string;
  placement: string;
  outcome: 'shown' | 'excluded' | 'control' | 'outranked';
  /** The rule that excluded the account, e.g. `activationWindow`. */
  rule?: string;
  reason?: string;
}

export type BrowserEventType = 'exposure' | 'click' | 'dismiss' | 'trial_start';
export type ConversionType = 'trial_started' | 'paid' | 'canceled' | 'usage';
export type EventType = BrowserEventType | ConversionType;

export const BROWSER_EVENT_TYPES: readonly BrowserEventType[] = ['exposure', 'click', 'dismiss', 'trial_start'];
export const CONVERSION_TYPES: readonly ConversionType[] = ['trial_started', 'paid', 'canceled', 'usage'];

/** One event on the wire. `id` is a client-made UUIDv7, stored once. */
export interface TandemEvent {
  id: string;
  type: EventType;
  accountId: string;
  identity?: string;
  userId?: string;
  offerId?: string;
  variant?: string | null;
  decisionId?: string;
  placement?: string;
  /** ISO 8601 instant the event happened (client clock). */
  at: string;
  productId?: string;
  arr?: number;
  quantity?: number;
}

export interface EventsRequest {
  events: TandemEvent[];
  key?: string;
}

export interface EventRejection {
  index: number;
  id?: string;
  code: string;
  message: string;
}

export interface EventsResponse {
  accepted: number;
  duplicates: number;
  rejected: EventRejection[];
}

export interface Conversion {
  id: string;
  accountId: string;
  type: ConversionType;
  productId?: string;
  offerId?: string;
  arr?: number;
  quantity?: number;
  at: string;
}

export interface Account {
  id: string;
  /** First-product activation instant (ISO 8601). */
  activatedAt: string;
  plan?: string;
  /** Product-one ARR in `currency`. */
  arr?: number;
  currency?: string;
  coreValueAt?: string | null;
  renewalAt?: string | null;
  region?: string;
  /** `direct` or a partner's name. */
  channel?: string;
  pastDue?: boolean;
  salesOwned?: boolean;
  attributes?: Record<string, unknown>;
  /** Named feature usage counts in product one (readiness rules). */
  usage?: Record<string, number>;
}

export interface Product {
  id: string;
  name: string;
  listPrice: { amount: number; currency: string; interval: BillingInterval };
}

export interface FrequencyCap {
  /** Most exposures per scope within `days`. */
  maxExposures: number;
  days: number;
  scope: CapScope;
}

export interface DismissCooldown {
  days: number;
  scope: CapScope;
}

/** Targeting rules; every one set must hold. */
export interface OfferRules {
  /** Days since activation, inclusive. Default 60–120. */
  activationDays?: { min?: number; max?: number };
  /** Skip accounts whose `coreValueAt` is known and not yet reached (default true). */
  requireCoreValue?: boolean;
  plans?: string[];
  arr?: { min?: number; max?: number };
  regions?: string[];
  channels?: string[];
  /** Readiness: usage thresholds on named product-one features, all must hold. */
  readiness?: { feature: string; min: number }[];
  /** Days until renewal at least N (accounts without `renewalAt` pass). */
  minDaysToRenewal?: number;
  /** Default true: past-due accounts are skipped. */
  excludePastDue?: boolean;
  /** Default true: accounts sales has taken over are skipped. */
  excludeSalesOwned?: boolean;
  /** Default true: accounts that already have product two are skipped. */
  excludeAttached?: boolean;
}

export interface OfferVariant {
  key: string;
  /** Relative weight among variants (default 1). */
  weight?: number;
  content?: Partial<OfferContent>;
  discountPercent?: number;
}

export type OfferStatus = 'draft' | 'published' | 'archived';

/** An offer as stored and edited through `/v1/offers` and the console. */
export interface OfferDefinition {
  id: string;
  name: string;
  status: OfferStatus;
  kind: OfferKind;
  placement: string;
  display: OfferDisplay;
  /** Higher wins within a placement. */
  priority: number;
  productId: string;
  content: OfferContent;
  trialDays?: number;
  /** Bundle / upgrade: the included products and the discount on their list-price sum. */
  bundle?: { productIds: string[]; discountPercent: number };
  action: OfferAction;
  variants?: OfferVariant[];
  /** Share of eligible accounts held out as control (default 0.2). */
  holdout: number;
  caps?: { exposures?: FrequencyCap; dismiss?: DismissCooldown };
  rules: OfferRules;
  schedule?: { startAt?: string | null; endAt?: string | null };
  updatedAt?: string;
  version?: number;
}

export type { Arm };

/** The error body every endpoint answers with. */
export interface ErrorBody {
  error: { code: string; message: string };
}
