/**
 * `submissions.filed_at` (issue 8 §6, DESIGN §3 and §9): when the submission was filed, that is
 * the `recordedAt` of its first filing record; NULL while it is a draft. Regulators see a
 * submission of their jurisdiction only from then on, and for good (a withdrawal does not hide
 * it again), so the column is set once and never cleared.
 *
 * The filing records: `SUBMIT` in every pathway that has it; the HUD designation request
 * (`REQUEST_HUD`, fda-hde: the first thing FDA receives; `SUBMIT_HDE` always follows it) and the
 * Breakthrough designation request (`REQUEST_DESIGNATION`, fda-breakthrough), which have no
 * SUBMIT. A trigger on the history table sets the column in the transaction that inserts the
 * record, so every write path (commands, imports, the sweeper) files alike and the column always
 * agrees with the chain; existing rows are backfilled from their history.
 *
 * Listings of a reviewer's jurisdiction read (jurisdiction, id) among filed rows only: a partial
 * index keeps that an index range scan on both dialects.
 */
import type { Knex } from 'knex';
import { createTransitionsTrigger, dropTransitionsTrigger, type TransitionsTrigger } from './transitions-trigger.js';

/** History record types that file a submission with its regulator (frozen with this migration). */
export const FILING_RECORD_TYPES = ['SUBMIT', 'REQUEST_HUD', 'SUBMIT_HDE', 'REQUEST_DESIGNATION'] as const;

const TYPES_SQL = FILING_RECORD_TYPES.map((t) => `'${t}'`).join(', ');

/** A filing record sets `filed_at`, once. */
const FILED_AT_TRIGGER: TransitionsTrigger = {
  trigger: 'transitions_filed_at',
  fn: 'puente_mark_filed',
  pgBody: ['UPDATE submissions SET filed_at = NEW.recorded_at WHERE id = NEW.submission_id AND filed_at IS NULL;'],
  pgWhen: `NEW.type IN (${TYPES_SQL})`,
  sqliteWhen: `NEW.type IN (${TYPES_SQL})`,
  sqliteBody: 'UPDATE submissions SET filed_at = NEW.recorded_at WHERE id = NEW.submission_id AND filed_at IS NULL;',
};

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('submissions', (t) => {
    t.string('filed_at', 30).nullable();
  });
  await knex.raw(
    `UPDATE submissions SET filed_at = (
       SELECT t.recorded_at FROM transitions t WHERE t.submission_id = submissions.id AND t.type IN (${TYPES_SQL}) ORDER BY t.seq LIMIT 1
     )`,
  );
  await knex.raw('CREATE INDEX submissions_filed_jurisdiction_id ON submissions (jurisdiction, id) WHERE filed_at IS NOT NULL');
  await createTransitionsTrigger(knex, FILED_AT_TRIGGER);
}

export async function down(knex: Knex): Promise<void> {
  await dropTransitionsTrigger(knex, FILED_AT_TRIGGER);
  await knex.raw('DROP INDEX IF EXISTS submissions_filed_jurisdiction_id');
  // Plain SQL on both dialects (SQLite >= 3.35): Knex's SQLite dropColumn would copy the table.
  await knex.raw('ALTER TABLE submissions DROP COLUMN filed_at');
}
