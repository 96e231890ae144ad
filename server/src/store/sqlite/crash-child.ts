/**
 * Test fixture for crash-safety.test.ts: inserts 50-event batches into the
 * SQLite store in `argv[2]` forever, printing `committed <n>` after each
 * insert has returned. The test SIGKILLs it mid-stream.
 */
import { crashBatch } from './crash-fixture.ts';
import { openSqliteStore } from './sqlite-store.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: crash-child.ts <dataDir>');
const store = openSqliteStore({ dataDir });
await store.migrate();

for (let n = 0; ; n++) {
  await store.insertEvents(crashBatch(n));
  // stdout to a pipe is synchronous on Linux: once this line is out, the commit has returned.
  process.stdout.write(`committed ${n}\n`);
}
