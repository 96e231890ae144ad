/**
 * "Eligible now": the rules engine run over the stored accounts with the
 * draft as it is (saved or not), and the engine's reasoning for one account.
 */
import type { OfferDefinition } from '@tandem/core';
import { useEffect, useState } from 'preact/hooks';
import { call } from '../api/client.ts';
import type { EligibilityAnswer, ExplainAnswer } from '../api/types.ts';
import { api } from '../stores/session.ts';
import { count } from '../ui/format.ts';

const OUTCOME_TEXT: Record<ExplainAnswer['outcome'], string> = {
  shown: 'Would see this offer',
  control: 'Eligible, held out as control (sees nothing)',
  excluded: 'Excluded',
  outranked: 'Eligible, but a higher-priority offer in this placement wins',
  unknown_account: 'No account with this id',
};

export function EligibilityPanel({ offer, valid }: { offer: OfferDefinition; valid: boolean }) {
  const [answer, setAnswer] = useState<EligibilityAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [accountId, setAccountId] = useState('');
  const [explained, setExplained] = useState<ExplainAnswer | null>(null);
  const [explainError, setExplainError] = useState<string | null>(null);
  const body = JSON.stringify(offer);

  useEffect(() => {
    if (!valid) return;
    let stale = false;
    const timer = setTimeout(async () => {
      setBusy(true);
      try {
        const a = await call(() => api().post('v1/console/eligibility', { json: { offer } }).json<EligibilityAnswer>());
        if (!stale) {
          setAnswer(a);
          setError(null);
        }
      } catch (err) {
        if (!stale) setError((err as Error).message);
      } finally {
        if (!stale) setBusy(false);
      }
    }, 500);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [body, valid]);

  const explain = async (id: string) => {
    setAccountId(id);
    setExplainError(null);
    if (!id.trim()) {
      setExplainError('Enter an account id');
      return;
    }
    try {
      setExplained(await call(() => api().post('v1/console/explain', { json: { offer, accountId: id.trim() } }).json<ExplainAnswer>()));
    } catch (err) {
      setExplained(null);
      setExplainError((err as Error).message);
    }
  };

  return (
    <section class="panel" aria-labelledby="elig-h">
      <h2 id="elig-h">Eligible now</h2>
      <div aria-live="polite" aria-busy={busy ? 'true' : 'false'}>
        {!valid ? (
          <p class="hint">Fix the fields marked in the form to count eligible accounts.</p>
        ) : error ? (
          <p class="err">{error}</p>
        ) : answer ? (
          <>
            <p class="big" data-testid="eligible-count">
              <strong>{count(answer.eligible)}</strong> of {count(answer.total)}
              {answer.truncated ? '+' : ''} accounts match the rules
            </p>
            <p class="hint" data-testid="eligible-split">
              {count(answer.shown)} would see it now · {count(answer.control)} held out as control
              {answer.outranked > 0 ? ` · ${count(answer.outranked)} outranked by a higher-priority offer` : ''}
              {answer.capped > 0 ? ` · ${count(answer.capped)} paused by caps or a dismiss` : ''}
            </p>
          </>
        ) : (
          <p class="hint">Counting…</p>
        )}
      </div>
      {answer && answer.sample.length > 0 && (
        <>
          <h3>Sample</h3>
          <ul class="chips">
            {answer.sample.map((id) => (
              <li key={id}>
                <button type="button" class="chip" onClick={() => void explain(id)} aria-label={`Explain account ${id}`}>
                  {id}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      <form
        class="explain"
        onSubmit={(e) => {
          e.preventDefault();
          void explain(accountId);
        }}
      >
        <div class="field">
          <label for="explain-account">Why is an account in or out?</label>
          <span class="row">
            <input
              id="explain-account"
              value={accountId}
              placeholder="account id"
              aria-describedby={explainError ? 'explain-err' : undefined}
              onInput={(e) => setAccountId((e.currentTarget as HTMLInputElement).value)}
            />
            <button type="submit" class="button" disabled={!valid}>
              Explain
            </button>
          </span>
          {explainError && (
            <span class="err" id="explain-err">
              {explainError}
            </span>
          )}
        </div>
      </form>
      {explained && (
        <div class={`explained ${explained.outcome}`} role="status" data-testid="explain-result">
          <p>
            <strong>{explained.accountId}</strong>: {OUTCOME_TEXT[explained.outcome]}
            {explained.rule && (
              <>
                {' '}
                by rule <code>{explained.rule}</code>
              </>
            )}
          </p>
          {explained.reason && <p class="hint">{explained.reason}</p>}
          {explained.checks.length > 0 && (
            <ul class="checks">
              {explained.checks.map((c) => (
                <li key={c.rule} class={c.pass ? 'pass' : 'fail'}>
                  <span aria-hidden="true">{c.pass ? '✓' : '✗'}</span>
                  <span class="sr-only">{c.pass ? 'passes' : 'fails'}</span> <code>{c.rule}</code> {c.reason}
                </li>
              ))}
            </ul>
          )}
          {explained.others.length > 0 && (
            <details>
              <summary>Other offers in “{offer.placement}”</summary>
              <ul>
                {explained.others.map((d) => (
                  <li key={d.offerId}>
                    {d.offerId} (priority {d.priority}): {d.outcome}
                    {d.rule ? ` (${d.rule})` : ''}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
    </section>
  );
}
