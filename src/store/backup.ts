/**
 * Online backup, the store's half. SQLite: `VACUUM INTO` writes a consistent, compacted copy while
 * the server runs (readers and writers continue). PostgreSQL: use pg_dump (see README). Verifying
 * the copy's chains is the engine's business (src/backup.ts); the store only copies.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from './db.js';

export class BackupError extends Error {}

/** Writes a consistent copy of a SQLite database to `out` (which must not exist); returns its absolute path. */
export async function copyDatabase(db: Database, out: string): Promise<string> {
  if (db.dialect !== 'sqlite') {
    throw new BackupError('puente backup copies SQLite databases; for PostgreSQL use: pg_dump --format=custom --file=puente.dump "$DATABASE_URL"');
  }
  const file = path.resolve(out);
  if (fs.existsSync(file)) throw new BackupError(`${file} already exists; choose a new file`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await db.knex.raw('VACUUM INTO ?', [file]);
  return file;
}
