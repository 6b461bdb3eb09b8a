/**
 * `submissions.deadline_passed_seq` (issue 9 §1, domain.md §7.1): a deadline whose consequence is a
 * regulator's decision does not fire by itself; when it passes the sweeper writes one
 * `DEADLINE_PASSED` record and stores its `seq` here, so the deadline is shown as passed and is
 * no longer a sweeper candidate. NULL while the deadline runs, and on automatic deadlines.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('submissions', (t) => {
    t.integer('deadline_passed_seq').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('submissions', (t) => {
    t.dropColumn('deadline_passed_seq');
  });
}
