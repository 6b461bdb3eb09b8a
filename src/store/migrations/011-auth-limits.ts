/**
 * Locks and limits that hold across processes (issue 8 §4): they live in the database, so every
 * process on one database shares them.
 *
 * - `users.signature_attempts`: a per-user sequence of reserved password checks. A check is
 *   reserved (and counted in `signature_failures`) by one guarded UPDATE before scrypt runs, so at
 *   most `SIGNING_MAX_FAILURES` wrong passwords are ever checked; a success lowers the run to the
 *   reservations made after its own (`signature_attempts - its number`), so a wrong password
 *   checked concurrently is never forgotten.
 * - `auth_failures`: failed authentications (bad bearer tokens, sign-ins with an unknown name)
 *   per key in a fixed window. The key is the SHA-256 of scope, client address and identifier,
 *   so neither typed names nor token fragments are stored.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.integer('signature_attempts').notNullable().defaultTo(0);
  });
  await knex.schema.createTable('auth_failures', (t) => {
    t.string('key_hash', 64).primary();
    t.integer('failures').notNullable();
    t.string('window_ends_at', 30).notNullable();
    t.index(['window_ends_at'], 'auth_failures_window');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('auth_failures');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('signature_attempts');
  });
}
