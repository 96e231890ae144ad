/**
 * Labelled form controls that show their error next to the field and tie it
 * to the control with aria-describedby / aria-invalid. `path` is the field's
 * dotted path, used for ids and error lookup.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { FieldErrors } from '../offers/validate.ts';

const idOf = (path: string) => `f-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;

interface Common {
  path: string;
  label: string;
  errors: FieldErrors;
  hint?: string;
}

function describedBy(path: string, errors: FieldErrors, hint?: string): string | undefined {
  const ids = [hint ? `${idOf(path)}-hint` : '', errors[path] ? `${idOf(path)}-err` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function Messages({ path, errors, hint }: { path: string; errors: FieldErrors; hint?: string | undefined }) {
  return (
    <>
      {hint && (
        <span class="hint" id={`${idOf(path)}-hint`}>
          {hint}
        </span>
      )}
      {errors[path] && (
        <span class="err" id={`${idOf(path)}-err`}>
          {errors[path]}
        </span>
      )}
    </>
  );
}

export function TextField(
  props: Common & { value: string; onValue(v: string): void; multiline?: boolean; type?: string; disabled?: boolean; placeholder?: string },
) {
  const { path, label, errors, hint, value, onValue } = props;
  const shared = {
    id: idOf(path),
    name: path,
    value,
    disabled: props.disabled,
    placeholder: props.placeholder,
    'aria-invalid': errors[path] ? ('true' as const) : undefined,
    'aria-describedby': describedBy(path, errors, hint),
    onInput: (e: Event) => onValue((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class={`field${errors[path] ? ' invalid' : ''}`}>
      <label for={idOf(path)}>{label}</label>
      {props.multiline ? <textarea rows={3} {...shared} /> : <input type={props.type ?? 'text'} {...shared} />}
      <Messages path={path} errors={errors} hint={hint} />
    </div>
  );
}

/** A number input that reports `undefined` when emptied (an unset, optional rule). */
export function NumberField(
  props: Common & { value: number | undefined; onValue(v: number | undefined): void; step?: number; min?: number; max?: number; suffix?: string },
) {
  const { path, label, errors, hint, value, onValue } = props;
  return (
    <div class={`field${errors[path] ? ' invalid' : ''}`}>
      <label for={idOf(path)}>{label}</label>
      <span class="with-suffix">
        <input
          id={idOf(path)}
          name={path}
          type="number"
          inputMode="decimal"
          step={props.step ?? 1}
          min={props.min}
          max={props.max}
          value={value === undefined || Number.isNaN(value) ? '' : String(value)}
          aria-invalid={errors[path] ? 'true' : undefined}
          aria-describedby={describedBy(path, errors, hint)}
          onInput={(e) => {
            const raw = (e.currentTarget as HTMLInputElement).value;
            onValue(raw === '' ? undefined : Number(raw));
          }}
        />
        {props.suffix && <span aria-hidden="true">{props.suffix}</span>}
      </span>
      <Messages path={path} errors={errors} hint={hint} />
    </div>
  );
}

export function SelectField<T extends string>(
  props: Common & { value: T; onValue(v: T): void; options: readonly { value: T; label: string }[]; disabled?: boolean },
) {
  const { path, label, errors, hint, value, onValue } = props;
  return (
    <div class={`field${errors[path] ? ' invalid' : ''}`}>
      <label for={idOf(path)}>{label}</label>
      <select
        id={idOf(path)}
        name={path}
        value={value}
        disabled={props.disabled}
        aria-invalid={errors[path] ? 'true' : undefined}
        aria-describedby={describedBy(path, errors, hint)}
        onChange={(e) => onValue((e.currentTarget as HTMLSelectElement).value as T)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Messages path={path} errors={errors} hint={hint} />
    </div>
  );
}

export function CheckboxField(props: Common & { checked: boolean; onValue(v: boolean): void }) {
  const { path, label, errors, hint, checked, onValue } = props;
  return (
    <div class={`field check${errors[path] ? ' invalid' : ''}`}>
      <input
        id={idOf(path)}
        name={path}
        type="checkbox"
        checked={checked}
        aria-describedby={describedBy(path, errors, hint)}
        onChange={(e) => onValue((e.currentTarget as HTMLInputElement).checked)}
      />
      <label for={idOf(path)}>{label}</label>
      <Messages path={path} errors={errors} hint={hint} />
    </div>
  );
}

function parseList(text: string): string[] | undefined {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length === 0 ? undefined : items;
}

/**
 * A list of short values typed as "pro, team". Empty means "any" (the rule is unset).
 * The text keeps what the person typed (a trailing comma) until the list itself changes.
 */
export function ListField(props: Common & { value: string[] | undefined; onValue(v: string[] | undefined): void }) {
  const { path, label, errors, hint, value, onValue } = props;
  const [text, setText] = useState('');
  // The typed text wins while it still means the current list; otherwise show the list.
  const shown = (parseList(text) ?? []).join(',') === (value ?? []).join(',') ? text : (value ?? []).join(', ');
  return (
    <TextField
      path={path}
      label={label}
      errors={errors}
      hint={hint ?? 'Comma-separated; leave empty for any'}
      value={shown}
      onValue={(t) => {
        setText(t);
        onValue(parseList(t));
      }}
    />
  );
}

export function Fieldset({ legend, children, id }: { legend: string; children: ComponentChildren; id?: string }) {
  return (
    <fieldset class="group" id={id}>
      <legend>{legend}</legend>
      {children}
    </fieldset>
  );
}

/** A form-level message (errors with no single field). */
export function FormError({ errors }: { errors: FieldErrors }) {
  if (!errors['']) return null;
  return (
    <p class="banner error" role="alert">
      {errors['']}
    </p>
  );
}
