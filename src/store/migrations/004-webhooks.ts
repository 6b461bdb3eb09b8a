/**
 * Webhook notifications (issue 5): subscriptions, the transactional outbox, deliveries (the
 * delivery log) and the de-duplication of deadline warnings.
 *
 * The outbox is filled by an AFTER INSERT trigger on `transitions`, so every write path (the
 * engine's knex transactions and the SQLite one-script write alike) enqueues in the same
 * transaction as the history row it announces: an event is announced if and only if it was
 * committed. The trigger only enqueues while some subscription exists, so a database without
 * subscribers pays one indexed existence check per history row and nothing else.
 */
import type { Knex } from 'knex';
import { createTransitionsTrigger, dropTransitionsTrigger, type TransitionsTrigger } from './transitions-trigger.js';

/** Each history record is queued for delivery, while any subscription exists. */
const OUTBOX_TRIGGER: TransitionsTrigger = {
  trigger: 'transitions_outbox',
  fn: 'puente_enqueue_outbox',
  pgBody: [
    'IF EXISTS (SELECT 1 FROM webhook_subscriptions) THEN',
    '  INSERT INTO outbox (transition_id, submission_id, type, recorded_at) VALUES (NEW.id, NEW.submission_id, NEW.type, NEW.recorded_at);',
    'END IF;',
  ],
  sqliteWhen: 'EXISTS (SELECT 1 FROM webhook_subscriptions)',
  sqliteBody: 'INSERT INTO outbox (transition_id, submission_id, type, recorded_at) VALUES (NEW.id, NEW.submission_id, NEW.type, NEW.recorded_at);',
};

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhook_subscriptions', (t) => {
    t.string('id', 36).primary();
    t.string('owner_id', 36).notNullable().references('id').inTable('users');
    // null: every organization (admins only).
    t.string('organization_id', 36).nullable().references('id').inTable('organizations');
    t.string('url', 2048).notNullable();
    // JSON arrays, or null for "all".
    t.text('event_types').nullable();
    t.text('workflows').nullable();
    t.integer('deadline_warning_days').nullable();
    // The HMAC key. Kept as is because signing needs it (unlike bearer tokens, which are only
    // compared and so stored as SHA-256); it leaves the server once, in the creation response.
    t.string('secret', 100).notNullable();
    t.string('created_at', 30).notNullable();
    t.index(['owner_id', 'id']);
    t.index(['organization_id']);
  });

  await knex.schema.createTable('outbox', (t) => {
    t.bigIncrements('id');
    t.string('transition_id', 36).notNullable();
    t.string('submission_id', 36).notNullable();
    t.string('type', 64).notNullable();
    t.string('recorded_at', 30).notNullable();
  });

  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.string('id', 36).primary();
    t.string('subscription_id', 36).notNullable().references('id').inTable('webhook_subscriptions').onDelete('CASCADE');
    // The transition id for history events; a generated id for deadline warnings.
    t.string('event_id', 36).notNullable();
    t.string('event_type', 64).notNullable();
    t.string('submission_id', 36).notNullable();
    // The exact JSON body sent on every attempt.
    t.text('payload').notNullable();
    t.string('status', 16).notNullable(); // pending | delivered | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('next_attempt_at', 30).nullable();
    t.integer('last_status_code').nullable();
    t.string('last_error', 500).nullable();
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.string('delivered_at', 30).nullable();
    t.unique(['subscription_id', 'event_id']);
    t.index(['status', 'next_attempt_at'], 'webhook_deliveries_due_index');
    t.index(['subscription_id', 'id'], 'webhook_deliveries_log_index');
  });

  await knex.schema.createTable('webhook_deadline_warnings', (t) => {
    t.string('subscription_id', 36).notNullable().references('id').inTable('webhook_subscriptions').onDelete('CASCADE');
    t.string('submission_id', 36).notNullable();
    t.string('deadline_kind', 64).notNullable();
    t.string('due_date', 10).notNullable();
    t.string('delivery_id', 36).notNullable();
    t.string('created_at', 30).notNullable();
    t.primary(['subscription_id', 'submission_id', 'deadline_kind', 'due_date']);
  });

  await createTransitionsTrigger(knex, OUTBOX_TRIGGER);
}

export async function down(knex: Knex): Promise<void> {
  await dropTransitionsTrigger(knex, OUTBOX_TRIGGER);
  await knex.schema.dropTableIfExists('webhook_deadline_warnings');
  await knex.schema.dropTableIfExists('webhook_deliveries');
  await knex.schema.dropTableIfExists('outbox');
  await knex.schema.dropTableIfExists('webhook_subscriptions');
}
