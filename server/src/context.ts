/** What every route plugin receives: the normalized config and shared services. */
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { IdentityVerifier } from './auth/identity.ts';
import type { KeyRing, Principal } from './auth/keys.ts';
import type { Config } from './config.ts';
import type { ServerMetrics } from './observability/prometheus.ts';
import type { OfferCache } from './offer-cache.ts';
import type { Store } from './store/types.ts';

export interface AppContext {
  config: Config;
  store: Store;
  keys: KeyRing;
  identity: IdentityVerifier;
  offers: OfferCache;
  metrics: ServerMetrics;
  /** The server clock (injectable for tests). */
  now: () => number;
}

/** Who may call a route: `public` (no key), `publishable` (any key), `secret` (secret or admin key), `stripe` (signature). */
export type Access = 'public' | 'publishable' | 'secret' | 'stripe';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** The route refuses items holding a NUL character one by one (event batches), not the whole body. */
    nulPerItem?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** The body's text held a `\u0000` escape (schemas/nul.ts). */
    mayHoldNul: boolean;
  }
}

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
