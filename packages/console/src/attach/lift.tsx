/**
 * Holdout lift per offer: arms, absolute and relative lift, the 95% interval
 * drawn on a shared axis around zero, the p-value, and a sample-ratio warning
 * when the observed split is implausible under the configured holdout.
 */
import type { LiftAnswer } from '../api/types.ts';
import { count, pct, points, pValue } from '../ui/format.ts';
import { TableWrap } from '../ui/table-wrap.tsx';

/** Below this SRM p-value the assignment itself is suspect (a common, conservative threshold). */
export const SRM_ALPHA = 0.001;

export interface LiftRow {
  offerId: string;
  name: string;
  lift: LiftAnswer | null;
  error: string | null;
}

function axis(rows: LiftRow[]): [number, number] {
  const ends = rows.flatMap((r) => (r.lift?.ci95 ? r.lift.ci95 : r.lift?.absoluteLift != null ? [r.lift.absoluteLift] : []));
  const span = Math.max(0.05, ...ends.map(Math.abs));
  const pad = span * 1.15;
  return [-pad, pad];
}

/** The CI strip of one offer: a line from low to high, a dot at the lift, the zero line. */
function Interval({ lift, domain }: { lift: LiftAnswer; domain: [number, number] }) {
  const W = 300;
  const x = (v: number) => ((v - domain[0]) / (domain[1] - domain[0])) * W;
  const ci = lift.ci95;
  const significant = ci !== null && (ci[0] > 0 || ci[1] < 0);
  return (
    <svg class="ci" viewBox={`0 0 ${W} 28`} preserveAspectRatio="none" role="img" aria-label={ciText(lift)}>
      <line x1={x(0)} x2={x(0)} y1={2} y2={26} class="zero" />
      {ci && <line x1={x(ci[0])} x2={x(ci[1])} y1={14} y2={14} class={significant ? 'bar sig' : 'bar'} />}
      {ci && <line x1={x(ci[0])} x2={x(ci[0])} y1={8} y2={20} class={significant ? 'bar sig' : 'bar'} />}
      {ci && <line x1={x(ci[1])} x2={x(ci[1])} y1={8} y2={20} class={significant ? 'bar sig' : 'bar'} />}
      {lift.absoluteLift !== null && <circle cx={x(lift.absoluteLift)} cy={14} r={5} class={significant ? 'dot sig' : 'dot'} />}
    </svg>
  );
}

function ciText(l: LiftAnswer): string {
  if (!l.ci95) return 'No interval: an arm has no accounts yet';
  return `Lift ${points(l.absoluteLift)}, 95% interval ${points(l.ci95[0])} to ${points(l.ci95[1])}`;
}

export function LiftTable({ rows }: { rows: LiftRow[] }) {
  const domain = axis(rows);
  return (
    <TableWrap label="Lift table">
      <table class="lift" data-testid="lift-table">
        <caption class="sr-only">Holdout lift per offer with 95% confidence intervals</caption>
        <thead>
          <tr>
            <th scope="col">Offer</th>
            <th scope="col" class="num">
              Treatment
            </th>
            <th scope="col" class="num">
              Control
            </th>
            <th scope="col" class="num">
              Lift
            </th>
            <th scope="col" class="ci-col">
              95% interval <span class="sub">({points(domain[0])} … {points(domain[1])})</span>
            </th>
            <th scope="col" class="num">
              p-value
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ offerId, name, lift, error }) => {
            if (!lift || lift.treatment.assigned + lift.control.assigned === 0) {
              return (
                <tr key={offerId}>
                  <th scope="row">{name}</th>
                  <td colSpan={5} class="hint">
                    {error ?? (lift ? 'No account assigned yet' : 'Loading…')}
                  </td>
                </tr>
              );
            }
            const srm = lift.srm.mismatch ?? (lift.srm.pValue !== null && lift.srm.pValue < SRM_ALPHA);
            return [
              <tr key={offerId}>
                <th scope="row">{name}</th>
                <td class="num">
                  {pct(lift.treatment.rate)}
                  <span class="sub">
                    {count(lift.treatment.attached)}/{count(lift.treatment.assigned)}
                  </span>
                </td>
                <td class="num">
                  {pct(lift.control.rate)}
                  <span class="sub">
                    {count(lift.control.attached)}/{count(lift.control.assigned)}
                  </span>
                </td>
                <td class="num">
                  {points(lift.absoluteLift)}
                  <span class="sub">{lift.relativeLift === null ? 'relative: —' : `relative ${lift.relativeLift >= 0 ? '+' : ''}${pct(lift.relativeLift, 0)}`}</span>
                </td>
                <td class="ci-col">
                  <Interval lift={lift} domain={domain} />
                  <span class="sub">{lift.ci95 ? `${points(lift.ci95[0])} to ${points(lift.ci95[1])}` : '—'}</span>
                </td>
                <td class="num">{pValue(lift.pValue)}</td>
              </tr>,
              srm && (
                <tr key={`${offerId}-srm`} class="srm-row">
                  <td colSpan={6}>
                    <p class="banner warn" role="note" data-testid="srm-warning">
                      <strong>Sample ratio mismatch on {name}.</strong> Expected {pct(lift.srm.expectedControlShare)} of assigned accounts in control,
                      observed {pct(lift.srm.observedControlShare)} (p {pValue(lift.srm.pValue)}). Assignment or tracking is broken somewhere; do not trust
                      this lift until it is fixed.
                    </p>
                  </td>
                </tr>
              ),
            ];
          })}
        </tbody>
      </table>
    </TableWrap>
  );
}
