const seen = new Set<string>();

/** Warns with the `[tandem]` prefix, at most once per `key`, so a failing page is not flooded. */
export function logOnce(key: string, message: string, detail?: unknown): void {
  if (seen.has(key)) return;
  seen.add(key);
  if (typeof console !== 'undefined') console.warn(`[tandem] ${message}`, ...(detail === undefined ? [] : [detail]));
}

/** Test hook: forget what was logged. */
export function resetLog(): void {
  seen.clear();
}
