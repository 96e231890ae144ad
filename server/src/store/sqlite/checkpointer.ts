/**
 * WAL checkpoints on a worker thread. SQLite's automatic checkpoint runs inside
 * the commit that crosses the threshold, on the writing thread: it copies the
 * log into the database file and fsyncs both, which under sustained ingest was
 * about 30% of the writer's time and a latency spike for every request in that
 * group. Here a second connection on its own thread checkpoints instead, so
 * the event loop only appends to the log.
 *
 * Durability is unchanged: a commit is durable once it is in the WAL
 * (`synchronous=NORMAL` survives a process crash); checkpoints only move pages
 * into the main file. A PASSIVE checkpoint never blocks the writer. SQLite
 * rewinds the log only when a write starts with every frame already copied,
 * which under sustained ingest the worker never quite achieves on its own; so
 * once the log passes `restartPages` the worker asks the writer to hold its
 * next batched write (`holding()`, a few milliseconds), copies the last frames
 * and releases it: that write rewinds the log.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface CheckpointerOptions {
  /** The database file (its `-wal` log is what gets checkpointed). */
  file: string;
  /** Pause between checkpoint passes. */
  intervalMs?: number;
  /** Log size (pages) above which the worker holds the writer briefly so the log can rewind. */
  restartPages?: number;
}

export interface Checkpointer {
  /**
   * Asked by the writer before each batched write: true while the worker wants
   * the log to stop growing for a moment (it is about to copy its last pages so
   * the next write can rewind it). The writer then waits a few milliseconds.
   */
  holding(): boolean;
  /** Stops the worker after its current pass and closes its connection. */
  stop(): Promise<void>;
}

// Plain JavaScript, evaluated in the worker: no TypeScript loader needed there.
// shared[0]: stop request; shared[1]: hold (0 free, 1 asked, 2 granted by the writer).
const WORKER = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const shared = new Int32Array(workerData.shared);
const db = new Database(workerData.file);
const pass = () => db.pragma('wal_checkpoint(PASSIVE)')[0];
while (Atomics.load(shared, 0) === 0) {
  Atomics.wait(shared, 0, 0, workerData.intervalMs);
  if (Atomics.load(shared, 0) !== 0) break;
  try {
    const r = pass();
    if (r.busy === 0 && r.log >= workerData.restartPages) {
      pass();
      Atomics.store(shared, 1, 1);
      const deadline = Date.now() + workerData.holdWaitMs;
      while (Atomics.load(shared, 1) === 1 && Date.now() < deadline) Atomics.wait(shared, 1, 1, 5);
      try {
        pass();
      } finally {
        Atomics.store(shared, 1, 0);
      }
    }
  } catch {
    // Busy or closing: the next pass tries again; the writer's own fallback checkpoint still bounds the log.
  }
}
Atomics.store(shared, 1, 0);
db.close();
`;

/**
 * Starts checkpointing `file` on a worker thread.
 * @example const cp = startCheckpointer({ file: '/data/tandem.db' }); ...; await cp.stop();
 */
export function startCheckpointer(options: CheckpointerOptions): Checkpointer {
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      module: createRequire(import.meta.url).resolve('better-sqlite3'),
      file: options.file,
      shared: shared.buffer,
      intervalMs: options.intervalMs ?? 100,
      restartPages: options.restartPages ?? 16_384,
      holdWaitMs: 50,
    },
  });
  // A worker that cannot run leaves the writer's own (fallback) checkpoints in charge.
  worker.on('error', () => {});
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    holding() {
      if (Atomics.compareExchange(shared, 1, 1, 2) === 0) return false;
      Atomics.notify(shared, 1);
      return true;
    },
    async stop() {
      Atomics.store(shared, 0, 1);
      Atomics.notify(shared, 0);
      await exited;
    },
  };
}
