import { readFileSync } from 'node:fs';
import { fileURLToPath, URL as NodeUrl } from 'node:url';
import type { DecideRequest } from '@tandem/core';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { settleIo } from './testing/virtual-clock.ts';

const API = 'https://api.tandem.test';
const server = setupServer();
const decides: DecideRequest[] = [];
beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  server.use(
    http.post(`${API}/v1/decide`, async ({ request }) => {
      decides.push((await request.json()) as DecideRequest);
      return HttpResponse.json({ decisionId: 'd1', decidedAt: new Date().toISOString(), offers: [] });
    }),
  );
});
afterAll(() => server.close());
afterEach(() => {
  (window as { tandem?: { destroy?(): void } }).tandem?.destroy?.();
  delete (window as { tandem?: unknown }).tandem;
  vi.restoreAllMocks();
});

/** Runs the pre-load snippet's source as a page would, capturing the script tag it adds. */
function runSnippet(): HTMLScriptElement {
  const source = readFileSync(fileURLToPath(new NodeUrl('../snippet/snippet.js', import.meta.url)), 'utf8');
  let added: HTMLScriptElement | undefined;
  vi.spyOn(document.head, 'appendChild').mockImplementation((node) => {
    added = node as HTMLScriptElement;
    return node;
  });
  new Function(source)();
  vi.mocked(document.head.appendChild).mockRestore();
  return added!;
}

describe('pre-load snippet + script tag', () => {
  it('the snippet queues calls and adds an async script tag carrying the data attributes', () => {
    const script = runSnippet();
    const tandem = (window as unknown as { tandem: { q: unknown[]; mount(...a: unknown[]): void } }).tandem;
    tandem.mount('el', { placement: 'sidebar' });
    expect(tandem.q).toEqual([['mount', 'el', { placement: 'sidebar' }]]);
    expect(script.async).toBe(true);
    expect(script.src).toContain('tandem.min.js');
    expect(script.dataset.publishableKey).toMatch(/^pk_/);
    expect(script.dataset.apiUrl).toMatch(/^https:/);
    expect(script.hasAttribute('data-user-id')).toBe(false);
  });

  it('the SDK reads data attributes, replays queued calls in one decide, and becomes window.tandem', async () => {
    runSnippet();
    const queued = (window as unknown as { tandem: Record<string, (...a: unknown[]) => void> }).tandem;
    const onDecide = vi.fn();
    const host = document.createElement('div');
    document.body.appendChild(host);
    queued.on!('decide', onDecide);
    queued.mount!(host, { placement: 'sidebar' });
    queued.init!({ onStartTrial: async () => {} });

    const script = document.createElement('script');
    script.src = 'https://cdn.example.com/tandem/tandem.min.js';
    Object.assign(script.dataset, { publishableKey: 'pk_test_1', apiUrl: API, accountId: 'acc_1', identity: 'jwt', theme: 'dark' });
    vi.spyOn(document, 'currentScript', 'get').mockReturnValue(script);
    vi.resetModules();
    await import('./script-tag.ts');
    await settleIo();

    expect(decides).toEqual([{ accountId: 'acc_1', identity: 'jwt', placements: ['sidebar'] }]);
    expect(onDecide).toHaveBeenCalledTimes(1);
    const api = (window as unknown as { tandem: Record<string, unknown> }).tandem;
    expect(Object.keys(api).sort()).toEqual(['$offers', '$status', 'destroy', 'identify', 'init', 'mount', 'on']);
    expect(api.q).toBeUndefined();
  });

  it('a bad queued call is logged with the [tandem] prefix, never thrown into the page', async () => {
    runSnippet();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    (window as unknown as { tandem: Record<string, (...a: unknown[]) => void> }).tandem.init!({ publishableKey: 'nope' });
    vi.spyOn(document, 'currentScript', 'get').mockReturnValue(null);
    vi.resetModules();
    await expect(import('./script-tag.ts')).resolves.toBeDefined();
    expect(warn).toHaveBeenCalledWith('[tandem] tandem.init() failed: `publishableKey` must be a non-empty string starting with pk_, got "nope"');
  });
});
