/** Sign-in with a secret key or an admin token; nothing else is reachable before it. */
import { useStore } from '@nanostores/preact';
import { useState } from 'preact/hooks';
import { $signInMessage, signIn } from './stores/session.ts';

export function SignIn() {
  const message = useStore($signInMessage);
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const shown = error ?? message;
  return (
    <main id="main" class="sign-in">
      <h1>Tandem console</h1>
      <p>Sign in with a secret key (sk_…) or an admin token made by `tandem keys create`.</p>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await signIn(key);
          } catch (err) {
            setError((err as Error).message);
            (document.getElementById('key') as HTMLInputElement | null)?.focus();
          } finally {
            setBusy(false);
          }
        }}
      >
        <div class={`field${shown ? ' invalid' : ''}`}>
          <label for="key">Secret key or admin token</label>
          <input
            id="key"
            name="key"
            type="password"
            autoComplete="off"
            spellcheck={false}
            value={key}
            aria-invalid={shown ? 'true' : undefined}
            aria-describedby={shown ? 'key-err' : 'key-hint'}
            onInput={(e) => setKey((e.currentTarget as HTMLInputElement).value)}
          />
          {shown ? (
            <span class="err" id="key-err" role="alert">
              {shown}
            </span>
          ) : (
            <span class="hint" id="key-hint">
              Kept in this tab only, until you sign out or close it.
            </span>
          )}
        </div>
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
