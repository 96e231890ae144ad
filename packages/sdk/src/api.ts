import * as engine from './engine.ts';
import type { Identity, InitOptions } from './options.ts';
import { defineElement } from './view.ts';

/**
 * Starts Tandem on the page: validates the options (throwing a `TandemOptionError` naming the
 * option on misuse), defines `<tandem-offer>` and decides every placement on the page in one request.
 * @example
 * init({ publishableKey: 'pk_live_…', apiUrl: 'https://tandem.example.com', accountId: 'acc_42',
 *   identity: jwtFromYourBackend, onStartTrial: (offer) => api.startTrial(offer.productId) })
 */
export function init(options: InitOptions): void {
  engine.start(options);
  defineElement();
}

/**
 * Switches account or user (single-page apps) or refreshes the identity token; decides again.
 * @example identify({ accountId: 'acc_43', identity: newJwt, userId: 'u_7' })
 */
export function identify(identity: Identity): void {
  engine.identify(identity);
}

/**
 * Removes everything Tandem added: rendered offers, timers, listeners and `on()` handlers.
 * Queued events stay persisted and are sent by the next page that runs Tandem.
 * @example destroy()
 */
export function destroy(): void {
  engine.destroy();
}

export { on } from './emitter.ts';
export { mount } from './view.ts';
