import type { DecidedOffer } from '@tandem/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type RenderProps, renderOffer } from './render.ts';

const flush = () => new Promise((r) => setTimeout(r, 0));

function offer(over: Partial<DecidedOffer> = {}): DecidedOffer {
  return {
    offerId: 'o1',
    placement: 'dashboard',
    kind: 'bundle',
    display: 'inline',
    variant: null,
    content: { headline: 'Add Insights', body: 'See where the money goes.', cta: 'Get the bundle' },
    productId: 'insights',
    productName: 'Insights',
    quote: { currency: 'USD', interval: 'month', referencePrice: 78, price: 62.4, savingPercent: 20 },
    action: { type: 'callback' },
    ...over,
  };
}

function setup(over: Partial<RenderProps> = {}, o: Partial<DecidedOffer> = {}) {
  const host = document.createElement('div');
  document.body.appendChild(host);
  const root = host.attachShadow({ mode: 'open' });
  const props: RenderProps = {
    offer: offer(o),
    locale: 'en-US',
    theme: 'light',
    onCta: vi.fn(() => Promise.resolve()),
    onDismiss: vi.fn(),
    onClickTracked: vi.fn(),
    ...over,
  };
  const view = renderOffer(root, props);
  const $ = <E extends Element = HTMLElement>(sel: string) => root.querySelector<E>(sel);
  return { host, root, props, view, $ };
}

const cta = (root: ShadowRoot) => root.querySelector<HTMLButtonElement>('button.cta');

afterEach(() => {
  document.body.innerHTML = '';
});

