import type { AddressInfo } from 'node:net';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attachCsv, attachReport, liftReport } from '../metrics/index.ts';
import type { Assignment, StoredEvent } from '../store/types.ts';
import { openTestApp, SK, type TestApp, trialOffer } from '../testing/harness.ts';
import type { ReportData } from './report-data.ts';
import { registerReportCommand } from './report.ts';
import { storedEvent } from '../testing/events.ts';

const DAY = 86_400_000;
const AS_OF = Date.parse('2026-06-30T00:00:00Z');

function event(id: string, type: StoredEvent['type'], accountId: string, at: number, extra: Partial<StoredEvent> = {}): StoredEvent {
  return storedEvent(type, accountId, at, { ...extra, id: `00000000-0000-7000-8000-${id.padStart(12, '0')}` });
}

let t: TestApp;

/**
 * 2026-01 cohort: a1 (pro) paid on day 20, a2 (pro) paid on day 70, a3 (starter) never;
 * 2026-05 cohort: b1 (starter), 45 days old at asOf, paid on day 10.
 * Offer o_trial (holdout 0.2): a1, a2, b1 treatment; a3 control.
 * Offer o_split (holdout 0.2): 100 accounts split 50/50 — a sample-ratio mismatch.
 */
async function seed(): Promise<void> {
  const jan = Date.parse('2026-01-10T00:00:00Z');
  const may = AS_OF - 45 * DAY;
  const accounts = [
    { id: 'a1', activatedAt: new Date(jan).toISOString(), plan: 'pro', arr: 1000 },
    { id: 'a2', activatedAt: new Date(jan).toISOString(), plan: 'pro', arr: 3000 },
    { id: 'a3', activatedAt: new Date(jan).toISOString(), plan: 'starter', arr: 500 },
    { id: 'b1', activatedAt: new Date(may).toISOString(), plan: 'starter', arr: 700 },
  ];
  const split = Array.from({ length: 100 }, (_, i) => ({ id: `s${i}`, activatedAt: new Date(jan).toISOString(), plan: 'team', arr: 100 }));
  await t.store.upsertAccounts([...accounts, ...split], AS_OF);
  await t.store.saveOffer(trialOffer({ id: 'o_trial', holdout: 0.2 }), 'test', 'create', AS_OF);
  await t.store.saveOffer(trialOffer({ id: 'o_split', holdout: 0.2, placement: 'banner' }), 'test', 'create', AS_OF);
  const assign = (accountId: string, offerId: string, arm: Assignment['arm']): Assignment => ({
    accountId,
    offerId,
    arm,
    variant: null,
    assignedAt: jan + 5 * DAY,
  });
  await t.store.recordAssignments([
    assign('a1', 'o_trial', 'treatment'),
    assign('a2', 'o_trial', 'treatment'),
    assign('b1', 'o_trial', 'treatment'),
    assign('a3', 'o_trial', 'control'),
    ...split.map((a, i) => assign(a.id, 'o_split', i % 2 === 0 ? 'control' : 'treatment')),
  ]);
  await t.store.insertEvents([
    event('1', 'paid', 'a1', jan + 20 * DAY),
    event('2', 'paid', 'a2', jan + 70 * DAY),
    event('3', 'paid', 'b1', may + 10 * DAY),
    event('4', 'exposure', 'a1', jan + 6 * DAY, { offerId: 'o_trial', source: 'browser' }),
  ]);
}

async function run(args: string[], stdoutTty = false): Promise<{ out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command('tandem').exitOverride().configureOutput({ writeErr: (s) => err.push(s.trimEnd()), writeOut: (s) => out.push(s) });
  registerReportCommand(program, {
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
    config: () => t.config,
    stdoutTty,
    now: () => AS_OF,
  });
  await program.parseAsync(['node', 'tandem', 'report', ...args]);
  return { out, err };
}

beforeEach(async () => {
  t = await openTestApp({ now: () => AS_OF });
  await seed();
});

afterEach(async () => {
  await t.close();
});

