const TIMEOUT_MS = 30_000;

/**
 * POSTs JSON to the Tandem API, giving up after 30 s (a hung request must not hold the drain
 * lock). Keepalive requests (page hide) carry the key in the body instead of the
 * `Authorization` header, as the API allows for transports that cannot set headers.
 */
export function postJson(url: string, key: string, body: object, keepalive = false): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (!keepalive) headers.authorization = `Bearer ${key}`;
  const signal = typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(TIMEOUT_MS) : undefined;
  return fetch(url, { method: 'POST', headers, keepalive, signal, body: JSON.stringify(keepalive ? { ...body, key } : body) });
}

/** `" (code: message)"` from an `{"error": {...}}` answer, or `""`; never throws. */
export async function errorDetail(res: Response): Promise<string> {
  try {
    const { error } = (await res.json()) as { error?: { code?: string; message?: string } };
    return error ? ` (${error.code}: ${error.message})` : '';
  } catch {
    return '';
  }
}
