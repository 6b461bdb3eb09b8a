/**
 * E-mail notifications (issue 16 §2; DESIGN §10): each user's preferences, the mail outbox and
 * the messages (the delivery log).
 *
 * As with webhooks (migration 004), the outbox is filled by an AFTER INSERT trigger on
 * `transitions`, so every write path enqueues in the same transaction as the history row it
 * announces; it only enqueues while some user asked for immediate mail, so a database where no
 * one did pays one indexed existence check per history row and nothing else.
 *
 * A message is one row per (user, history record) (`mail_messages_user_transition`) or per
 * (user, digest day) (`mail_messages_user_digest`): however many dispatchers race, inserting it
 * twice is a no-op, so each person is told of each step once.
 *
 * The same statements on SQLite and PostgreSQL: strings for timestamps and dates, as elsewhere.
 */
import type { Knex } from 'knex';
import { createTransitionsTrigger, dropTransitionsTrigger, type TransitionsTrigger } from './transitions-trigger.js';

/** Each history record is queued for mail, while anyone wants immediate mail. */
const MAIL_OUTBOX_TRIGGER: TransitionsTrigger = {
  trigger: 'transitions_mail_outbox',
  fn: 'puente_enqueue_mail_outbox',
  pgBody: [
    "IF EXISTS (SELECT 1 FROM notification_preferences WHERE mode = 'immediate') THEN",
    '  INSERT INTO mail_outbox (transition_id, submission_id, recorded_at) VALUES (NEW.id, NEW.submission_id, NEW.recorded_at);',
    'END IF;',
  ],
  sqliteWhen: "EXISTS (SELECT 1 FROM notification_preferences WHERE mode = 'immediate')",
  sqliteBody: 'INSERT INTO mail_outbox (transition_id, submission_id, recorded_at) VALUES (NEW.id, NEW.submission_id, NEW.recorded_at);',
};

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notification_preferences', (t) => {
    t.string('user_id', 36).primary().references('id').inTable('users');
    t.string('mode', 16).notNullable(); // immediate | digest | off
    t.integer('digest_days_ahead').notNullable().defaultTo(14);
    // null: the account's own address (users.email), when it has one.
    t.string('email', 254).nullable();
    t.string('lang', 8).notNullable();
    // The origin the preferences were saved from: links in mail point at its pages.
    t.string('base_url', 2048).notNullable();
    // The last UTC day a digest was made for (claimed atomically, so one per day).
    t.string('last_digest_on', 10).nullable();
    t.string('updated_at', 30).notNullable();
    t.index(['mode'], 'notification_preferences_mode');
  });

  await knex.schema.createTable('mail_outbox', (t) => {
    t.bigIncrements('id');
    t.string('transition_id', 36).notNullable();
    t.string('submission_id', 36).notNullable();
    t.string('recorded_at', 30).notNullable();
  });

  await knex.schema.createTable('mail_messages', (t) => {
    t.string('id', 36).primary();
    t.string('user_id', 36).notNullable().references('id').inTable('users');
    t.string('kind', 16).notNullable(); // step | digest
    t.string('transition_id', 36).nullable();
    t.string('digest_on', 10).nullable();
    t.string('submission_id', 36).nullable();
    t.string('to_address', 254).notNullable();
    // Rendered once, when enqueued: every attempt sends the same message.
    t.string('subject', 500).notNullable();
    t.text('text_body').notNullable();
    t.text('html_body').notNullable();
    t.string('status', 16).notNullable(); // pending | sent | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('next_attempt_at', 30).nullable();
    t.integer('last_response_code').nullable();
    t.string('last_error', 500).nullable();
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.string('sent_at', 30).nullable();
    t.unique(['user_id', 'transition_id'], { indexName: 'mail_messages_user_transition' });
    t.unique(['user_id', 'digest_on'], { indexName: 'mail_messages_user_digest' });
    t.index(['status', 'next_attempt_at'], 'mail_messages_due_index');
  });

  await createTransitionsTrigger(knex, MAIL_OUTBOX_TRIGGER);
}

export async function down(knex: Knex): Promise<void> {
  await dropTransitionsTrigger(knex, MAIL_OUTBOX_TRIGGER);
  await knex.schema.dropTableIfExists('mail_messages');
  await knex.schema.dropTableIfExists('mail_outbox');
  await knex.schema.dropTableIfExists('notification_preferences');
}
