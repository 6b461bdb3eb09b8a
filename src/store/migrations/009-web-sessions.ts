/**
 * The web interface (issue 7): sign-in sessions, and an optional e-mail to sign in with.
 *
 * A session row is keyed by the SHA-256 of the cookie's random token (the token itself is never
 * stored, like bearer tokens: 21 CFR 11.300). Sessions are not part of the record: signing out
 * or expiring deletes them. `expires_at` is the earlier of the idle and the absolute limit.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.string('email', 254).nullable();
  });
  // A separate unique index: SQLite cannot add a column with a UNIQUE constraint. NULLs are
  // distinct on both dialects, so users without an e-mail do not collide.
  await knex.schema.alterTable('users', (t) => {
    t.unique(['email'], { indexName: 'users_email_unique' });
  });
  await knex.schema.createTable('web_sessions', (t) => {
    t.string('token_hash', 64).primary();
    t.string('user_id', 36).notNullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.string('last_seen_at', 30).notNullable();
    t.string('expires_at', 30).notNullable();
    t.index(['user_id'], 'web_sessions_user');
    t.index(['expires_at'], 'web_sessions_expiry');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('web_sessions');
  await knex.schema.alterTable('users', (t) => {
    t.dropUnique(['email'], 'users_email_unique');
  });
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('email');
  });
}
