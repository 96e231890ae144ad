/** The audience rules and frequency caps of an offer. */
import type { OfferDefinition } from '@tandem/core';
import { CheckboxField, Fieldset, ListField, NumberField, SelectField, TextField as Text } from '../ui/fields.tsx';
import type { FieldErrors } from './validate.ts';

interface Props {
  draft: OfferDefinition;
  errors: FieldErrors;
  set(path: string, value: unknown): void;
}

const SCOPES = [
  { value: 'user', label: 'per user' },
  { value: 'account', label: 'per account' },
] as const;

export function RulesFields({ draft, errors, set }: Props) {
  const r = draft.rules;
  const readiness = r.readiness ?? [];
  const setReadiness = (next: typeof readiness) => set('rules.readiness', next.length ? next : undefined);
  return (
    <>
      <Fieldset legend="Audience rules (all must hold)" id="rules">
        <div class="row2">
          <NumberField
            path="rules.activationDays.min"
            label="Days since activation, from"
            errors={errors}
            value={r.activationDays?.min}
            min={0}
            hint="Empty: 60"
            onValue={(v) => set('rules.activationDays.min', v)}
          />
          <NumberField
            path="rules.activationDays.max"
            label="to"
            errors={errors}
            value={r.activationDays?.max}
            min={0}
            hint="Empty: 120"
            onValue={(v) => set('rules.activationDays.max', v)}
          />
        </div>
        <CheckboxField
          path="rules.requireCoreValue"
          label="Only accounts that reached core value (where known)"
          errors={errors}
          checked={r.requireCoreValue !== false}
          onValue={(v) => set('rules.requireCoreValue', v)}
        />
        <ListField path="rules.plans" label="Plans" errors={errors} value={r.plans} onValue={(v) => set('rules.plans', v)} />
        <div class="row2">
          <NumberField path="rules.arr.min" label="ARR at least" errors={errors} value={r.arr?.min} min={0} onValue={(v) => set('rules.arr.min', v)} />
          <NumberField path="rules.arr.max" label="ARR at most" errors={errors} value={r.arr?.max} min={0} onValue={(v) => set('rules.arr.max', v)} />
        </div>
        <ListField path="rules.regions" label="Regions" errors={errors} value={r.regions} onValue={(v) => set('rules.regions', v)} />
        <ListField
          path="rules.channels"
          label="Channels"
          hint="“direct” or partner names; comma-separated; empty for any"
          errors={errors}
          value={r.channels}
          onValue={(v) => set('rules.channels', v)}
        />
        <NumberField
          path="rules.minDaysToRenewal"
          label="Days until renewal, at least"
          hint="Accounts without a renewal date pass"
          errors={errors}
          value={r.minDaysToRenewal}
          min={0}
          onValue={(v) => set('rules.minDaysToRenewal', v)}
        />
        <fieldset class="sub-group">
          <legend>Readiness: feature usage thresholds</legend>
          {errors['rules.readiness'] && <p class="err">{errors['rules.readiness']}</p>}
          {readiness.map((t, i) => (
            <div class="row3" key={i}>
              <Text
                path={`rules.readiness[${i}].feature`}
                label={`Feature ${i + 1}`}
                errors={errors}
                value={t.feature}
                onValue={(v) => setReadiness(readiness.map((x, j) => (j === i ? { ...x, feature: v } : x)))}
              />
              <NumberField
                path={`rules.readiness[${i}].min`}
                label="used at least"
                errors={errors}
                value={t.min}
                min={0}
                onValue={(v) => setReadiness(readiness.map((x, j) => (j === i ? { ...x, min: v ?? 0 } : x)))}
              />
              <button type="button" class="button small" onClick={() => setReadiness(readiness.filter((_, j) => j !== i))} aria-label={`Remove feature ${i + 1}`}>
                Remove
              </button>
            </div>
          ))}
          <button type="button" class="button small" onClick={() => setReadiness([...readiness, { feature: '', min: 1 }])}>
            Add usage threshold
          </button>
        </fieldset>
        <CheckboxField
          path="rules.excludeAttached"
          label="Skip accounts that already have the product (trial or paid)"
          errors={errors}
          checked={r.excludeAttached !== false}
          onValue={(v) => set('rules.excludeAttached', v)}
        />
        <CheckboxField
          path="rules.excludePastDue"
          label="Skip accounts whose billing is past due"
          errors={errors}
          checked={r.excludePastDue !== false}
          onValue={(v) => set('rules.excludePastDue', v)}
        />
        <CheckboxField
          path="rules.excludeSalesOwned"
          label="Skip accounts sales has taken over"
          errors={errors}
          checked={r.excludeSalesOwned !== false}
          onValue={(v) => set('rules.excludeSalesOwned', v)}
        />
      </Fieldset>

      <Fieldset legend="Frequency" id="caps">
        <div class="row3">
          <NumberField
            path="caps.exposures.maxExposures"
            label="At most"
            suffix="exposures"
            errors={errors}
            value={draft.caps?.exposures?.maxExposures}
            min={1}
            onValue={(v) => set('caps.exposures.maxExposures', v)}
          />
          <NumberField
            path="caps.exposures.days"
            label="in"
            suffix="days"
            errors={errors}
            value={draft.caps?.exposures?.days}
            min={1}
            onValue={(v) => set('caps.exposures.days', v)}
          />
          <SelectField
            path="caps.exposures.scope"
            label="counted"
            errors={errors}
            value={draft.caps?.exposures?.scope ?? 'user'}
            options={SCOPES}
            onValue={(v) => set('caps.exposures.scope', v)}
          />
        </div>
        <div class="row3">
          <NumberField
            path="caps.dismiss.days"
            label="A dismiss silences it for"
            suffix="days"
            errors={errors}
            value={draft.caps?.dismiss?.days}
            min={0}
            onValue={(v) => set('caps.dismiss.days', v)}
          />
          <SelectField
            path="caps.dismiss.scope"
            label="for"
            errors={errors}
            value={draft.caps?.dismiss?.scope ?? 'account'}
            options={[
              { value: 'account', label: 'the whole account' },
              { value: 'user', label: 'that user only' },
            ]}
            onValue={(v) => set('caps.dismiss.scope', v)}
          />
        </div>
      </Fieldset>
    </>
  );
}
