/**
 * Submissions by workflow within an organization: the designations that prioritize a submission
 * (Breakthrough) are looked up on every read of an FDA submission, and must not scan the
 * organization's whole portfolio.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('submissions', (t) => {
    t.index(['workflow_id', 'organization_id', 'status'], 'submissions_workflow_org_status_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('submissions', (t) => {
    t.dropIndex(['workflow_id', 'organization_id', 'status'], 'submissions_workflow_org_status_index');
  });
}
