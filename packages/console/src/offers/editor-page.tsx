/**
 * The offer editor: every OfferDefinition field, validation next to each
 * field (client checks live, server 400s mapped onto fields), the live
 * preview, eligibility, publish / unpublish and the audit log.
 */
import { useStore } from '@nanostores/preact';
import type { OfferDefinition, OfferKind, OfferVariant } from '@tandem/core';
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, call } from '../api/client.ts';
import { $notice, loadOffers } from '../stores/offers.ts';
import { hrefOf, navigate } from '../stores/router.ts';
import { $products, api } from '../stores/session.ts';
import { useHeadingFocus } from '../ui/focus.ts';
import { CheckboxField, Fieldset, FormError, NumberField, SelectField, TextField } from '../ui/fields.tsx';
import { AuditPanel } from './audit-panel.tsx';
import { defaultBundle, newOffer, slugify } from './defaults.ts';
import { forSave, fromLocalInput, setIn, toLocalInput } from './draft.ts';
import { EligibilityPanel } from './eligibility-panel.tsx';
import { PreviewPanel } from './preview-panel.tsx';
import { RulesFields } from './rules-fields.tsx';
import { type FieldErrors, knownFields, serverFieldErrors, validateOffer } from './validate.ts';

const KINDS = [
  { value: 'trial', label: 'Trial of the product' },
  { value: 'bundle', label: 'Bundle at a discount' },
  { value: 'upgrade', label: 'Upgrade to the tier that includes it' },
] as const;
const DISPLAYS = [
  { value: 'inline', label: 'Inline card' },
  { value: 'banner', label: 'Banner' },
  { value: 'modal', label: 'Modal dialog' },
] as const;

function unwrap(o: OfferDefinition | { offer: OfferDefinition }): OfferDefinition {
  return 'offer' in o && typeof o.offer === 'object' ? o.offer : (o as OfferDefinition);
}

