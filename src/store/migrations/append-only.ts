/**
 * The append-only rule of a table, as database triggers on both dialects: `UPDATE` and `DELETE`
 * (and on PostgreSQL `TRUNCATE`) are rejected. PostgreSQL's triggers call `puente_reject_change()`,
 * which 001-initial creates. Shared by every migration that adds an append-only table, so the
 * statements stay the same as the ones already applied.
 */
import type { Knex } from 'knex';
import { isPostgres } from '../sql.js';

/** The SQLite trigger that rejects `op` on `table` (also what tests restore after lifting it). */
export function sqliteAppendOnlyTrigger(table: string, op: 'UPDATE' | 'DELETE'): string {
  return `CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, 'puente: ${table} is append-only: ${op} rejected'); END`;
}

export async function makeAppendOnly(knex: Knex, table: string): Promise<void> {
  if (isPostgres(knex)) {
    await knex.raw(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION puente_reject_change()`);
    await knex.raw(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION puente_reject_change()`);
  } else {
    for (const op of ['UPDATE', 'DELETE'] as const) await knex.raw(sqliteAppendOnlyTrigger(table, op));
  }
}
