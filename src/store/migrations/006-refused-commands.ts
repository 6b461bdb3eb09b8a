/**
 * Refused commands (issue 6): every command (create, event, document) refused with 403, 409 or
 * 412 leaves one row here, written by the HTTP layer after the command's own transaction rolled
 * back. Who tried what, on which submission, and why it was refused: never the request body,
 * passwords or tokens. Append-only like the history (21 CFR 11.10(e): the trail of attempted
 * operations is evidence too), and read by auditors at GET /v1/audit/refusals.
 */
import type { Knex } from 'knex';
import { makeAppendOnly } from './append-only.js';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('refused_commands', (t) => {
    t.string('id', 36).primary();
    t.string('recorded_at', 30).notNullable();
    t.string('actor_id', 36).notNullable();
    t.string('actor_name', 200).notNullable();
    t.string('actor_role', 20).notNullable();
    t.string('actor_organization_id', 36).nullable();
    t.string('actor_organization_name', 200).nullable();
    t.string('method', 10).notNullable();
    // The path as requested (no query string), cut to 2,000 characters.
    t.text('path').notNullable();
    // As named in the path (not a foreign key: a refused command may name anything).
    t.string('submission_id', 200).nullable();
    t.string('event_type', 64).nullable();
    t.integer('status').notNullable();
    t.string('code', 64).notNullable();
    t.text('detail').notNullable();
    t.string('request_id', 64).nullable();
    t.index(['recorded_at', 'id'], 'refused_commands_recorded_index');
    t.index(['submission_id', 'recorded_at', 'id'], 'refused_commands_submission_index');
    t.index(['actor_id', 'recorded_at', 'id'], 'refused_commands_actor_index');
  });
  await makeAppendOnly(knex, 'refused_commands');
}

export async function down(knex: Knex): Promise<void> {
  // Dropping the table drops its triggers on both dialects.
  await knex.schema.dropTableIfExists('refused_commands');
}
