/**
 * The security log (issue 8; 21 CFR 11.10(e), 11.300): user lifecycle and security actions
 * (users created, disabled and enabled, passwords set, changed and reset, signing locked and
 * unlocked, tokens issued and rotated, refused signatures and refused admin actions) in one
 * append-only, hash-chained table. Each row's `hash` is the SHA-256 of the JCS canonical JSON of
 * the record without its hash (src/security-log.ts), and names its predecessor's in `prev_hash`.
 * UPDATE and DELETE are refused by a trigger on both dialects, as for `transitions`.
 *
 * Also on `users`:
 * - `token_issued_at`: when the current bearer token was issued (TOKEN_MAX_DAYS counts from it;
 *   rows from before are counted from `created_at`);
 * - `password_reset_hash`, `password_reset_expires_at`: the SHA-256 of a pending one-time reset
 *   credential and when it stops working (PASSWORD_RESET_HOURS). The credential itself is never stored.
 */
import type { Knex } from 'knex';
import { makeAppendOnly } from './append-only.js';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('security_log', (t) => {
    // Allocated by the appender under a lock (max + 1): the chain is one line, without gaps.
    t.bigInteger('seq').primary();
    t.string('type', 64).notNullable();
    t.string('subject_id', 36).nullable();
    t.string('actor_id', 36).nullable();
    t.string('actor_name', 200).notNullable();
    t.string('actor_role', 32).notNullable();
    t.text('data').notNullable();
    t.string('recorded_at', 30).notNullable();
    t.string('prev_hash', 64).notNullable();
    t.string('hash', 64).notNullable();
    t.index(['subject_id', 'seq'], 'security_log_subject');
    t.index(['type', 'seq'], 'security_log_type');
  });
  await knex.schema.alterTable('users', (t) => {
    t.string('token_issued_at', 30).nullable();
    t.string('password_reset_hash', 64).nullable();
    t.string('password_reset_expires_at', 30).nullable();
  });
  await knex.schema.alterTable('users', (t) => {
    t.unique(['password_reset_hash'], { indexName: 'users_password_reset_hash_unique' });
  });
  await makeAppendOnly(knex, 'security_log');
}

export async function down(): Promise<void> {
  // The record is never dropped by a migration.
  throw new Error('010-security-log cannot be rolled back: the security log is append-only');
}
