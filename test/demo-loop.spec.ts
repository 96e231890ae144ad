/**
 * The whole loop, end to end, on the demo: the real Tandem server (seeded with
 * the demo history), the demo vendor backend and Ledger's dashboard loading the
 * built SDK by script tag.
 */
import { join } from 'node:path';
import { expect, type Page, type Response, test } from '@playwright/test';
import { assignArm, type DecideResponse, type TandemEvent } from '@tandem/core';
import { demoAccount } from '../demo/accounts.ts';
import { SECRET_KEY } from '../demo/config.ts';
import { HOLDOUT, TRIAL_OFFER_ID } from '../demo/offers.ts';
import { type DemoStack, startDemoStack } from './demo-fixture.ts';

interface Attach {
  overall: { attached: number; base: number; rate: number };
}
interface Funnel {
  stages: { stage: string; accounts: number }[];
}
interface Lift {
  treatment: { assigned: number; attached: number };
  control: { assigned: number; attached: number };
}

let stack: DemoStack;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  stack = await startDemoStack({ accounts: 3000 });
});
test.afterAll(async () => {
  await stack?.stop();
});
test.use({ contextOptions: { reducedMotion: 'reduce' } });

const attached = async (definition: 'trial' | 'paid') =>
  (await stack.get<Attach>(`/v1/metrics/attach?definition=${definition}&denominator=all&weight=logo`)).overall.attached;
const stage = async (name: string) => {
  const funnel = await stack.get<Funnel>(`/v1/metrics/funnel?offerId=${TRIAL_OFFER_ID}`);
  const found = funnel.stages.find((s) => s.stage === name);
  if (!found) throw new Error(`funnel has no stage "${name}": ${JSON.stringify(funnel.stages)}`);
  return found.accounts;
};
const lift = () => stack.get<Lift>(`/v1/metrics/lift?offerId=${TRIAL_OFFER_ID}&definition=trial`);

/** Browser events the page posts to Tandem, in order. */
function watchEvents(page: Page): TandemEvent[] {
  const seen: TandemEvent[] = [];
  page.on('request', (req) => {
    if (req.method() !== 'POST' || !req.url().startsWith(`${stack.apiUrl}/v1/events`)) return;
    try {
      seen.push(...((JSON.parse(req.postData() ?? '{}') as { events?: TandemEvent[] }).events ?? []));
    } catch {
      // not an events batch
    }
  });
  return seen;
}

/** Opens the dashboard as `accountId` and answers what decide returned for it. */
async function openAs(page: Page, accountId: string): Promise<DecideResponse> {
  const decided = page.waitForResponse((r: Response) => r.url() === `${stack.apiUrl}/v1/decide` && r.request().method() === 'POST');
  await page.goto(`${stack.demoUrl}/?account=${encodeURIComponent(accountId)}`);
  const res = await decided;
  expect(res.status()).toBe(200);
  return (await res.json()) as DecideResponse;
}

const card = (page: Page) => page.getByTestId('offer-slot').locator('.c');
const banner = (page: Page) => page.getByTestId('banner-slot').locator('.c');

