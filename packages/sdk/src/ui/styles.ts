/*
 * The widget's only stylesheet, adopted by each shadow root. Colours are chosen for
 * WCAG 2.2 AA in both themes: text ≥ 4.5:1 on its background, focus ring and accent ≥ 3:1.
 * Hosts theme it through the documented `--tandem-*` custom properties, which (unlike
 * every other property) inherit through `all: initial`.
 */
const DARK =
  '--a:var(--tandem-accent,#a5b4fc);--af:var(--tandem-accent-fg,#111827);--b:var(--tandem-bg,#111827);' +
  '--f:var(--tandem-fg,#f9fafb);--m:var(--tandem-muted,#d1d5db);--l:var(--tandem-border,#4b5563);--ok:#86efac;--er:#fca5a5';

export const CSS =
  // Important declarations of the shadow tree beat the page's, even `* { all: unset !important }`.
  ':host{all:initial!important;display:block!important}:host([hidden]){display:none!important}' +
  '.w{all:initial;display:block;--a:var(--tandem-accent,#4338ca);--af:var(--tandem-accent-fg,#fff);' +
  '--b:var(--tandem-bg,#fff);--f:var(--tandem-fg,#111827);--m:var(--tandem-muted,#4b5563);--l:var(--tandem-border,#d1d5db);' +
  '--ok:#166534;--er:#b91c1c;color:var(--f);' +
  'font:400 15px/1.5 var(--tandem-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif)}' +
  `.dark{${DARK}}@media(prefers-color-scheme:dark){.sys{${DARK}}}` +
  '.c{box-sizing:border-box;margin:0;padding:16px;padding-inline-end:48px;background:var(--b);color:var(--f);font:inherit;' +
  'border:1px solid var(--l);border-radius:var(--tandem-radius,12px);max-width:100%}' +
  'section{position:relative}' +
  '.banner .c{border-radius:0;border-width:1px 0;display:flex;flex-wrap:wrap;align-items:center;gap:4px 16px;padding-block:10px}' +
  '.banner .c>*{margin:0}' +
  'dialog.c{margin:auto;width:min(440px,calc(100vw - 32px));max-height:calc(100vh - 32px);overflow:auto;box-shadow:0 12px 40px #0006}' +
  'dialog.c:focus{outline:0}dialog::backdrop{background:#0008}' +
  'h2{margin:0 0 4px;font-size:18px;line-height:1.3;font-weight:700;color:var(--f)}' +
  'p{margin:0 0 12px}.m{color:var(--m);font-size:14px}.p strong{font-size:20px;margin-inline-end:4px}.p s{color:var(--m);margin-inline-end:8px}' +
  '.sv{display:inline-block;margin-inline-start:8px;padding:0 6px;border-radius:4px;background:var(--a);color:var(--af);font-size:14px;font-weight:600}' +
  'button{all:initial;box-sizing:border-box;font:inherit;cursor:pointer;min-width:24px;min-height:24px;text-align:center}' +
  '.cta{background:var(--a);color:var(--af);border-radius:8px;padding:8px 16px;min-height:40px;font-weight:600}' +
  '.cta[aria-disabled=true]{cursor:progress}' +
  '.x{position:absolute;top:8px;inset-inline-end:8px;width:32px;height:32px;border-radius:6px;color:var(--m);font-size:22px;line-height:1}' +
  '.x:hover{background:var(--l);color:var(--f)}' +
  ':focus-visible{outline:2px solid var(--a);outline-offset:2px}' +
  '.st{font-weight:600;color:var(--ok)}.st:empty{position:absolute}.er{color:var(--er)}' +
  '.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}' +
  '@media(prefers-reduced-motion:no-preference){.c{animation:tandem-in .2s ease-out}}' +
  '@keyframes tandem-in{from{opacity:0;transform:translateY(6px)}}';
