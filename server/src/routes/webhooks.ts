/**
 * POST /v1/webhooks/stripe — signature checked by the official library on the
 * raw body; each Stripe event applied once, also when delivered twice at once.
 */
import Stripe from 'stripe';
import type { App, AppContext } from '../context.ts';
import { HttpError, notFound } from '../errors.ts';
import { errorResponses } from '../schemas/common.ts';
import { type StripeEventLike, stripeConversion } from '../stripe/convert.ts';

// Only the webhook helpers are used; no request ever goes to Stripe.
const stripe = new Stripe('sk_unused_offline', { telemetry: false });

function signatureTime(header: string): number | null {
  const m = /(?:^|,)\s*t=(\d+)/.exec(header);
  return m ? Number(m[1]) : null;
}

export function webhookRoutes(app: App, ctx: AppContext): void {
  // In this scope only: keep the exact bytes Stripe signed.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.post(
    '/v1/webhooks/stripe',
    {
      config: { access: 'stripe' },
      schema: {
        tags: ['webhooks'],
        summary: 'Stripe events (subscriptions and invoices) turned into conversions',
        description:
          'Signed with the endpoint secret (`Stripe-Signature`). The account is read from `tandem_account_id` metadata on the subscription, an expanded customer or the invoice (subscription details).',
        response: errorResponses(400, 404),
      },
    },
    async (req) => {
      const secret = ctx.config.stripe.webhookSecret;
      if (!secret) throw notFound('Stripe webhooks are not configured (set `stripe.webhookSecret` or STRIPE_WEBHOOK_SECRET)');
      const header = req.headers['stripe-signature'];
      if (typeof header !== 'string' || header === '')
        throw new HttpError(400, 'invalid_signature', 'the Stripe-Signature header is missing');
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const now = ctx.now();
      const tolerance = ctx.config.stripe.toleranceSeconds;
      const t = signatureTime(header);
      if (t !== null && t * 1000 > now + tolerance * 1000)
        throw new HttpError(400, 'invalid_signature', `Stripe-Signature timestamp ${t} is in the future (tolerance ${tolerance} s)`);
      let event: StripeEventLike;
      try {
        event = stripe.webhooks.constructEvent(raw, header, secret, tolerance, undefined, now) as unknown as StripeEventLike;
      } catch (err) {
        if (err instanceof SyntaxError) throw new HttpError(400, 'invalid_json', 'the signed body is not valid JSON');
        const message = (err as Error).message.split('\n')[0] ?? 'signature check failed';
        throw new HttpError(400, 'invalid_signature', `Stripe signature rejected: ${message}`);
      }
      if (typeof event?.id !== 'string' || typeof event.type !== 'string')
        throw new HttpError(400, 'invalid_request', 'body must be a Stripe event with `id` and `type`');

      const outcome = stripeConversion(event, ctx.config.products, now);
      if (!outcome.applied) {
        req.log.info({ stripeEvent: event.id, reason: outcome.reason }, 'stripe event ignored');
        return { received: true, applied: false, reason: outcome.reason };
      }
      // Insert first (idempotent by the derived id), then record the claim:
      // a crash in between leaves a redelivery that is still applied once.
      const result = await ctx.store.insertEvents([outcome.event]);
      const first = await ctx.store.claimStripeEvent(event.id, now);
      const duplicate = !first || result.inserted.length === 0;
      ctx.metrics.countEvents(duplicate ? 'duplicate' : 'accepted', 1);
      return { received: true, applied: !duplicate, duplicate, type: outcome.event.type, accountId: outcome.event.accountId };
    },
  );
}
