/**
 * An `AFTER INSERT` trigger on the history table, as migrations 004, 008 and 012 create and drop
 * it on both dialects: on PostgreSQL a plpgsql function (the body, then `RETURN NULL`) called for
 * each row, on SQLite a trigger with the body inline. Shared so the statements stay, to the
 * character, the ones those released migrations have always run.
 */
import type { Knex } from 'knex';
import { isPostgres } from '../sql.js';

export interface TransitionsTrigger {
  /** The trigger's name on both dialects. */
  readonly trigger: string;
  /** PostgreSQL: the trigger function's name. */
  readonly fn: string;
  /** PostgreSQL: the function body's statements, one a line (nested lines indented by two spaces). */
  readonly pgBody: readonly string[];
  /** PostgreSQL: the row condition of `FOR EACH ROW WHEN (…)`, if any. */
  readonly pgWhen?: string;
  /** SQLite: the statement the trigger runs (ending in `;`). */
  readonly sqliteBody: string;
  /** SQLite: the trigger's `WHEN` condition, if any. */
  readonly sqliteWhen?: string;
}

export async function createTransitionsTrigger(knex: Knex, t: TransitionsTrigger): Promise<void> {
  if (isPostgres(knex)) {
    const body = t.pgBody.map((line) => `\n        ${line}`).join('');
    await knex.raw(`
      CREATE FUNCTION ${t.fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN${body}
        RETURN NULL;
      END $$`);
    const when = t.pgWhen ? `WHEN (${t.pgWhen}) ` : '';
    await knex.raw(`CREATE TRIGGER ${t.trigger} AFTER INSERT ON transitions FOR EACH ROW ${when}EXECUTE FUNCTION ${t.fn}()`);
  } else {
    const when = t.sqliteWhen ? `\n      WHEN ${t.sqliteWhen}` : '';
    await knex.raw(`
      CREATE TRIGGER ${t.trigger} AFTER INSERT ON transitions${when}
      BEGIN
        ${t.sqliteBody}
      END`);
  }
}

export async function dropTransitionsTrigger(knex: Knex, t: Pick<TransitionsTrigger, 'trigger' | 'fn'>): Promise<void> {
  if (isPostgres(knex)) {
    await knex.raw(`DROP TRIGGER IF EXISTS ${t.trigger} ON transitions`);
    await knex.raw(`DROP FUNCTION IF EXISTS ${t.fn}()`);
  } else {
    await knex.raw(`DROP TRIGGER IF EXISTS ${t.trigger}`);
  }
}
