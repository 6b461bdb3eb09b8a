/**
 * The core schema: organizations, users, submissions, the append-only history (`transitions`),
 * idempotency keys, documents and their content-addressed bytes (`blobs`).
 *
 * Timestamps are ISO 8601 UTC strings on both dialects: the hash chain signs exactly these
 * strings, so no driver may re-render them.
 */
import type { Knex } from 'knex';
import { isPostgres } from '../sql.js';
import { makeAppendOnly } from './append-only.js';

/** Tables that are part of the record: no UPDATE, no DELETE, ever (21 CFR 11.10(e)). */
const APPEND_ONLY = ['transitions', 'documents', 'blobs'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('organizations', (t) => {
    t.string('id', 36).primary();
    t.string('name', 200).notNullable().unique();
    t.string('created_at', 30).notNullable();
  });

  await knex.schema.createTable('users', (t) => {
    t.string('id', 36).primary();
    t.string('name', 200).notNullable();
    t.string('role', 20).notNullable();
    t.string('organization_id', 36).nullable().references('id').inTable('organizations');
    t.string('token_hash', 64).notNullable().unique();
    t.boolean('disabled').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
  });

  await knex.schema.createTable('submissions', (t) => {
    t.string('id', 36).primary();
    t.string('organization_id', 36).notNullable().references('id').inTable('organizations');
    t.string('workflow_id', 64).notNullable();
    t.integer('workflow_version').notNullable();
    t.string('jurisdiction', 16).notNullable();
    t.string('title', 500).notNullable();
    t.string('device_name', 500).notNullable();
    t.text('device').notNullable();
    t.text('input').notNullable();
    t.string('state', 128).notNullable();
    t.string('status', 16).notNullable();
    t.text('snapshot').notNullable();
    t.string('xstate_version', 16).notNullable();
    t.integer('version').notNullable();
    t.string('reference_submission_id', 36).nullable().references('id').inTable('submissions');
    t.text('dossier_present').notNullable();
    t.integer('head_seq').notNullable();
    t.string('head_hash', 64).notNullable();
    t.string('last_effective_at', 30).nullable();
    t.string('state_since', 30).notNullable();
    t.string('deadline_kind', 64).nullable();
    t.string('deadline_due_date', 10).nullable();
    t.string('deadline_event', 64).nullable();
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['organization_id', 'id']);
    t.index(['workflow_id', 'id']);
    t.index(['jurisdiction', 'id']);
    t.index(['status', 'id']);
    t.index(['reference_submission_id']);
    t.index(['deadline_due_date']);
  });

  await knex.schema.createTable('transitions', (t) => {
    t.string('id', 36).primary();
    t.string('submission_id', 36).notNullable().references('id').inTable('submissions');
    t.integer('seq').notNullable();
    t.string('type', 64).notNullable();
    t.text('data').notNullable();
    t.string('from_state', 128).nullable();
    t.string('to_state', 128).notNullable();
    t.string('actor_id', 36).notNullable();
    t.string('actor_name', 200).notNullable();
    t.string('actor_role', 20).notNullable();
    t.text('actor_organization').nullable();
    t.text('comment').nullable();
    t.string('effective_at', 30).notNullable();
    t.string('recorded_at', 30).notNullable();
    t.text('signature').nullable();
    t.string('workflow_id', 64).notNullable();
    t.integer('workflow_version').notNullable();
    t.string('definition_hash', 64).notNullable();
    t.string('prev_hash', 64).notNullable();
    t.string('hash', 64).notNullable();
    t.unique(['submission_id', 'seq']);
    t.index(['recorded_at']);
  });

  await knex.schema.createTable('idempotency_keys', (t) => {
    t.string('user_id', 36).notNullable().references('id').inTable('users');
    t.string('key', 255).notNullable();
    t.string('request_hash', 64).notNullable();
    t.integer('status_code').notNullable();
    t.text('response').notNullable();
    t.string('created_at', 30).notNullable();
    t.primary(['user_id', 'key']);
  });

  await knex.schema.createTable('blobs', (t) => {
    t.string('sha256', 64).primary();
    t.bigInteger('size').notNullable();
    t.binary('bytes').notNullable();
  });

  await knex.schema.createTable('documents', (t) => {
    t.string('id', 36).primary();
    t.string('submission_id', 36).notNullable().references('id').inTable('submissions');
    t.string('kind', 64).notNullable();
    t.string('filename', 255).notNullable();
    t.string('content_type', 200).notNullable();
    t.string('sha256', 64).notNullable().references('sha256').inTable('blobs');
    t.bigInteger('size').notNullable();
    t.string('uploaded_by', 36).notNullable().references('id').inTable('users');
    t.string('created_at', 30).notNullable();
    t.index(['submission_id', 'kind']);
  });

  if (isPostgres(knex)) {
    await knex.raw(`
      CREATE FUNCTION puente_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'puente: % is append-only: % rejected', TG_TABLE_NAME, TG_OP;
      END $$`);
  }
  for (const table of APPEND_ONLY) await makeAppendOnly(knex, table);
}

export async function down(): Promise<void> {
  // The record is never dropped by a migration.
  throw new Error('001-initial cannot be rolled back: the history is append-only');
}
