import type { Page } from '@playwright/test';
import { E2E } from './support/env.ts';
import {
  bundlePage,
  configuredSnippet,
  expect,
  findCardScript,
  page$,
  type Scenario,
  seedScenario,
  test,
} from './support/fixtures.ts';

const STRICT_CSP = () =>
  `default-src 'self'; style-src 'self'; script-src 'self'; connect-src ${E2E.api}; img-src 'self'; object-src 'none'; base-uri 'none'`;

const card = (page: Page) => page.locator('.c');
const violations = (page: Page) => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);

test.use({ contextOptions: { reducedMotion: 'reduce' } });

test('script tag: calls queued through the snippet before the bundle loads are replayed', async ({ page, events }) => {
  const s = await seedScenario();
  // Hold the bundle back until the page has queued its calls, so the replay is what shows the offer.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route('**/dist/tandem.min.js', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(
    page$({
      html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dashboard</title>
<script>${configuredSnippet(s)}</script></head><body><main><h1>Ledger</h1><div id="slot"></div></main>
<script>window.__errors = []; tandem.on('error', function (e) { window.__errors.push(e.message); });
tandem.mount(document.getElementById('slot'), { placement: ${JSON.stringify(s.placement)} });</script></body></html>`,
    }),
    { waitUntil: 'domcontentloaded' },
  );
  // Before the bundle: the snippet's pre-load queue holds the calls, nothing is rendered or requested.
  const queued = await page.evaluate(() => (window as unknown as { tandem: { q: [string][] } }).tandem.q.map((c) => c[0]));
  expect(queued).toEqual(['on', 'mount']);
  expect(await page.evaluate(findCardScript)).toBeNull();
  const decide = page.waitForRequest(`${E2E.api}/v1/decide`);
  release();
  // The bundle inits from the snippet's data attributes, then replays the queued calls.
  const req = await decide;
  expect(req.postDataJSON()).toMatchObject({ accountId: s.accountId, placements: [s.placement] });
  await expect(card(page).locator('h2')).toHaveText('Try Insights free for 14 days');
  expect(await page.evaluate(() => typeof (window as unknown as { tandem: { q?: unknown } }).tandem.q)).toBe('undefined');
  expect(await page.evaluate(() => (window as unknown as { __errors: string[] }).__errors)).toEqual([]);
  expect(events.filter((e) => e.type === 'trial_start')).toHaveLength(0);
});

test('strict CSP (no unsafe-inline anywhere): offer shown, zero securitypolicyviolation events', async ({ page }) => {
  const s = await seedScenario({
    kind: 'bundle',
    bundle: { productIds: ['ledger', 'insights'], discountPercent: 20 },
    content: { headline: 'Ledger + Insights', body: 'Both, for less.', cta: 'Get the bundle' },
  });
  const consoleCsp: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) consoleCsp.push(m.text());
  });
  const res = await page.goto(bundlePage(s, { csp: STRICT_CSP() }));
  expect(res!.headers()['content-security-policy']).toContain("style-src 'self'");
  await expect(card(page).locator('h2')).toHaveText('Ledger + Insights');
  await expect(card(page).locator('s')).toHaveText('$78.00');
  await expect(card(page).locator('.sv')).toHaveText('Save 20%');
  // Styled: the adopted sheet applied (a CSP-blocked <style> would leave the CTA unstyled).
  const ctaBg = await card(page).locator('.cta').evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(ctaBg).toBe('rgb(67, 56, 202)');
  await page.waitForTimeout(300);
  expect(await violations(page)).toEqual([]);
  expect(consoleCsp).toEqual([]);
});

test('exposure below the fold is sent only after a continuous second in view, once', async ({ page, events }) => {
  const s = await seedScenario();
  await page.goto(bundlePage(s, { body: '<div id="spacer"></div><div id="slot"></div>', head: '' }));
  await page.addStyleTag({ content: '#spacer{height:3000px}' });
  await expect(card(page)).toHaveCount(1);
  await expect(card(page)).not.toBeInViewport();
  // Out of view long enough for any batch to be flushed: nothing sent.
  await page.waitForTimeout(2500);
  expect(events.filter((e) => e.type === 'exposure')).toHaveLength(0);
  // A glimpse shorter than a second does not count either.
  await card(page).scrollIntoViewIfNeeded();
  await page.waitForTimeout(400);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(2500);
  expect(events.filter((e) => e.type === 'exposure')).toHaveLength(0);
  // In view and left there: one exposure, stamped at least a second after it came into view.
  const inViewAt = await page.evaluate(() => Date.now());
  await card(page).scrollIntoViewIfNeeded();
  await expect.poll(() => events.filter((e) => e.type === 'exposure').length, { timeout: 15_000 }).toBe(1);
  const exposure = events.find((e) => e.type === 'exposure')!;
  expect(exposure).toMatchObject({ accountId: s.accountId, offerId: s.offerId });
  expect(Date.parse(exposure.at) - inViewAt).toBeGreaterThanOrEqual(1000);
  // Still in view: no second exposure for the same decision.
  await page.waitForTimeout(2500);
  expect(events.filter((e) => e.type === 'exposure')).toHaveLength(1);
});

test('keyboard only: Tab to the CTA, Enter, trial started and trial_start sent', async ({ page, events }) => {
  const s = await seedScenario();
  await page.goto(bundlePage(s, { body: '<button id="before">Settings</button><div id="slot"></div>', trialMs: 300 }));
  await expect(card(page).locator('.cta')).toBeVisible();
  await page.locator('#before').focus();
  const focusedClass = () =>
    page.evaluate(() => {
      let el = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      return el?.className ?? '';
    });
  for (let i = 0; i < 5 && (await focusedClass()) !== 'cta'; i++) await page.keyboard.press('Tab');
  expect(await focusedClass()).toBe('cta');
  // The focus ring is visible: a 2px outline in the accent colour.
  const ring = await card(page).locator('.cta').evaluate((el) => getComputedStyle(el).outline);
  expect(ring).toMatch(/2px/);
  await page.keyboard.press('Enter');
  await expect(card(page).locator('.cta')).toHaveText('Starting…');
  await expect(card(page).locator('.cta')).toHaveAttribute('aria-busy', 'true');
  await expect(card(page).getByRole('status')).toHaveText('Your trial has started');
  expect(await page.evaluate(() => (window as unknown as { __trials: string[] }).__trials)).toEqual([s.offerId]);
  await expect.poll(() => events.filter((e) => e.type === 'trial_start').length, { timeout: 15_000 }).toBe(1);
  expect(events.find((e) => e.type === 'trial_start')).toMatchObject({ accountId: s.accountId, offerId: s.offerId });
});

for (const display of ['inline', 'modal'] as const) {
  for (const scheme of ['light', 'dark'] as const) {
    test(`axe-core: no violations, ${display} offer, ${scheme} theme`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      const s = await seedScenario({
        display,
        kind: 'bundle',
        bundle: { productIds: ['ledger', 'insights'], discountPercent: 20 },
        content: { headline: 'Ledger + Insights', body: 'Both, for less.', cta: 'Get the bundle' },
      });
      // Modal follows the system scheme, inline is set explicitly: both theme paths are checked.
      await page.goto(bundlePage(s, { theme: display === 'modal' ? 'system' : scheme }));
      await expect(card(page).locator('h2')).toBeVisible();
      if (display === 'modal') await expect(page.getByRole('dialog', { name: 'Ledger + Insights' })).toBeVisible();
      const bg = await card(page).evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(bg).toBe(scheme === 'dark' ? 'rgb(17, 24, 39)' : 'rgb(255, 255, 255)');
      await page.addScriptTag({ url: '/vendor/axe.min.js' });
      const result = await page.evaluate(() =>
        (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<unknown> } }).axe.run(document, {
          resultTypes: ['violations', 'passes'],
        }),
      );
      const { violations: found, passes } = result as {
        violations: { id: string; help: string; nodes: { target: unknown; failureSummary: string }[] }[];
        passes: { id: string; nodes: { target: unknown[] }[] }[];
      };
      expect(found.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => [n.target, n.failureSummary]) }))).toEqual(
        [],
      );
      // axe really looked inside the shadow root: contrast passes include nodes addressed through it.
      const contrast = passes.find((p) => p.id === 'color-contrast');
      expect(contrast?.nodes.some((n) => Array.isArray(n.target[0]))).toBe(true);
    });
  }
}

test('modal: focus moves in, Tab stays inside, Escape dismisses and returns focus', async ({ page, events }) => {
  const s = await seedScenario({ display: 'modal' });
  // Hold decide back so the host's button has focus when the dialog opens.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route('**/v1/decide', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(bundlePage(s, { body: '<button id="before">Settings</button><div id="slot"></div>' }));
  await page.locator('#before').focus();
  release();
  const dialog = page.getByRole('dialog', { name: 'Try Insights free for 14 days' });
  await expect(dialog).toBeVisible();
  const focusInDialog = () =>
    page.evaluate(() => {
      let el = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      return Boolean(el?.closest('dialog'));
    });
  expect(await focusInDialog()).toBe(true);
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Tab');
    expect(await focusInDialog()).toBe(true);
  }
  await page.keyboard.press('Shift+Tab');
  expect(await focusInDialog()).toBe(true);
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('before');
  await expect.poll(() => events.filter((e) => e.type === 'dismiss').length, { timeout: 15_000 }).toBe(1);
});

async function widgetStyles(page: Page) {
  return page.evaluate(`(() => {
    const root = ${findCardScript};
    const props = ['display','color','background-color','font-family','font-size','font-weight','line-height','padding-top',
      'padding-left','border-top-width','border-top-color','border-top-left-radius','outline-style','visibility','opacity',
      'letter-spacing','text-transform','text-align'];
    const out = {};
    for (const sel of ['.c', 'h2', '.p s', '.p strong', '.cta', '.x']) {
      const el = root.querySelector(sel);
      const cs = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      out[sel] = { box: [Math.round(box.width), Math.round(box.height)], ...Object.fromEntries(props.map((p) => [p, cs.getPropertyValue(p)])) };
    }
    return out;
  })()`);
}

// The brief's sheet, plus inherited properties that only a reset inside the shadow root keeps out.
const HOSTILE =
  '* { all: unset; color: red !important; font-size: 40px !important } button { display: none !important }' +
  ' * { letter-spacing: 4px !important; text-transform: uppercase !important; text-align: right !important; line-height: 3 !important }';

test('a hostile host stylesheet does not change the widget', async ({ page }) => {
  const s: Scenario = await seedScenario({
    kind: 'bundle',
    bundle: { productIds: ['ledger', 'insights'], discountPercent: 20 },
    content: { headline: 'Ledger + Insights', body: 'Both, for less.', cta: 'Get the bundle' },
  });
  // #slot's own rule outranks `*`, so the widget gets the same width on both pages.
  const layout = '<style>#slot { display: block; width: 480px }</style>';
  await page.goto(bundlePage(s, { head: layout }));
  await expect(card(page).locator('.cta')).toBeVisible();
  const clean = await widgetStyles(page);
  await page.goto(bundlePage(s, { head: `${layout}<style>${HOSTILE}</style>` }));
  await expect(card(page).locator('.cta')).toBeVisible();
  expect(await widgetStyles(page)).toEqual(clean);
});

test('the widget does not change the host page’s styles', async ({ page }) => {
  const s = await seedScenario({ kind: 'trial' });
  const body = '<p id="probe">Host text</p><button id="btn">Host button</button><div id="slot"></div><h2 id="h">Host heading</h2>';
  const hostStyles = () =>
    page.evaluate(() => {
      const out: Record<string, Record<string, string>> = {};
      // The page grows by the widget's height: sizes derived from layout differ on html/body, nothing else may.
      const geometry = /^(height|block-size|width|inline-size|perspective-origin|transform-origin)$/;
      for (const el of [document.documentElement, document.body, ...document.querySelectorAll('#probe,#btn,#h')]) {
        const cs = getComputedStyle(el);
        const container = el === document.body || el === document.documentElement;
        out[el.id || el.tagName] = Object.fromEntries(
          [...cs].filter((p) => !(container && geometry.test(p))).map((p) => [p, cs.getPropertyValue(p)]),
        );
      }
      return out;
    });
  // Without the widget: the same page, but the SDK never mounts (no placement with an offer).
  await page.goto(bundlePage({ ...s, placement: 'nothing-here' }, { body }));
  await page.waitForTimeout(500);
  const without = await hostStyles();
  await page.goto(bundlePage(s, { body }));
  await expect(card(page).locator('h2')).toBeVisible();
  const withWidget = await hostStyles();
  expect(withWidget).toEqual(without);
});