test('demo loop: offer in the window, viewable exposure, trial, Stripe payment, metrics; holdout, too early and attached see nothing', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const day65 = demoAccount('day65');
  const holdout = demoAccount('day100-holdout');
  expect(assignArm(TRIAL_OFFER_ID, holdout.id, HOLDOUT)).toBe('control');
  expect(assignArm(TRIAL_OFFER_ID, day65.id, HOLDOUT)).toBe('treatment');

  // Too early, and already attached: decide offers nothing and nothing renders.
  for (const moment of ['day10', 'attached'] as const) {
    const decision = await openAs(page, demoAccount(moment).id);
    expect(decision.offers, `${moment} account`).toEqual([]);
    await expect(page.getByTestId('story')).toContainText(demoAccount(moment).story);
    await expect(card(page)).toHaveCount(0);
    await expect(banner(page)).toHaveCount(0);
  }

  // The holdout account: nothing shown, but assigned to control, so the lift counts it.
  const controlBefore = (await lift()).control.assigned;
  const holdoutDecision = await openAs(page, holdout.id);
  expect(holdoutDecision.offers).toEqual([]);
  await expect(card(page)).toHaveCount(0);
  await expect.poll(async () => (await lift()).control.assigned).toBe(controlBefore + 1);

  // Day 65: the trial card. A short window keeps it below the fold at first.
  const exposedBefore = await stage('exposed');
  const trialsBefore = await attached('trial');
  const trialStageBefore = await stage('trial');
  const paidBefore = await attached('paid');
  const paidStageBefore = await stage('paid');
  const events = watchEvents(page);
  await page.setViewportSize({ width: 1280, height: 260 });
  const decision = await openAs(page, day65.id);
  expect(decision.offers.map((o) => o.offerId)).toEqual([TRIAL_OFFER_ID]);
  await expect(card(page).locator('h2')).toHaveText('See where your cash is going next quarter');
  await expect(card(page)).not.toBeInViewport();
  await page.waitForTimeout(2500);
  expect(events.filter((e) => e.type === 'exposure')).toHaveLength(0);
  expect(await stage('exposed')).toBe(exposedBefore);

  // In view for a second: one exposure, stamped at least a second after it came into view.
  const inViewAt = await page.evaluate(() => Date.now());
  await page.setViewportSize({ width: 1280, height: 900 });
  await card(page).scrollIntoViewIfNeeded();
  await expect(card(page)).toBeInViewport({ ratio: 0.5 });
  await expect.poll(() => events.filter((e) => e.type === 'exposure').length, { timeout: 15_000 }).toBe(1);
  const exposure = events.find((e) => e.type === 'exposure')!;
  expect(exposure).toMatchObject({ accountId: day65.id, offerId: TRIAL_OFFER_ID });
  expect(Date.parse(exposure.at) - inViewAt).toBeGreaterThanOrEqual(1000);
  await expect.poll(() => stage('exposed'), { timeout: 15_000 }).toBe(exposedBefore + 1);

  // Start the trial: our backend provisions it and reports trial_started; the widget sends trial_start.
  const provisioned = page.waitForResponse((r) => r.url() === `${stack.demoUrl}/api/trials`);
  await card(page).locator('.cta').click();
  expect((await provisioned).status()).toBe(201);
  expect(stack.demo.trials.map((t) => [t.accountId, t.offerId])).toEqual([[day65.id, TRIAL_OFFER_ID]]);
  await expect(page.locator('#insights-status')).toContainText('Insights trial active');
  await expect.poll(() => events.filter((e) => e.type === 'trial_start').length, { timeout: 15_000 }).toBe(1);
  expect(events.find((e) => e.type === 'trial_start')).toMatchObject({ accountId: day65.id, offerId: TRIAL_OFFER_ID });
  await expect.poll(() => attached('trial'), { timeout: 15_000 }).toBe(trialsBefore + 1);
  await expect.poll(() => stage('trial'), { timeout: 15_000 }).toBe(trialStageBefore + 1);

  // The billing action: a signed Stripe webhook records the paid conversion.
  await page.getByTestId('subscribe-insights').click();
  await expect(page.locator('#billing-result')).toContainText('invoice.paid → 200');
  await expect(page.locator('#billing-result')).toContainText('customer.subscription.created → 200');
  await expect.poll(() => attached('paid'), { timeout: 15_000 }).toBe(paidBefore + 1);
  await expect.poll(() => stage('paid'), { timeout: 15_000 }).toBe(paidStageBefore + 1);

  // Now attached: the same account is offered nothing any more.
  const after = await openAs(page, day65.id);
  expect(after.offers).toEqual([]);
  await expect(card(page)).toHaveCount(0);
});

test('the console over the demo history: curves, funnel and a positive lift for the trial offer', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${stack.apiUrl}/console`);
  await page.getByLabel('Secret key or admin token').fill(SECRET_KEY);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Attach' }).click();
  await expect(page.getByRole('heading', { name: 'Attach', level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Cohort curves' })).toBeVisible();
  await expect(page.locator('canvas').first()).toBeVisible();
  // The seeded treatment arm attaches more than control: the lift shown is positive.
  const trialLift = await stack.get<Lift>(`/v1/metrics/lift?offerId=${TRIAL_OFFER_ID}&definition=paid`);
  expect(trialLift.treatment.attached / trialLift.treatment.assigned).toBeGreaterThan(trialLift.control.attached / Math.max(1, trialLift.control.assigned));
  await expect(page.getByText(/\+\d+(\.\d)? pp/).first()).toBeVisible();
  await page.screenshot({ path: join(import.meta.dirname, 'screenshots', 'console-attach-demo.png'), fullPage: true });
});
