/** The storage layer: one `Store` contract, a SQLite and a PostgreSQL implementation. */
import { openPostgresStore } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './types.ts';

export { isAttachedAt } from './facts.ts';
export { openPostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.ts';
export { openSqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.ts';
export type * from './types.ts';

/** The part of the server config that picks and places the store. */
export interface StoreConfig {
  /** PostgreSQL when set (DATABASE_URL); otherwise SQLite in `dataDir`. */
  databaseUrl?: string | null;
  dataDir: string;
}

/**
 * Opens PostgreSQL when `databaseUrl` is set, else the SQLite file in `dataDir`.
 * Not migrated: call `migrate()` (the `tandem migrate` command, or at start-up).
 * @example const store = openStore({ databaseUrl: null, dataDir: './.tandem' }); await store.migrate();
 */
export function openStore(config: StoreConfig): Store {
  if (config.databaseUrl) return openPostgresStore({ url: config.databaseUrl });
  return openSqliteStore({ dataDir: config.dataDir });
}
