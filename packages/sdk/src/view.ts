import type { DecidedOffer } from '@tandem/core';
import { actions, register, settings, teardowns, unregister } from './engine.ts';
import { logOnce } from './log.ts';
import { fail, text } from './options.ts';
import { $offers } from './stores/index.ts';
import type { renderOffer } from './ui/render.ts';
import { watchViewable } from './viewability/exposure.ts';

type Ui = { renderOffer: typeof renderOffer };
// Preact and the offer UI load only when there is an offer to show.
let loadUi = (): Promise<Ui> => import('./ui/render.ts');

/** Test hook: replace the lazily loaded UI module. */
export function setUiLoader(loader: () => Promise<Ui>): void {
  loadUi = loader;
}

export const TAG = 'tandem-offer';

/**
 * Shows `placement`'s offer in an open shadow root on `host` for as long as it is attached.
 * Returns the (idempotent) detach function; `destroy()` runs it too.
 */
export function attach(host: HTMLElement, placement: string, onDetach?: () => void): () => void {
  let view: ReturnType<typeof renderOffer> | undefined;
  let stopWatching: (() => void) | undefined;
  let shown: DecidedOffer | null | undefined;
  let token = 0;
  let attached = true;
  const clear = () => {
    stopWatching?.();
    view?.unmount();
    view = stopWatching = undefined;
  };
  const show = async (offer: DecidedOffer | null) => {
    const mine = ++token;
    clear();
    const o = settings();
    if (!offer || !o) return;
    try {
      const ui = await loadUi();
      if (mine !== token) return;
      const act = actions(placement, offer);
      view = ui.renderOffer(host.shadowRoot ?? host.attachShadow({ mode: 'open' }), {
        offer,
        locale: o.locale,
        theme: o.theme,
        onCta: act.cta,
        onDismiss: act.dismiss,
      });
      const box = view.element();
      if (box) stopWatching = watchViewable(box, act.seen);
    } catch (error) {
      logOnce('render_failed', `could not show the offer for placement "${placement}"`, error);
    }
  };
  register(placement);
  const unsubscribe = $offers.subscribe((offers) => {
    const offer = offers[placement] ?? null;
    if (offer === shown) return;
    shown = offer;
    void show(offer);
  });
  const detach = () => {
    if (!attached) return;
    attached = false;
    token++;
    clear();
    unsubscribe();
    unregister(placement);
    teardowns.delete(detach);
    onDetach?.();
  };
  teardowns.add(detach);
  return detach;
}

/**
 * Shows the offer for `placement` inside `element` (in its own shadow root); returns `unmount`.
 * @example
 * const unmount = mount(document.querySelector('#upsell'), { placement: 'dashboard-sidebar' })
 */
export function mount(element: HTMLElement, options: { placement: string }): () => void {
  if (typeof HTMLElement === 'undefined' || !(element instanceof HTMLElement)) fail('mount', 'called with an HTMLElement', element);
  const placement = text('placement', options?.placement);
  const host = element.ownerDocument.createElement('div');
  host.dataset.tandemPlacement = placement;
  element.appendChild(host);
  return attach(host, placement, () => host.remove());
}

/**
 * Defines `<tandem-offer placement="…">` once; elements already on the page (re)attach, so
 * `destroy()` then `init()` brings them back.
 */
export function defineElement(): void {
  if (typeof customElements === 'undefined') return;
  if (customElements.get(TAG)) {
    for (const el of document.querySelectorAll<HTMLElement & { _sync?(): void }>(TAG)) el._sync?.();
    return;
  }
  customElements.define(
    TAG,
    class extends HTMLElement {
      static observedAttributes = ['placement'];
      _detach: (() => void) | undefined;
      connectedCallback() {
        this._sync();
      }
      disconnectedCallback() {
        this._detach?.();
        this._detach = undefined;
      }
      attributeChangedCallback() {
        if (this._detach) this._sync();
      }
      _sync() {
        this._detach?.();
        const placement = this.getAttribute('placement');
        this._detach = placement ? attach(this, placement) : undefined;
        if (!placement) logOnce('no_placement', '<tandem-offer> needs a placement attribute; showing nothing');
      }
    },
  );
}