describe('tandem report (store)', () => {
  it('prints the overall rate, the cohort grid, the breakdown, the bands and the lift per offer', async () => {
    const { out } = await run(['--by', 'plan']);
    const text = out.join('\n');
    // 3 of 104 accounts have paid by asOf.
    expect(text).toContain('Overall: 2.9%  (3 of 104 accounts attached)');
    expect(text).toContain('Benchmarks (');
    expect(text).toMatch(/first year after launch: median 20–25%, top quartile 35–40%/);
    // Grid: header with the day points, 2026-01 row (103 accounts: 1 of 103 by day 30, 2 by day 90),
    // 2026-05 row with 30d only (45 days old): 60d–120d are blank, not 0%; 180d+ has no old-enough account at all.
    const header = out.find((l) => /^\s+cohort\s+accounts\s+30d\s+60d\s+90d/.test(l));
    expect(header).toBeDefined();
    const jan = out.find((l) => l.trimStart().startsWith('2026-01'))!;
    expect(jan.trim().split(/\s{2,}/).slice(1, 5)).toEqual(['103', '1.0% (103)', '1.0% (103)', '1.9% (103)']);
    const may = out.find((l) => l.trimStart().startsWith('2026-05'))!;
    expect(may.trim().split(/\s{2,}/).slice(1)).toEqual(['1', '100.0% (1)', '·', '·', '·']);
    expect(out.find((l) => /^\s+pro\s/.test(l))!.trim().split(/\s+/)).toEqual(['pro', '2', '2', '100.0%']);
    const trial = out.find((l) => l.trimStart().startsWith('o_trial'))!;
    expect(trial).toContain('100.0% (3/3)');
    expect(trial).toContain('0.0% (0/1)');
    expect(trial).toContain('+100.0 pp');
    expect(text).not.toMatch(/SRM warning for o_trial/);
    expect(text).toMatch(/SRM warning for o_split: 50\.0% of assigned accounts are in control, 20\.0% expected/);
    expect(text).not.toContain('\u001b[');
  });

  it('colours the table only when stdout is a terminal', async () => {
    expect((await run([], true)).out.join('\n')).toContain('\u001b[1m');
    expect((await run(['--format', 'csv'], true)).out.join('\n')).not.toContain('\u001b[');
  });

  it('writes the same CSV as the API export and JSON with every figure', async () => {
    const facts = await t.store.loadFacts({ activatedBefore: AS_OF });
    const opts = { definition: 'trial' as const, denominator: 'all' as const, weight: 'arr' as const, asOf: AS_OF, by: 'region' as const };
    const csv = await run(['--format', 'csv', '--definition', 'trial', '--weight', 'arr', '--by', 'region']);
    expect(`${csv.out.join('\n')}\r\n`).toBe(attachCsv(attachReport(facts, opts)));

    const json = JSON.parse((await run(['--format', 'json', '--as-of', '2026-03-01T00:00:00Z', '--offer', 'o_trial', '--denominator', 'exposed'])).out.join('\n')) as ReportData;
    const asOf = Date.parse('2026-03-01T00:00:00Z');
    const early = await t.store.loadFacts({ activatedBefore: asOf });
    expect(json.attach).toEqual(attachReport(early, { definition: 'paid', denominator: 'exposed', weight: 'logo', asOf, offerId: 'o_trial' }));
    expect(json.attach.overall).toEqual({ attached: 1, base: 1, rate: 1 });
    expect(json.lift).toEqual([liftReport(early, { offerId: 'o_trial', definition: 'paid', asOf, holdout: 0.2 })]);
  });

  it('refuses bad options with the option and the received value', async () => {
    await expect(run(['--definition', 'bought'])).rejects.toThrow(/--definition.*bought.*Allowed choices are trial, paid, active/s);
    await expect(run(['--as-of', 'soon'])).rejects.toThrow(/must be an ISO 8601 instant .*got "soon"/);
  });
});

describe('tandem report --url', () => {
  it('gives the same figures through a running server as from the store', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const fromServer = await run(['--format', 'json', '--by', 'offer', '--url', url, '--key', SK]);
    const fromStore = await run(['--format', 'json', '--by', 'offer']);
    expect(JSON.parse(fromServer.out.join('\n'))).toEqual(JSON.parse(fromStore.out.join('\n')));
    await expect(run(['--url', url, '--key', 'sk_wrong_key_123'])).rejects.toThrow(/GET \/v1\/metrics\/attach answered 401/);
  });
});
