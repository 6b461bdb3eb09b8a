/** Raw SQL helpers shared by the stores (a leaf inside the store: it imports no store module). */
import type { Knex } from 'knex';

/**
 * The rows of a raw query on either driver. The hot path (authentication, load, guarded update,
 * history insert) runs fixed SQL text through `raw` so that no query builder is compiled per
 * request; every value still travels as a bound parameter.
 */
export async function rawRows<T>(db: Knex, sql: string, bindings: readonly Knex.RawBinding[]): Promise<T[]> {
  const result = (await db.raw(sql, bindings as Knex.RawBinding[])) as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}

/** True when `db` talks to PostgreSQL. Knex types its client as `any`; this is the one typed read of it. */
export function isPostgres(db: Knex): boolean {
  return (db.client as { config: { client?: unknown } }).config.client === 'pg';
}
