/**
 * Edits behind puente's back, as an attacker with database access would: the append-only
 * triggers of a table are lifted for the edit and restored after it (PostgreSQL: disabled and
 * enabled; SQLite: dropped and created again as the migration made them).
 */
import type { Knex } from 'knex';
import { sqliteAppendOnlyTrigger } from '../../src/store/migrations/append-only.js';

const SQLITE_OPS = ['UPDATE', 'DELETE'] as const;

export async function tamper<T>(knex: Knex, table: string, edit: () => Promise<T>): Promise<T> {
  const postgres = knex.client.config.client === 'pg';
  if (postgres) await knex.raw(`ALTER TABLE ${table} DISABLE TRIGGER ${table}_append_only`);
  else for (const op of SQLITE_OPS) await knex.raw(`DROP TRIGGER IF EXISTS ${table}_no_${op.toLowerCase()}`);
  try {
    return await edit();
  } finally {
    if (postgres) await knex.raw(`ALTER TABLE ${table} ENABLE TRIGGER ${table}_append_only`);
    else for (const op of SQLITE_OPS) await knex.raw(sqliteAppendOnlyTrigger(table, op));
  }
}
