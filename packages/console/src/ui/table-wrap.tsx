import type { ComponentChildren } from 'preact';

/**
 * A horizontally scrollable table container. Focusable and named, so keyboard
 * users can scroll a table wider than a phone screen (axe: scrollable-region-focusable).
 */
export function TableWrap({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
    <section class="table-wrap" tabIndex={0} aria-label={label}>
      {children}
    </section>
  );
}
