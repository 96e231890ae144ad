import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { crashBatch } from './crash-fixture.ts';
import { openSqliteStore } from './sqlite-store.ts';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

describe('sqlite store crash safety', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every batch reported committed when the writer is SIGKILLed mid-stream', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-crash-'));
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const committed: number[] = [];
    let buffered = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`child made too little progress; stderr: ${stderr}`)), 20_000);
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          for (const line of lines) committed.push(Number(line.replace('committed ', '')));
          // Kill while it is writing flat out, well past start-up.
          if (committed.length >= 40) {
            clearTimeout(timer);
            child.kill('SIGKILL');
            resolve();
          }
        });
        child.on('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    expect(committed.length).toBeGreaterThanOrEqual(40);

    const store = openSqliteStore({ dataDir: dir });
    try {
      await store.migrate();
      const stored = await store.countEvents();
      // Whole batches only: events and facts committed together or not at all.
      expect(stored % 50).toBe(0);
      expect(stored / 50).toBeGreaterThanOrEqual(committed.length);
      for (const n of committed) {
        const again = await store.insertEvents(crashBatch(n));
        expect(again.inserted).toEqual([]);
      }
      expect(await store.countEvents()).toBe(stored);
      // The per-account state was committed with its events: one usage entry per stored event.
      const ids = ['a0', 'a1', 'a2', 'a3', 'a4'];
      await store.upsertAccounts(
        ids.map((id) => ({ id, activatedAt: '2023-01-01T00:00:00Z' })),
        Date.now(),
      );
      const facts = await store.loadFacts({ activatedBefore: Date.now() });
      expect(facts.reduce((sum, f) => sum + f.usage.length, 0)).toBe(stored);
    } finally {
      await store.close();
    }
  });
});
