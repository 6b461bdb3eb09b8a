/**
 * Online backup. SQLite: `VACUUM INTO` writes a consistent, compacted copy while the server runs
 * (readers and writers continue). The copy is then opened and every chain verified, so a backup
 * that cannot be trusted is never reported as good. PostgreSQL: use pg_dump (see README).
 */
import fs from 'node:fs';
import path from 'node:path';
import { verifyDatabase } from '../engine/verify.js';
import { openDatabase, type Database } from './db.js';

export class BackupError extends Error {}

export async function backupDatabase(db: Database, out: string): Promise<{ file: string; records: number; submissions: number }> {
  if (db.dialect !== 'sqlite') {
    throw new BackupError('puente backup copies SQLite databases; for PostgreSQL use: pg_dump --format=custom --file=puente.dump "$DATABASE_URL"');
  }
  const file = path.resolve(out);
  if (fs.existsSync(file)) throw new BackupError(`${file} already exists; choose a new file`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await db.knex.raw('VACUUM INTO ?', [file]);
  const copy = openDatabase(`sqlite:${file}`);
  try {
    const result = await verifyDatabase(copy.reader);
    if (!result.ok) throw new BackupError(`the backup at ${file} does not verify: ${JSON.stringify(result.breaks.slice(0, 3))}`);
    return { file, records: result.records, submissions: result.submissions };
  } finally {
    await copy.destroy();
  }
}
