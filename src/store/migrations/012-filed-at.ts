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
import { isPostgres } from '../sql.js';

/** History record types that file a submission with its regulator (frozen with this migration). */
export const FILING_RECORD_TYPES = ['SUBMIT', 'REQUEST_HUD', 'SUBMIT_HDE', 'REQUEST_DESIGNATION'] as const;

const TYPES_SQL = FILING_RECORD_TYPES.map((t) => `'${t}'`).join(', ');

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
  if (isPostgres(knex)) {
    await knex.raw(`
      CREATE FUNCTION puente_mark_filed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE submissions SET filed_at = NEW.recorded_at WHERE id = NEW.submission_id AND filed_at IS NULL;
        RETURN NULL;
      END $$`);
    await knex.raw(
      `CREATE TRIGGER transitions_filed_at AFTER INSERT ON transitions FOR EACH ROW WHEN (NEW.type IN (${TYPES_SQL})) EXECUTE FUNCTION puente_mark_filed()`,
    );
  } else {
    await knex.raw(`
      CREATE TRIGGER transitions_filed_at AFTER INSERT ON transitions
      WHEN NEW.type IN (${TYPES_SQL})
      BEGIN
        UPDATE submissions SET filed_at = NEW.recorded_at WHERE id = NEW.submission_id AND filed_at IS NULL;
      END`);
  }
}

export async function down(knex: Knex): Promise<void> {
  if (isPostgres(knex)) {
    await knex.raw('DROP TRIGGER IF EXISTS transitions_filed_at ON transitions');
    await knex.raw('DROP FUNCTION IF EXISTS puente_mark_filed()');
  } else {
    await knex.raw('DROP TRIGGER IF EXISTS transitions_filed_at');
  }
  await knex.raw('DROP INDEX IF EXISTS submissions_filed_jurisdiction_id');
  // Plain SQL on both dialects (SQLite >= 3.35): Knex's SQLite dropColumn would copy the table.
  await knex.raw('ALTER TABLE submissions DROP COLUMN filed_at');
}