describe('renderOffer', () => {
  it('renders offer copy as text, never as HTML', () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    const { root, $ } = setup({}, { content: { headline: evil, body: `<b>${evil}</b>`, cta: '<i>go</i>' } });
    expect(root.querySelector('img,b,i')).toBeNull();
    expect($('h2')!.textContent).toBe(evil);
    expect(cta(root)!.textContent).toBe('<i>go</i>');
  });

  it('strikes through the list-price reference with an accessible "was" and shows the saving', () => {
    const { $ } = setup();
    const s = $('.p s')!;
    expect(s.textContent).toBe('$78.00');
    expect(s.previousElementSibling!.textContent).toBe('was ');
    expect($('.p strong')!.textContent).toBe('$62.40');
    expect($('.p')!.textContent).toContain('per month');
    expect($('.sv')!.textContent).toBe('Save 20%');
  });

  it('prices in the offer currency for the user locale (de-DE EUR yearly, ja-JP JPY)', () => {
    const eur = setup(
      { locale: 'de-DE' },
      { quote: { currency: 'EUR', interval: 'year', referencePrice: 1000, price: 800, savingPercent: 20 } },
    );
    expect(eur.$('.p s')!.textContent!.replace(/\s/g, ' ')).toBe('1.000,00 €');
    expect(eur.$('.p')!.textContent).toContain('per year');
    const jpy = setup(
      { locale: 'ja-JP' },
      { quote: { currency: 'JPY', interval: 'month', referencePrice: 8000, price: 6400, savingPercent: 20 } },
    );
    expect(jpy.$('.p strong')!.textContent).toMatch(/^[¥￥]6,400$/);
  });

  it('shows no struck-through reference or saving when there is no discount', () => {
    const { $ } = setup({}, { quote: { currency: 'USD', interval: 'month', referencePrice: 29, price: 29, savingPercent: 0 } });
    expect($('s')).toBeNull();
    expect($('.sv')).toBeNull();
  });

  it('names the trial length for a trial offer', () => {
    const { $ } = setup({}, { kind: 'trial', trialDays: 14, quote: undefined });
    expect($('.m')!.textContent).toBe('Insights · 14-day free trial');
    expect($('.p')).toBeNull();
  });

  it('styles through an adopted constructable stylesheet and sets no style attribute', () => {
    const { root } = setup({ theme: 'dark' }, { display: 'banner' });
    expect(root.adoptedStyleSheets).toHaveLength(1);
    expect(root.querySelector('style,[style]')).toBeNull();
    expect(root.querySelector('.w')!.className).toBe('w banner dark');
  });

  it('CTA: idle → pending (busy, not re-entrant) → success in a live region', async () => {
    let resolve!: () => void;
    const onCta = vi.fn(() => new Promise<void>((r) => (resolve = r)));
    const { root, props, $ } = setup({ onCta }, { kind: 'trial', trialDays: 14 });
    cta(root)!.click();
    await flush();
    const b = cta(root)!;
    expect(b.textContent).toBe('Starting…');
    expect(b.getAttribute('aria-busy')).toBe('true');
    expect(b.getAttribute('aria-disabled')).toBe('true');
    b.click();
    expect(onCta).toHaveBeenCalledTimes(1);
    expect(props.onClickTracked).toHaveBeenCalledTimes(1);
    resolve();
    await flush();
    expect($('[role=status]')!.textContent).toBe('Your trial has started');
    expect(cta(root)).toBeNull();
  });

  it('CTA: a rejected promise shows an alert and lets the user retry', async () => {
    const onCta = vi.fn().mockRejectedValueOnce(new Error('nope')).mockResolvedValueOnce(undefined);
    const { root, $ } = setup({ onCta });
    cta(root)!.click();
    await flush();
    expect($('[role=alert]')!.textContent).toMatch(/went wrong/);
    expect(cta(root)!.textContent).toBe('Try again');
    expect(cta(root)!.hasAttribute('aria-disabled')).toBe(false);
    cta(root)!.click();
    await flush();
    expect(onCta).toHaveBeenCalledTimes(2);
    expect($('[role=alert]')).toBeNull();
    expect($('[role=status]')!.textContent).toBe("You're all set");
  });

  it('dismiss button has an accessible name, calls onDismiss once and removes the offer', async () => {
    const { root, props } = setup({}, { content: { headline: 'h', body: 'b', cta: 'c', dismissLabel: 'Not now' } });
    const x = root.querySelector<HTMLButtonElement>('button.x')!;
    expect(x.getAttribute('aria-label')).toBe('Not now');
    x.click();
    await flush();
    expect(props.onDismiss).toHaveBeenCalledTimes(1);
    expect(root.querySelector('.c')).toBeNull();
  });

  it('falls back to a <style> element where constructable stylesheets are missing', async () => {
    vi.resetModules();
    vi.stubGlobal('CSSStyleSheet', undefined);
    try {
      const fresh = await import('./render.ts');
      const root = document.body.appendChild(document.createElement('div')).attachShadow({ mode: 'open' });
      fresh.renderOffer(root, { offer: offer(), locale: 'en-US', theme: 'light', onCta: () => Promise.resolve(), onDismiss() {} });
      expect(root.adoptedStyleSheets).toHaveLength(0);
      expect(root.querySelector('style')!.textContent).toContain(':host{all:initial!important');
      expect(root.querySelector('h2')!.textContent).toBe('Add Insights');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('unmount removes everything it rendered', () => {
    const { root, view } = setup();
    expect(view.element()!.tagName).toBe('SECTION');
    view.unmount();
    expect(root.querySelector('.w')).toBeNull();
  });
});

describe('modal', () => {
  function modal() {
    const opener = document.createElement('button');
    document.body.appendChild(opener);
    opener.focus();
    const s = setup({}, { display: 'modal' });
    return { opener, ...s, dialog: s.view.element() as HTMLDialogElement };
  }
  const key = (el: Element, k: string, shiftKey = false) =>
    el.dispatchEvent(new KeyboardEvent('keydown', { key: k, shiftKey, bubbles: true, cancelable: true, composed: true }));

  it('is an open modal dialog labelled by its headline', () => {
    const { dialog, root } = modal();
    expect(dialog.tagName).toBe('DIALOG');
    expect(dialog.open).toBe(true);
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(root.getElementById(dialog.getAttribute('aria-labelledby')!)!.textContent).toBe('Add Insights');
    expect(root.activeElement).toBe(dialog);
  });

  it('Escape dismisses it and returns focus to the element focused before', async () => {
    const { dialog, props, opener, root } = modal();
    key(dialog, 'Escape');
    await flush();
    expect(props.onDismiss).toHaveBeenCalledTimes(1);
    expect(dialog.open).toBe(false);
    expect(root.querySelector('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('traps Tab and Shift+Tab inside the dialog', () => {
    const { root, dialog } = modal();
    const buttons = [...root.querySelectorAll<HTMLButtonElement>('dialog button')];
    const first = buttons[0]!;
    const last = buttons[buttons.length - 1]!;
    last.focus();
    key(last, 'Tab');
    expect(root.activeElement).toBe(first);
    key(first, 'Tab', true);
    expect(root.activeElement).toBe(last);
    // From the dialog itself (focused on open) Shift+Tab wraps to the last control too.
    dialog.focus();
    key(dialog, 'Tab', true);
    expect(root.activeElement).toBe(last);
  });
});
