/**
 * Online backup: the store writes a consistent copy (src/store/backup.ts), then the copy is opened
 * and every chain verified, so a backup that cannot be trusted is never reported as good. This
 * module sits above both, since the store may not import the engine (DESIGN §2).
 */
import { verifyDatabase } from './engine/verify.js';
import { BackupError, copyDatabase } from './store/backup.js';
import { openDatabase, type Database } from './store/db.js';

export { BackupError };

export async function backupDatabase(db: Database, out: string): Promise<{ file: string; records: number; submissions: number }> {
  const file = await copyDatabase(db, out);
  const copy = openDatabase(`sqlite:${file}`);
  try {
    const result = await verifyDatabase(copy.reader);
    if (!result.ok) throw new BackupError(`the backup at ${file} does not verify: ${JSON.stringify(result.breaks.slice(0, 3))}`);
    return { file, records: result.records, submissions: result.submissions };
  } finally {
    await copy.destroy();
  }
}
