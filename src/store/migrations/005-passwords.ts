/**
 * Passwords for Part 11 electronic signatures (issue 6; 21 CFR 11.200, 11.300). Each user may
 * hold one scrypt password hash (PHC string: algorithm, parameters, salt and hash together, so
 * the cost can rise later without a migration); consecutive failed re-authentications are
 * counted, and the count reaching the limit locks signing until an administrator unlocks it.
 * Bearer tokens are unchanged: a token identifies the caller, the password re-authenticates the
 * person at the moment of signing.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.string('password_hash', 255).nullable();
    t.string('password_changed_at', 30).nullable();
    t.integer('signature_failures').notNullable().defaultTo(0);
    t.string('signing_locked_at', 30).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('signing_locked_at');
    t.dropColumn('signature_failures');
    t.dropColumn('password_changed_at');
    t.dropColumn('password_hash');
  });
}
