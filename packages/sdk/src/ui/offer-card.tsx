import type { DecidedOffer } from '@tandem/core';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { formatPrice } from './format.ts';
import type { RenderProps } from './render.ts';

type CtaState = 'idle' | 'pending' | 'done' | 'error';

let ids = 0;

/** The focused element, looking through open shadow roots (the host page may use them too). */
function deepActive(doc: Document): HTMLElement | null {
  let el = doc.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el as HTMLElement | null;
}

function Price({ offer, locale }: { offer: DecidedOffer; locale: string }) {
  const q = offer.quote;
  if (!q) return null;
  const fmt = (n: number) => formatPrice(n, q.currency, locale);
  return (
    <p class="p">
      {q.referencePrice > q.price && (
        <>
          <span class="sr">was </span>
          <s>{fmt(q.referencePrice)}</s>
          <span class="sr">now </span>
        </>
      )}
      <strong>{fmt(q.price)}</strong>
      <span class="m">{q.interval === 'year' ? 'per year' : 'per month'}</span>
      {q.savingPercent > 0 && <span class="sv">Save {q.savingPercent}%</span>}
    </p>
  );
}

/** One offer: inline card, banner bar or modal dialog, with the call to action's states. */
export function OfferCard({ p, cardRef }: { p: RenderProps; cardRef: { current: HTMLElement | null } }) {
  const { offer } = p;
  const modal = offer.display === 'modal';
  const [state, setState] = useState<CtaState>('idle');
  const [gone, setGone] = useState(false);
  const [hid] = useState(() => `tandem-h${++ids}`);
  const busy = useRef(false);
  const cta = useRef<HTMLButtonElement>(null);
  const status = useRef<HTMLParagraphElement>(null);

  const dismiss = () => {
    if (gone) return;
    setGone(true);
    p.onDismiss();
  };

  const start = () => {
    if (busy.current) return;
    busy.current = true;
    p.onClickTracked?.();
    setState('pending');
    p.onCta().then(
      () => {
        // The button disappears on success: move focus to the message rather than lose it.
        if (cta.current && deepActive(cta.current.ownerDocument) === cta.current) {
          setTimeout(() => status.current?.focus());
        }
        setState('done');
      },
      () => {
        busy.current = false;
        setState('error');
      },
    );
  };

  // Layout effect: the dialog opens in the same task as renderOffer, before the first paint.
  useLayoutEffect(() => {
    const d = cardRef.current;
    if (!modal || gone || !d) return;
    const back = deepActive(d.ownerDocument);
    const dialog = d as HTMLDialogElement;
    try {
      dialog.showModal();
    } catch {
      dialog.setAttribute('open', '');
    }
    d.focus();
    return () => {
      if (dialog.open) dialog.close();
      if (back?.isConnected) back.focus();
    };
  }, [gone]);

  if (gone) return null;

  const onKeyDown = (e: KeyboardEvent) => {
    const d = cardRef.current!;
    if (e.key === 'Escape') {
      e.preventDefault();
      dismiss();
    } else if (e.key === 'Tab') {
      // showModal() makes the page inert, but Tab would still leave for the browser's UI: wrap it.
      const f = d.querySelectorAll<HTMLElement>('button,a[href]');
      const first = f[0];
      const last = f[f.length - 1];
      const active = (d.getRootNode() as ShadowRoot).activeElement;
      if (e.shiftKey ? active === first || active === d : active === last) {
        e.preventDefault();
        (e.shiftKey ? last : first)?.focus();
      }
    }
  };

  const Tag = modal ? 'dialog' : 'section';
  const done = state === 'done';
  return (
    <Tag
      class="c"
      ref={(el: HTMLElement | null) => {
        cardRef.current = el;
      }}
      aria-labelledby={hid}
      {...(modal && {
        'aria-modal': 'true',
        tabIndex: -1,
        onKeyDown,
        onCancel: (e: Event) => {
          e.preventDefault();
          dismiss();
        },
      })}
    >
      <p class="m">
        {offer.productName}
        {offer.kind === 'trial' && offer.trialDays ? ` · ${offer.trialDays}-day free trial` : ''}
      </p>
      <h2 id={hid}>{offer.content.headline}</h2>
      <p>{offer.content.body}</p>
      <Price offer={offer} locale={p.locale} />
      {state === 'error' && (
        <p class="st er" role="alert">
          Something went wrong. Please try again.
        </p>
      )}
      <p class="st" role="status" tabIndex={-1} ref={status}>
        {done ? (offer.kind === 'trial' ? 'Your trial has started' : "You're all set") : ''}
      </p>
      {!done && (
        <button
          ref={cta}
          type="button"
          class="cta"
          onClick={start}
          aria-busy={state === 'pending' ? 'true' : undefined}
          // aria-disabled rather than disabled: a disabled button drops keyboard focus mid-action.
          aria-disabled={state === 'pending' ? 'true' : undefined}
        >
          {state === 'pending' ? 'Starting…' : state === 'error' ? 'Try again' : offer.content.cta}
        </button>
      )}
      <button type="button" class="x" aria-label={offer.content.dismissLabel || 'Dismiss'} onClick={dismiss}>
        ×
      </button>
    </Tag>
  );
}
