/** The console shell: sign-in gate, navigation, and the page for the current route. */
import { useStore } from '@nanostores/preact';
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { EditorPage } from './offers/editor-page.tsx';
import { OffersPage } from './offers/offers-page.tsx';
import { SignIn } from './sign-in.tsx';
import { $route, hrefOf } from './stores/router.ts';
import { $session, signOut } from './stores/session.ts';

/** uPlot and the charts load only when the attach page is opened. */
function LazyAttach() {
  const [Page, setPage] = useState<ComponentType | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    import('./attach/attach-page.tsx').then(
      (m) => setPage(() => m.AttachPage),
      (err) => setError(String(err)),
    );
  }, []);
  if (error) return <p class="banner error">Could not load the attach page: {error}</p>;
  return Page ? <Page /> : <p aria-live="polite">Loading…</p>;
}

export function App() {
  const session = useStore($session);
  const route = useStore($route);
  useEffect(() => {
    document.title = `${route.page === 'attach' ? 'Attach' : 'Offers'} · Tandem console`;
  }, [route]);
  if (!session) return <SignIn />;
  const current = route.page === 'attach' ? 'attach' : 'offers';
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Tandem</span>
        <nav aria-label="Console">
          <a href={hrefOf({ page: 'offers' })} aria-current={current === 'offers' ? 'page' : undefined}>
            Offers
          </a>
          <a href={hrefOf({ page: 'attach' })} aria-current={current === 'attach' ? 'page' : undefined}>
            Attach
          </a>
        </nav>
        <span class="who">{session.context.role === 'admin' ? 'Admin token' : 'Secret key'}</span>
        <button type="button" class="button small" onClick={() => signOut()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === 'offers' && <OffersPage />}
        {route.page === 'offer' && <EditorPage key={route.id ?? 'new'} id={route.id} />}
        {route.page === 'attach' && <LazyAttach />}
      </main>
    </>
  );
}
