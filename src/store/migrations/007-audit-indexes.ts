/**
 * Indexes for the auditor's cross-submission history query (GET /v1/audit/transitions and the
 * export), which pages on (recorded_at, id). Each equality filter gets an index that starts with
 * it and continues in page order, so a page costs the same on a million rows whether the filter
 * matches most rows or almost none (checked with EXPLAIN in tests/integration/audit-store.test.ts):
 * without them a rare actor, role or event type would scan the whole history for one page.
 * A submission's own rows come from (submission_id, seq); an organization's through its
 * submissions (organization_id, id); an effective-date range from effective_at.
 *
 * (recorded_at, id) replaces 001's single-column recorded_at index: it serves every query that
 * one did, and with both PostgreSQL would sometimes pick the narrower one and sort each page.
 */
import type { Knex } from 'knex';

const INDEXES: ReadonlyArray<[string, string[]]> = [
  ['transitions_recorded_id_index', ['recorded_at', 'id']],
  ['transitions_actor_recorded_index', ['actor_id', 'recorded_at', 'id']],
  ['transitions_role_recorded_index', ['actor_role', 'recorded_at', 'id']],
  ['transitions_type_recorded_index', ['type', 'recorded_at', 'id']],
  ['transitions_workflow_recorded_index', ['workflow_id', 'recorded_at', 'id']],
  ['transitions_effective_index', ['effective_at']],
];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('transitions', (t) => {
    for (const [name, columns] of INDEXES) t.index(columns, name);
    t.dropIndex(['recorded_at'], 'transitions_recorded_at_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('transitions', (t) => {
    t.index(['recorded_at'], 'transitions_recorded_at_index');
    for (const [name, columns] of INDEXES) t.dropIndex(columns, name);
  });
}
