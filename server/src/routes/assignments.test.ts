/** POST /v1/assignments: back-dated holdout assignments for imported history. */
import { assignArm } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, endAdminPool, openTestApp, PK, SK, STORE_KINDS, type TestApp, trialOffer } from '../testing/harness.ts';

describe.each(STORE_KINDS)('POST /v1/assignments (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp({ kind });
    const created = await t.app.inject({ method: 'POST', url: '/v1/offers', headers: bearer(SK), payload: trialOffer({ id: 'hist', holdout: 0.5 }) });
    expect(created.statusCode).toBe(201);
  });
  afterAll(async () => {
    await t.close();
    await endAdminPool();
  });

  it('records the hashed arm at the given instant, first one wins', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `hist_acct_${i}`);
    const at = '2025-06-01T00:00:00.000Z';
    const payload = { assignments: ids.map((accountId) => ({ accountId, offerId: 'hist', at })) };
    const res = await t.app.inject({ method: 'POST', url: '/v1/assignments', headers: bearer(SK), payload });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ recorded: 40, existing: 0, rejected: [] });
    for (const accountId of ids) {
      const [a] = await t.store.getAssignments(accountId);
      expect(a).toMatchObject({ offerId: 'hist', arm: assignArm('hist', accountId, 0.5), assignedAt: Date.parse(at) });
    }
    // Both arms occur with a 50 % holdout, so the arm really comes from the hash.
    expect(new Set(ids.map((id) => assignArm('hist', id, 0.5))).size).toBe(2);

    const later = { assignments: [{ accountId: ids[0], offerId: 'hist', at: '2025-07-01T00:00:00Z' }] };
    const again = await t.app.inject({ method: 'POST', url: '/v1/assignments', headers: bearer(SK), payload: later });
    expect(again.json()).toEqual({ recorded: 0, existing: 1, rejected: [] });
    expect((await t.store.getAssignments(ids[0]!))[0]!.assignedAt).toBe(Date.parse(at));
  });

  it('refuses unknown offers per row and keeps the good rows', async () => {
    const payload = {
      assignments: [
        { accountId: 'hist_x', offerId: 'nope', at: '2025-06-01T00:00:00Z' },
        { accountId: 'hist_y', offerId: 'hist', at: '2025-06-01T00:00:00Z' },
      ],
    };
    const res = await t.app.inject({ method: 'POST', url: '/v1/assignments', headers: bearer(SK), payload });
    expect(res.statusCode).toBe(202);
    expect(res.json().recorded).toBe(1);
    expect(res.json().rejected).toEqual([{ index: 0, code: 'not_found', message: 'assignments/0/offerId "nope" is not a stored offer' }]);
  });

  it('is for the secret key only and validates the body', async () => {
    const body = { assignments: [{ accountId: 'a', offerId: 'hist', at: '2025-06-01T00:00:00Z' }] };
    expect((await t.app.inject({ method: 'POST', url: '/v1/assignments', headers: bearer(PK), payload: body })).statusCode).toBe(403);
    const bad = await t.app.inject({ method: 'POST', url: '/v1/assignments', headers: bearer(SK), payload: { assignments: [{ accountId: 'a', offerId: 'hist', at: 'yesterday' }] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('assignments/0/at');
  });
});
