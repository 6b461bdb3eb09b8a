/**
 * Calendar feeds (issue 16 §1): one secret feed URL per user, for calendar clients that cannot
 * send a bearer token. Only the SHA-256 of the URL's secret is stored (like bearer tokens and web
 * sessions: 21 CFR 11.300); rotating replaces the row, revoking deletes it. `lang` is the
 * language the feed's words are written in, chosen when the URL was made.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calendar_feeds', (t) => {
    t.string('user_id', 36).primary().references('id').inTable('users');
    t.string('secret_hash', 64).notNullable().unique({ indexName: 'calendar_feeds_secret_hash' });
    t.string('lang', 8).notNullable();
    t.string('created_at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('calendar_feeds');
}
