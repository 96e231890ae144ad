import { useStore } from '@nanostores/preact';
import { useEffect } from 'preact/hooks';
import { $offers, loadOffers } from '../stores/offers.ts';
import { hrefOf } from '../stores/router.ts';
import { useHeadingFocus } from '../ui/focus.ts';
import { TableWrap } from '../ui/table-wrap.tsx';
import { count, pct } from '../ui/format.ts';

/** The offers list: what is live where, and how it did this week. */
export function OffersPage() {
  const { loading, error, items } = useStore($offers);
  const h1 = useHeadingFocus();
  useEffect(() => {
    void loadOffers();
  }, []);
  const sorted = [...items].sort(
    (a, b) => a.offer.placement.localeCompare(b.offer.placement) || b.offer.priority - a.offer.priority || a.offer.id.localeCompare(b.offer.id),
  );
  return (
    <section aria-labelledby="offers-h">
      <div class="page-head">
        <h1 id="offers-h" ref={h1} tabIndex={-1}>Offers</h1>
        <a class="button primary" href={hrefOf({ page: 'offer', id: null })}>
          New offer
        </a>
      </div>
      {error && (
        <p class="banner error" role="alert">
          Could not load offers: {error}
        </p>
      )}
      {loading && items.length === 0 ? (
        <p aria-live="polite">Loading offers…</p>
      ) : items.length === 0 && !error ? (
        <p>No offers yet. Create one to start cross-selling.</p>
      ) : (
        <TableWrap label="Offers table">
          <table class="offers">
            <caption class="sr-only">Offers by placement and priority, with the last 7 days of activity</caption>
            <thead>
              <tr>
                <th scope="col">Offer</th>
                <th scope="col">Status</th>
                <th scope="col">Placement</th>
                <th scope="col" class="num">
                  Priority
                </th>
                <th scope="col">Kind</th>
                <th scope="col" class="num">
                  Exposed (7 d)
                </th>
                <th scope="col" class="num">
                  Attached (7 d)
                </th>
              </tr>
            </thead>
            <tbody>
              {sorted.map(({ offer, exposedThisWeek, attachedThisWeek }) => (
                <tr key={offer.id}>
                  <th scope="row">
                    <a href={hrefOf({ page: 'offer', id: offer.id })}>{offer.name || offer.id}</a>
                    <span class="sub">{offer.id}</span>
                  </th>
                  <td>
                    <span class={`badge ${offer.status}`}>{offer.status}</span>
                  </td>
                  <td>{offer.placement}</td>
                  <td class="num">{offer.priority}</td>
                  <td>{offer.kind}</td>
                  <td class="num">{count(exposedThisWeek)}</td>
                  <td class="num">
                    {count(attachedThisWeek)}
                    {exposedThisWeek > 0 && <span class="sub">{pct(attachedThisWeek / exposedThisWeek)}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
