/**
 * `submissions.deadline_calendar_version` and `deadline_calendar_sha256` (issue 9 §5, DESIGN §7):
 * the Mexican calendar a business-day deadline was counted under, its file's version and SHA-256.
 * A changed calendar file does not move a stored due date; `puente calendar recompute` does, with
 * a `CALENDAR_RECOMPUTED` record. NULL on other deadlines and on deadlines stored before this
 * migration (counted under the LFT art. 74 rule in code plus MX_NON_WORKING_DAYS_FILE).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('submissions', (t) => {
    t.string('deadline_calendar_version', 64).nullable();
    t.string('deadline_calendar_sha256', 64).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('submissions', (t) => {
    t.dropColumn('deadline_calendar_version');
    t.dropColumn('deadline_calendar_sha256');
  });
}
