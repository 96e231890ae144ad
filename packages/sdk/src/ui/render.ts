import type { DecidedOffer } from '@tandem/core';
import { h, render } from 'preact';
import { OfferCard } from './offer-card.tsx';
import { CSS } from './styles.ts';

/** What the engine hands the UI for one offer. */
export interface RenderProps {
  offer: DecidedOffer;
  locale: string;
  theme: 'light' | 'dark' | 'system';
  /** Starts the trial (or follows the offer's URL); resolves on success, rejects on error. */
  onCta(): Promise<void>;
  onDismiss(): void;
  onClickTracked?(): void;
}

let sheet: CSSStyleSheet | undefined;

/**
 * Constructable stylesheets are CSSOM, so `style-src 'self'` without 'unsafe-inline'
 * allows them; the <style> fallback (old browsers) may be blocked by such a policy.
 */
function adoptStyles(root: ShadowRoot): void {
  try {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch {
    const style = root.ownerDocument.createElement('style');
    style.textContent = CSS;
    root.appendChild(style);
  }
}

/**
 * Renders one offer into a shadow root the engine created. Offer copy is rendered as text.
 * @example
 * const view = renderOffer(host.attachShadow({ mode: 'open' }), {
 *   offer, locale: 'en-US', theme: 'system', onCta: () => startTrial(offer), onDismiss: () => view.unmount(),
 * });
 */
export function renderOffer(root: ShadowRoot, props: RenderProps): { unmount(): void; element(): HTMLElement | null } {
  adoptStyles(root);
  const box = root.ownerDocument.createElement('div');
  const { display } = props.offer;
  box.className = `w ${display === 'modal' || display === 'banner' ? display : 'inline'}${
    props.theme === 'dark' ? ' dark' : props.theme === 'system' ? ' sys' : ''
  }`;
  box.lang = props.locale;
  root.appendChild(box);
  const cardRef: { current: HTMLElement | null } = { current: null };
  render(h(OfferCard, { p: props, cardRef }), box);
  return {
    unmount() {
      render(null, box);
      box.remove();
    },
    element: () => cardRef.current,
  };
}
