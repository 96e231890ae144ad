/** The offer's audit log: who changed what, when, as a readable diff, each with one-click rollback. */
import type { OfferDefinition } from '@tandem/core';
import { useEffect, useState } from 'preact/hooks';
import { call } from '../api/client.ts';
import type { AuditEntryWire } from '../api/types.ts';
import { api } from '../stores/session.ts';
import { dateTime } from '../ui/format.ts';
import { describeLine, diffOffers } from './diff.ts';

const ACTION_TEXT: Record<AuditEntryWire['action'], string> = {
  create: 'Created',
  update: 'Edited',
  delete: 'Deleted',
  rollback: 'Rolled back',
  publish: 'Published',
  unpublish: 'Unpublished',
};

export function AuditPanel({ offerId, version, onRolledBack }: { offerId: string; version: number | undefined; onRolledBack(o: OfferDefinition): void }) {
  const [entries, setEntries] = useState<AuditEntryWire[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<number | null>(null);

  useEffect(() => {
    let stale = false;
    call(() => api().get(`v1/offers/${encodeURIComponent(offerId)}/audit`).json<{ entries: AuditEntryWire[] } | AuditEntryWire[]>()).then(
      (a) => {
        if (stale) return;
        const list = Array.isArray(a) ? a : a.entries;
        setEntries([...list].sort((x, y) => y.id - x.id));
        setError(null);
      },
      (err) => !stale && setError((err as Error).message),
    );
    return () => {
      stale = true;
    };
  }, [offerId, version]);

  const rollback = async (entry: AuditEntryWire) => {
    setBusy(entry.id);
    setError(null);
    try {
      const restored = await call(() =>
        api().post(`v1/offers/${encodeURIComponent(offerId)}/rollback`, { json: { auditId: entry.id } }).json<OfferDefinition | { offer: OfferDefinition }>(),
      );
      onRolledBack('offer' in restored && typeof restored.offer === 'object' ? restored.offer : (restored as OfferDefinition));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section class="panel" aria-labelledby="audit-h">
      <h2 id="audit-h">Audit log</h2>
      {error && (
        <p class="err" role="alert">
          {error}
        </p>
      )}
      {!entries ? (
        <p class="hint">Loading…</p>
      ) : (
        <ol class="audit" data-testid="audit-log">
          {entries.map((entry, i) => {
            const lines = diffOffers(entry.before, entry.after).map(describeLine);
            const current = i === 0;
            return (
              <li key={entry.id}>
                <p class="audit-head">
                  <strong>{ACTION_TEXT[entry.action] ?? entry.action}</strong> by {entry.actor}
                  <span class="sub"> · {dateTime(entry.at)}</span>
                  {entry.after?.version !== undefined && <span class="sub"> · v{entry.after.version}</span>}
                </p>
                {lines.length > 0 && entry.action !== 'create' && (
                  <ul class="diff">
                    {lines.slice(0, 12).map((l) => (
                      <li key={l}>{l}</li>
                    ))}
                    {lines.length > 12 && <li>…and {lines.length - 12} more</li>}
                  </ul>
                )}
                {!current && entry.after && (
                  <button type="button" class="button small" disabled={busy !== null} onClick={() => void rollback(entry)}>
                    {busy === entry.id ? 'Restoring…' : `Restore this version`}
                  </button>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
