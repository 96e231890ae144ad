/**
 * The console's HTTP client: ky against the server that served the page, the
 * signed-in key as a Bearer token on every request, and one ApiError carrying
 * the server's `{error: {code, message}}`.
 */
import ky, { HTTPError, type KyInstance } from 'ky';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads the server's error body; falls back to the status text when there is none. */
export async function toApiError(err: unknown): Promise<ApiError> {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPError) {
    const { status, statusText } = err.response;
    try {
      const body = (await err.response.clone().json()) as { error?: { code?: string; message?: string } };
      if (body.error?.message) return new ApiError(status, body.error.code ?? 'error', body.error.message);
    } catch {
      // not JSON: fall through
    }
    return new ApiError(status, 'http_error', `${status} ${statusText || 'error'} from ${new URL(err.request.url).pathname}`);
  }
  return new ApiError(0, 'network', `Could not reach the server: ${(err as Error).message ?? String(err)}`);
}

/**
 * A client that sends `Authorization: Bearer <key>`.
 * @example await createClient('sk_test_demo').get('v1/offers').json()
 */
export function createClient(key: string, onUnauthorized?: () => void): KyInstance {
  return ky.create({
    prefixUrl: location.origin,
    headers: { authorization: `Bearer ${key}` },
    retry: { limit: 1, methods: ['get'] },
    timeout: 30_000,
    hooks: {
      afterResponse: [
        (_req, _opts, res) => {
          if (res.status === 401 && onUnauthorized) onUnauthorized();
        },
      ],
    },
  });
}

/** Runs a request and rethrows any failure as ApiError. */
export async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw await toApiError(err);
  }
}
