/**
 * A tiny static server for test pages: the built SDK under /dist, axe-core under
 * /vendor, and pages/scripts that a test describes in the URL itself, served with
 * whatever Content-Security-Policy the test asks for.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

export interface PageSpec {
  html: string;
  /** Sent as the Content-Security-Policy header. */
  csp?: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.html': 'text/html; charset=utf-8',
};

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

/** URL path of a page served with `spec.csp` (relative to the site origin). */
export const pagePath = (spec: PageSpec) => `/page?b=${b64(JSON.stringify(spec))}`;
/** URL path of an external script with this source (for pages whose CSP forbids inline scripts). */
export const scriptPath = (code: string) => `/script?b=${b64(code)}`;

export async function startSite(distDir: string): Promise<{ origin: string; server: Server }> {
  const axe = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
      res.end(body);
    };
    const decode = () => Buffer.from(url.searchParams.get('b') ?? '', 'base64url').toString('utf8');
    if (url.pathname === '/page') {
      const spec = JSON.parse(decode()) as PageSpec;
      return send(200, TYPES['.html']!, spec.html, spec.csp ? { 'content-security-policy': spec.csp } : {});
    }
    if (url.pathname === '/script') return send(200, TYPES['.js']!, decode());
    if (url.pathname === '/favicon.ico') return send(204, 'text/plain', '');
    let file: string | undefined;
    if (url.pathname === '/vendor/axe.min.js') file = axe;
    else if (url.pathname.startsWith('/dist/')) {
      const rel = normalize(url.pathname.slice('/dist/'.length));
      if (!rel.startsWith('..')) file = join(distDir, rel);
    }
    if (!file || !existsSync(file) || !statSync(file).isFile()) return send(404, 'text/plain', `not found: ${url.pathname}`);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
