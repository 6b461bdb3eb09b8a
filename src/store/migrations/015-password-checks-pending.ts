/**
 * Password checks in flight (issue 8 §4), apart from the failures they may turn out to be:
 * - `users.signature_checks_pending`: checks reserved and not yet finished. A check is reserved
 *   only while confirmed failures plus pending checks are below the limit, so at most that many
 *   wrong passwords are ever checked, while right passwords checked at once by a busy signer
 *   wait for a slot instead of counting as failures.
 * - `users.signature_checks_since`: when the last check was reserved; pending checks older than a
 *   minute (a process that died mid-check) no longer hold slots.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.integer('signature_checks_pending').notNullable().defaultTo(0);
    t.string('signature_checks_since', 30).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('signature_checks_pending');
  });
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('signature_checks_since');
  });
}
