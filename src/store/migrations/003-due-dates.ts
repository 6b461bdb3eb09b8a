/**
 * Due dates for portfolio queries and the sweeper (issue 5). They are derived from the history
 * (src/engine/clocks.ts) and rewritten by every command on the submission, never counted up:
 * - `next_due_key`: the next date the submission faces (a hard deadline or an open goal that is
 *   running), `9999-12-31` when none, so that `sort=nextDue` pages on an index;
 * - `next_due_kind`: what falls due then;
 * - `goal_due_date`: the earliest due date of an open goal whose count is running (a goal paused on
 *   a hold cannot be missed): the sweeper looks for the ones past it;
 * - `goal_missed`: some goal of the submission was missed (portfolio `overdue`).
 */
import type { Knex } from 'knex';

export const NO_DUE_DATE = '9999-12-31';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('submissions', (t) => {
    t.string('next_due_key', 10).notNullable().defaultTo(NO_DUE_DATE);
    t.string('next_due_kind', 64).nullable();
    t.string('goal_due_date', 10).nullable();
    t.boolean('goal_missed').notNullable().defaultTo(false);
    t.index(['next_due_key', 'id'], 'submissions_next_due_index');
    t.index(['status', 'goal_due_date'], 'submissions_status_goal_due_index');
    t.index(['status', 'deadline_due_date'], 'submissions_status_deadline_due_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('submissions', (t) => {
    t.dropIndex(['next_due_key', 'id'], 'submissions_next_due_index');
    t.dropIndex(['status', 'goal_due_date'], 'submissions_status_goal_due_index');
    t.dropIndex(['status', 'deadline_due_date'], 'submissions_status_deadline_due_index');
    t.dropColumn('next_due_key');
    t.dropColumn('next_due_kind');
    t.dropColumn('goal_due_date');
    t.dropColumn('goal_missed');
  });
}
