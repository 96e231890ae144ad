/** Numbered SQL migrations (`001-init.sql`, `002-….sql`) read from a store's folder. */
import { readdirSync, readFileSync } from 'node:fs';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE = /^(\d{3,})-([a-z0-9-]+)\.sql$/;

/**
 * Reads every migration in `dir`, ascending by number.
 * @example readMigrations(new URL('./migrations/', import.meta.url))
 */
export function readMigrations(dir: URL): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir)) {
    const match = FILE.exec(file);
    if (!match) continue;
    migrations.push({ version: Number(match[1]), name: match[2]!, sql: readFileSync(new URL(file, dir), 'utf8') });
  }
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) {
      throw new Error(`two migrations are numbered ${migrations[i]!.version} in ${dir.pathname}`);
    }
  }
  return migrations;
}
