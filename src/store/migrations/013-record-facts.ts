/**
 * The facts a guard decided on, in the history record (issue 8 §7): `transitions.facts` holds the
 * record's `facts` field as RFC 8785 canonical JSON text, like `data` and `signature`. Only
 * records of workflow versions that record facts have it; NULL elsewhere, and a NULL column is
 * no field at all, so every existing record (and its hash) stays exactly as it was.
 *
 * Adding a nullable column rewrites no row, so the triggers that keep the history append-only
 * (no UPDATE, no DELETE) are untouched on both dialects.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('transitions', (t) => {
    t.text('facts').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  // Plain SQL on both dialects (SQLite >= 3.35): Knex's SQLite dropColumn would copy the table.
  await knex.raw('ALTER TABLE transitions DROP COLUMN facts');
}