export function EditorPage({ id }: { id: string | null }) {
  const products = useStore($products);
  const [saved, setSaved] = useState<OfferDefinition | null>(null);
  const [draft, setDraft] = useState<OfferDefinition | null>(id === null ? newOffer(products) : null);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [attempted, setAttempted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const flash = useStore($notice);
  const notice = flash && flash.offerId === (saved?.id ?? id) ? flash.text : null;
  const setNotice = (text: string | null, offerId = saved?.id ?? id ?? '') => $notice.set(text === null ? null : { offerId, text });
  const [idEdited, setIdEdited] = useState(false);
  const h1 = useHeadingFocus(draft !== null);

  useEffect(() => {
    if (id === null) {
      setSaved(null);
      setDraft(newOffer(products));
      return;
    }
    call(() => api().get(`v1/offers/${encodeURIComponent(id)}`).json<OfferDefinition | { offer: OfferDefinition }>()).then(
      (o) => {
        setSaved(unwrap(o));
        setDraft(unwrap(o));
        setLoadError(null);
      },
      (err) => setLoadError((err as Error).message),
    );
  }, [id]);

  if (loadError) {
    return (
      <p class="banner error" role="alert">
        Could not load offer “{id}”: {loadError} <a href={hrefOf({ page: 'offers' })}>Back to offers</a>
      </p>
    );
  }
  if (!draft) return <p aria-live="polite">Loading offer…</p>;

  const clientErrors = validateOffer(draft, products);
  const visible: FieldErrors = {};
  for (const [k, v] of Object.entries(clientErrors)) if (attempted || touched.has(k)) visible[k] = v;
  const errors: FieldErrors = { ...visible, ...serverErrors };
  const valid = Object.keys(clientErrors).length === 0;
  const dirty = !saved || JSON.stringify(forSave(saved)) !== JSON.stringify(forSave(draft));

  const set = (path: string, value: unknown) => {
    setDraft((d) => (d ? setIn(d, path, value) : d));
    setTouched((t) => new Set(t).add(path));
    setNotice(null);
    if (serverErrors[path] || serverErrors['']) {
      const { [path]: _, '': __, ...rest } = serverErrors;
      setServerErrors(rest);
    }
  };

  const save = async (status: OfferDefinition['status'] = draft.status) => {
    setAttempted(true);
    if (!valid) {
      setNotice(null);
      requestAnimationFrame(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setBusy(true);
    setServerErrors({});
    const body = forSave({ ...draft, status });
    try {
      const result = unwrap(
        await call(() =>
          saved
            ? api().put(`v1/offers/${encodeURIComponent(saved.id)}`, { json: body }).json<OfferDefinition>()
            : api().post('v1/offers', { json: body }).json<OfferDefinition>(),
        ),
      );
      setSaved(result);
      setDraft(result);
      setTouched(new Set());
      setAttempted(false);
      const outcome =
        status === draft.status ? 'Saved' : status === 'published' ? 'Published' : status === 'archived' ? 'Archived' : draft.status === 'published' ? 'Unpublished' : 'Restored to draft';
      setNotice(outcome, result.id);
      void loadOffers();
      if (!saved) navigate({ page: 'offer', id: result.id });
    } catch (err) {
      const e = err as ApiError;
      if (e.status === 409) setServerErrors({ id: e.message });
      else if (e.status === 400 || e.status === 422) setServerErrors(serverFieldErrors(e, knownFields(draft)));
      else setServerErrors({ '': e.message });
      requestAnimationFrame(() => document.querySelector<HTMLElement>('[aria-invalid="true"], .banner.error')?.focus());
    } finally {
      setBusy(false);
    }
  };

  const setKind = (kind: OfferKind) => {
    set('kind', kind);
    if (kind === 'trial' && draft.trialDays === undefined) set('trialDays', 14);
    if (kind !== 'trial' && !draft.bundle) set('bundle', defaultBundle(products, draft.productId));
  };

  const variants = draft.variants ?? [];
  const setVariants = (next: OfferVariant[]) => set('variants', next.length ? next : undefined);
  const published = saved?.status === 'published';

  return (
    <div class="editor">
      <div class="page-head">
        <h1 ref={h1} tabIndex={-1}>{saved ? `Edit “${saved.name || saved.id}”` : 'New offer'}</h1>
        {saved && <span class={`badge ${saved.status}`}>{saved.status}</span>}
      </div>
      <form
        class="editor-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <FormError errors={errors} />
        <Fieldset legend="Basics">
          <TextField
            path="name"
            label="Name"
            errors={errors}
            value={draft.name}
            onValue={(v) => {
              set('name', v);
              if (!saved && !idEdited) set('id', slugify(v));
            }}
          />
          <TextField
            path="id"
            label="Id"
            hint={saved ? 'Fixed once created' : 'Used in the API and reports'}
            errors={errors}
            value={draft.id}
            disabled={!!saved}
            onValue={(v) => {
              setIdEdited(true);
              set('id', v);
            }}
          />
          <div class="row2">
            <SelectField path="kind" label="Kind" errors={errors} value={draft.kind} options={KINDS} onValue={setKind} />
            <SelectField
              path="productId"
              label="Product offered"
              errors={errors}
              value={draft.productId}
              options={products.filter((p) => p.role !== 'primary').map((p) => ({ value: p.id, label: p.name }))}
              onValue={(v) => set('productId', v)}
            />
          </div>
          <div class="row3">
            <TextField path="placement" label="Placement" errors={errors} value={draft.placement} onValue={(v) => set('placement', v)} />
            <SelectField path="display" label="Display" errors={errors} value={draft.display} options={DISPLAYS} onValue={(v) => set('display', v)} />
            <NumberField
              path="priority"
              label="Priority"
              hint="Higher wins in a placement"
              errors={errors}
              value={draft.priority}
              onValue={(v) => set('priority', v ?? 0)}
            />
          </div>
        </Fieldset>

        <Fieldset legend="Copy">
          <TextField path="content.headline" label="Headline" errors={errors} value={draft.content.headline} onValue={(v) => set('content.headline', v)} />
          <TextField path="content.body" label="Body" multiline errors={errors} value={draft.content.body} onValue={(v) => set('content.body', v)} />
          <div class="row2">
            <TextField path="content.cta" label="Button label" errors={errors} value={draft.content.cta} onValue={(v) => set('content.cta', v)} />
            <TextField
              path="content.dismissLabel"
              label="Dismiss label"
              hint="Read by screen readers; default “Dismiss”"
              errors={errors}
              value={draft.content.dismissLabel ?? ''}
              onValue={(v) => set('content.dismissLabel', v || undefined)}
            />
          </div>
        </Fieldset>

        <Fieldset legend="Price">
          {draft.kind === 'trial' ? (
            <NumberField path="trialDays" label="Trial length" suffix="days" errors={errors} value={draft.trialDays} min={1} onValue={(v) => set('trialDays', v)} />
          ) : (
            <>
              <fieldset class="sub-group" aria-describedby={errors['bundle.productIds'] ? 'f-bundle-productIds-err' : undefined}>
                <legend>Included products (list prices summed as the reference price)</legend>
                {products.map((p) => {
                  const ids = draft.bundle?.productIds ?? [];
                  return (
                    <CheckboxField
                      key={p.id}
                      path={`bundle.product.${p.id}`}
                      label={`${p.name} (${p.listPrice.amount} ${p.listPrice.currency}/${p.listPrice.interval})`}
                      errors={{}}
                      checked={ids.includes(p.id)}
                      onValue={(on) => set('bundle.productIds', on ? products.map((x) => x.id).filter((x) => x === p.id || ids.includes(x)) : ids.filter((x) => x !== p.id))}
                    />
                  );
                })}
                {errors['bundle.productIds'] && (
                  <span class="err" id="f-bundle-productIds-err">
                    {errors['bundle.productIds']}
                  </span>
                )}
              </fieldset>
              <NumberField
                path="bundle.discountPercent"
                label="Discount"
                suffix="%"
                step={0.5}
                min={0}
                max={99}
                errors={errors}
                value={draft.bundle?.discountPercent}
                onValue={(v) => set('bundle.discountPercent', v)}
              />
            </>
          )}
        </Fieldset>

        <Fieldset legend="Call to action">
          <SelectField
            path="action.type"
            label="When pressed"
            errors={errors}
            value={draft.action.type}
            options={[
              { value: 'callback', label: 'Call the host app’s onStartTrial' },
              { value: 'url', label: 'Open a link' },
            ]}
            onValue={(v) => set('action', v === 'url' ? { type: 'url', url: draft.action.url ?? '' } : { type: 'callback', url: draft.action.url })}
          />
          <TextField
            path="action.url"
            label={draft.action.type === 'url' ? 'Link' : 'Fallback link (optional)'}
            type="url"
            errors={errors}
            value={draft.action.url ?? ''}
            onValue={(v) => set('action.url', v || (draft.action.type === 'url' ? '' : undefined))}
          />
        </Fieldset>

        <RulesFields draft={draft} errors={errors} set={set} />

        <Fieldset legend="Experiment">
          <NumberField
            path="holdout"
            label="Holdout (control share)"
            suffix="%"
            hint="Eligible accounts held out to measure lift; default 20%"
            step={1}
            min={0}
            max={99}
            errors={errors}
            value={Math.round(draft.holdout * 10000) / 100}
            onValue={(v) => set('holdout', v === undefined ? Number.NaN : v / 100)}
          />
          <fieldset class="sub-group">
            <legend>Variants</legend>
            {variants.length === 0 && <p class="hint">No variants: everyone in treatment sees the copy above.</p>}
            {variants.map((v, i) => {
              const put = (patch: Partial<OfferVariant>) => setVariants(variants.map((x, j) => (j === i ? { ...x, ...patch } : x)));
              return (
                <div class="variant" key={i}>
                  <div class="row3">
                    <TextField path={`variants[${i}].key`} label={`Variant ${i + 1} key`} errors={errors} value={v.key} onValue={(key) => put({ key })} />
                    <NumberField path={`variants[${i}].weight`} label="Weight" hint="Default 1" step={0.1} errors={errors} value={v.weight} onValue={(weight) => put({ weight })} />
                    {draft.kind !== 'trial' && (
                      <NumberField
                        path={`variants[${i}].discountPercent`}
                        label="Discount"
                        suffix="%"
                        hint="Empty: the offer’s"
                        step={0.5}
                        errors={errors}
                        value={v.discountPercent}
                        onValue={(discountPercent) => put({ discountPercent })}
                      />
                    )}
                  </div>
                  <TextField
                    path={`variants[${i}].content.headline`}
                    label="Headline"
                    hint="Empty: the offer’s"
                    errors={errors}
                    value={v.content?.headline ?? ''}
                    onValue={(headline) => put({ content: { ...v.content, headline } })}
                  />
                  <TextField
                    path={`variants[${i}].content.body`}
                    label="Body"
                    multiline
                    errors={errors}
                    value={v.content?.body ?? ''}
                    onValue={(body) => put({ content: { ...v.content, body } })}
                  />
                  <TextField
                    path={`variants[${i}].content.cta`}
                    label="Button label"
                    errors={errors}
                    value={v.content?.cta ?? ''}
                    onValue={(cta) => put({ content: { ...v.content, cta } })}
                  />
                  <button type="button" class="button small" onClick={() => setVariants(variants.filter((_, j) => j !== i))}>
                    Remove variant {i + 1}
                  </button>
                </div>
              );
            })}
            <button
              type="button"
              class="button small"
              onClick={() => setVariants([...variants, { key: variants.length === 0 ? 'a' : `v${variants.length + 1}`, weight: 1 }])}
            >
              Add variant
            </button>
          </fieldset>
        </Fieldset>

        <Fieldset legend="Schedule">
          <div class="row2">
            <TextField
              path="schedule.startAt"
              label="Starts"
              type="datetime-local"
              hint="Your local time; empty: now"
              errors={errors}
              value={toLocalInput(draft.schedule?.startAt)}
              onValue={(v) => set('schedule.startAt', fromLocalInput(v))}
            />
            <TextField
              path="schedule.endAt"
              label="Ends"
              type="datetime-local"
              hint="Empty: no end"
              errors={errors}
              value={toLocalInput(draft.schedule?.endAt)}
              onValue={(v) => set('schedule.endAt', fromLocalInput(v))}
            />
          </div>
        </Fieldset>

        <div class="actions">
          <button type="submit" class="button" disabled={busy || (!!saved && !dirty)}>
            {saved ? 'Save changes' : 'Create draft'}
          </button>
          {published ? (
            <button type="button" class="button" disabled={busy} onClick={() => void save('draft')}>
              Unpublish
            </button>
          ) : (
            <button type="button" class="button primary" disabled={busy} onClick={() => void save('published')}>
              {saved ? 'Publish' : 'Create and publish'}
            </button>
          )}
          {saved && saved.status !== 'archived' && (
            <button type="button" class="button" disabled={busy} onClick={() => void save('archived')}>
              Archive
            </button>
          )}
          {published && dirty && <span class="hint">Unsaved changes are not live yet.</span>}
          <span role="status" class="notice">
            {notice}
          </span>
        </div>
      </form>

      <aside class="side" aria-label="Preview and audience">
        <PreviewPanel draft={draft} products={products} />
        <EligibilityPanel offer={forSave(draft)} valid={valid} />
        {saved && (
          <AuditPanel
            offerId={saved.id}
            version={saved.version}
            onRolledBack={(o) => {
              setSaved(o);
              setDraft(o);
              setNotice(`Restored version ${o.version ?? ''}`.trim(), o.id);
              void loadOffers();
            }}
          />
        )}
      </aside>
    </div>
  );
}

