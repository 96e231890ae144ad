/**
 * A tiny client for Tandem's HTTP API with the secret key, as a vendor's
 * backend would use it (no SDK needed on the server side: it is plain JSON).
 */

export class TandemApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: string,
  ) {
    super(`Tandem API ${method} ${path} answered ${status}: ${body.slice(0, 500)}`);
    this.name = 'TandemApiError';
  }
}

export interface TandemApi {
  readonly apiUrl: string;
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** Like `request`, but answers `null` for a 404 instead of throwing. */
  requestOrNull<T = unknown>(method: string, path: string, body?: unknown): Promise<T | null>;
}

/**
 * @example const api = tandemApi('http://127.0.0.1:8787', 'sk_test_demo'); await api.request('GET', '/v1/offers')
 */
export function tandemApi(apiUrl: string, secretKey: string): TandemApi {
  const base = apiUrl.replace(/\/+$/, '');
  async function send(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = { authorization: `Bearer ${secretKey}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, text: await res.text() };
  }
  const parse = <T>(text: string): T => (text ? (JSON.parse(text) as T) : (undefined as T));
  return {
    apiUrl: base,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const { status, text } = await send(method, path, body);
      if (status >= 400) throw new TandemApiError(status, method, path, text);
      return parse<T>(text);
    },
    async requestOrNull<T>(method: string, path: string, body?: unknown): Promise<T | null> {
      const { status, text } = await send(method, path, body);
      if (status === 404) return null;
      if (status >= 400) throw new TandemApiError(status, method, path, text);
      return parse<T>(text);
    },
  };
}
