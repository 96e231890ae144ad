import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from './checkpointer.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('WAL checkpointer worker', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function open(): { db: Database.Database; file: string } {
    dir = mkdtempSync(join(tmpdir(), 'tandem-ckpt-'));
    const file = join(dir, 'tandem.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 0'); // only the worker checkpoints
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)');
    return { db, file };
  }

  it('copies committed pages into the database file from its own thread', async () => {
    const { db, file } = open();
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 500; i++) insert.run(Buffer.alloc(2000, i));
    })();
    const before = statSync(file).size;
    const cp = startCheckpointer({ file, intervalMs: 10 });
    try {
      const deadline = Date.now() + 10_000;
      while (statSync(file).size <= before + 500 * 2000 && Date.now() < deadline) await sleep(20);
      expect(statSync(file).size).toBeGreaterThan(before + 500 * 2000);
    } finally {
      await cp.stop();
    }
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(500);
    db.close();
  });

  it('holds the writer past restartPages so the next write rewinds the log', async () => {
    const { db, file } = open();
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    const write = db.transaction((n: number) => {
      for (let i = 0; i < 20; i++) insert.run(Buffer.alloc(1000, n));
    });
    const cp = startCheckpointer({ file, intervalMs: 5, restartPages: 50 });
    let held = 0;
    let written = 0;
    try {
      const deadline = Date.now() + 10_000;
      while ((held === 0 || written < 200) && Date.now() < deadline) {
        if (cp.holding()) held++;
        else write(written++);
        await sleep(1);
      }
    } finally {
      await cp.stop();
    }
    expect(held).toBeGreaterThan(0);
    // Each write adds about 6 pages: without a rewind the log would hold every frame ever written.
    const [state] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
    expect(state!.log).toBeLessThan(written * 5);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(written * 20);
    db.close();
  });

  it('stops promptly when idle', async () => {
    const { db, file } = open();
    const cp = startCheckpointer({ file, intervalMs: 60_000 });
    const t = Date.now();
    await cp.stop();
    expect(Date.now() - t).toBeLessThan(5_000);
    db.close();
  });
});
