/**
 * The live preview: the SDK's own widget (renderOffer) in a shadow root, fed
 * with what decide would send for the draft.
 */
import type { OfferDefinition, Product } from '@tandem/core';
import { useEffect, useRef, useState } from 'preact/hooks';
import { renderOffer } from '../../../sdk/src/ui/render.ts';
import { toDecidedOffer } from './preview-offer.ts';

const LOCALES = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES', 'ja-JP', 'pt-BR'];
const CURRENCIES = ['', 'USD', 'EUR', 'GBP', 'JPY', 'BRL'];

export function PreviewPanel({ draft, products }: { draft: OfferDefinition; products: readonly Product[] }) {
  const [theme, setTheme] = useState<'light' | 'dark'>('light');
  const [locale, setLocale] = useState('en-US');
  const [currency, setCurrency] = useState('');
  const [variant, setVariant] = useState<string | null>(null);
  const host = useRef<HTMLDivElement>(null);
  const variantKeys = (draft.variants ?? []).map((v) => v.key).filter(Boolean);
  const activeVariant = variant && variantKeys.includes(variant) ? variant : null;
  const { offer, priceProblem } = toDecidedOffer(draft, products, { variant: activeVariant, currency });
  // A modal would take over the whole console: preview it as a card, in place.
  const shown = offer.display === 'modal' ? { ...offer, display: 'inline' as const } : offer;
  const key = JSON.stringify([shown, theme, locale]);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const root = el.shadowRoot ?? el.attachShadow({ mode: 'open' });
    const view = renderOffer(root, {
      offer: shown,
      locale,
      theme,
      onCta: () => new Promise((resolve) => setTimeout(resolve, 400)),
      onDismiss: () => undefined,
    });
    return () => view.unmount();
  }, [key]);

  return (
    <section class="panel" aria-labelledby="preview-h">
      <h2 id="preview-h">Preview</h2>
      <div class="preview-controls">
        <fieldset class="segmented">
          <legend>Theme</legend>
          {(['light', 'dark'] as const).map((t) => (
            <label key={t}>
              <input type="radio" name="preview-theme" value={t} checked={theme === t} onChange={() => setTheme(t)} />
              {t === 'light' ? 'Light' : 'Dark'}
            </label>
          ))}
        </fieldset>
        <div class="field inline">
          <label for="preview-locale">Locale</label>
          <select id="preview-locale" value={locale} onChange={(e) => setLocale((e.currentTarget as HTMLSelectElement).value)}>
            {LOCALES.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </div>
        {draft.kind !== 'trial' && (
          <div class="field inline">
            <label for="preview-currency">Currency</label>
            <select id="preview-currency" value={currency} onChange={(e) => setCurrency((e.currentTarget as HTMLSelectElement).value)}>
              {CURRENCIES.map((c) => (
                <option key={c} value={c}>
                  {c || 'Product’s own'}
                </option>
              ))}
            </select>
          </div>
        )}
        {variantKeys.length > 0 && (
          <div class="field inline">
            <label for="preview-variant">Variant</label>
            <select id="preview-variant" value={activeVariant ?? ''} onChange={(e) => setVariant((e.currentTarget as HTMLSelectElement).value || null)}>
              <option value="">Base offer</option>
              {variantKeys.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      <div class={`preview-stage ${theme}`} data-testid="preview">
        <div ref={host} class="preview-host" />
      </div>
      {offer.display === 'modal' && <p class="hint">Modal offers open as a dialog over the page; shown here as a card.</p>}
      {currency && <p class="hint">Amounts are shown in {currency} as entered, not converted.</p>}
      {priceProblem && <p class="hint warn">{priceProblem}</p>}
    </section>
  );
}
