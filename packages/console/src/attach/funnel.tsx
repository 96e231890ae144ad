/** The funnel of one offer's treatment accounts, as bars with step conversion. */
import type { FunnelAnswer } from '../api/types.ts';
import { count, pct } from '../ui/format.ts';

const STAGE_TEXT: Record<string, string> = {
  assigned: 'Assigned',
  exposed: 'Saw the offer',
  clicked: 'Clicked',
  trial: 'Started a trial',
  paid: 'Paid',
  active: 'Active',
};

export function Funnel({ funnel }: { funnel: FunnelAnswer }) {
  const top = funnel.stages[0]?.accounts ?? 0;
  return (
    <ol class="funnel" data-testid="funnel">
      {funnel.stages.map((s, i) => {
        const prev = i > 0 ? funnel.stages[i - 1]!.accounts : null;
        const width = top > 0 ? (s.accounts / top) * 100 : 0;
        return (
          <li key={s.stage}>
            <span class="stage">{STAGE_TEXT[s.stage] ?? s.stage}</span>
            <span class="bar-track" aria-hidden="true">
              <span class="bar-fill" style={{ width: `${Math.max(width, s.accounts > 0 ? 0.5 : 0)}%` }} />
            </span>
            <span class="num">
              <span data-testid="stage-count">{count(s.accounts)}</span>
              <span class="sub">{prev === null ? '' : prev > 0 ? `${pct(s.accounts / prev)} of previous` : '—'}</span>
            </span>
          </li>
        );
      })}
    </ol>
  );
}
