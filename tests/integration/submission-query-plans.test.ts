/**
 * The submission lookups that run on every command and every read of a submission use an index
 * that starts with their equality filter, on a database the size of the bench (10,000 active
 * submissions of one organization). A registration's relying ids (`relyingIds`, read by every
 * event's write and by each submission page's next steps) once paged through the
 * (status, id) index instead: SQLite, choosing without statistics, preferred an index that
 * avoids the sort, and each event then scanned every active submission (3.6 ms of 5 on a 10,000
 * submission database). No timing is asserted: the plans are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../../bench/seed.js';
import { relyingSubmissionIds, relyingSubmissionsQuery } from '../../src/store/submission-store.js';
import { DIALECT } from '../support/db.js';
import { createTestContext, type TestContext } from '../support/fixtures.js';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
  await seed(ctx.services.db.knex, { count: 2_000, rowsEach: 4, longCount: 0 });
  if (DIALECT === 'postgres') await ctx.services.db.knex.raw('ANALYZE submissions');
}, 120_000);
afterAll(() => ctx?.close());

async function plan(sql: string, bindings: readonly unknown[]): Promise<string> {
  const knex = ctx.services.db.knex;
  if (DIALECT === 'sqlite') {
    const rows = (await knex.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings as never)) as Array<{ detail: string }>;
    return rows.map((r) => r.detail).join('\n');
  }
  return knex.transaction(async (trx) => {
    await trx.raw('SET LOCAL enable_seqscan = off');
    const res = (await trx.raw(`EXPLAIN ${sql.replace(/\$\d+/g, '?')}`, bindings as never)) as { rows: Array<{ 'QUERY PLAN': string }> };
    return res.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

describe(`submission lookups on ${DIALECT}`, () => {
  it('reads the submissions relying on a reference through the reference index, not every active submission', async () => {
    const { sql, bindings } = relyingSubmissionsQuery(ctx.services.db.knex, '01900000-0000-7000-8000-000000000000').toSQL().toNative();
    const p = await plan(sql, bindings);
    expect(p).toContain('submissions_reference_status_id_index');
    expect(p).not.toContain('submissions_status_id_index');
  });

  it('finds the active submissions relying on a reference, in id order', async () => {
    const knex = ctx.services.db.knex;
    const [a, b, c] = (await knex('submissions').orderBy('id').limit(3).select('id')) as Array<{ id: string }>;
    // Two registrations relying on the first submission, one of them closed.
    await knex('submissions').where('id', b!.id).update({ reference_submission_id: a!.id });
    await knex('submissions').where('id', c!.id).update({ reference_submission_id: a!.id, status: 'closed' });
    expect(await relyingSubmissionIds(knex, a!.id)).toEqual([b!.id]);
  });
});
