/**
 * Migration 017 (tracker issue 18 §1): a missed goal still owed is the row's next date and overdue
 * work. Rows written before keep the old cached due dates until their next write, so the services
 * recount every active submission's once when the migration is applied: the columns follow the
 * history, nothing is chained, the version stays, and verify passes. Real SQLite (PostgreSQL with
 * TEST_DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDatabase } from '../../src/engine/verify.js';
import { createTestContext, testApp, type TestContext } from '../support/fixtures.js';
import { Api, body510k } from '../http/helpers.js';

let clock = new Date('2026-01-05T15:00:00Z');
let ctx: TestContext;
let api: Api;

beforeAll(async () => {
  ctx = await createTestContext({ now: () => clock });
  api = new Api(testApp(ctx));
});
afterAll(async () => ctx?.close());

describe('recounting the stored due dates (migration 017)', () => {
  it('a row that kept the old cache gets the history’s due dates, with no record and no new version', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const s = await api.create(m, body510k('Refresh 510(k)'));
    await api.send(m, s.id, 'SUBMIT');
    await api.send(fda, s.id, 'FEE_VERIFIED');
    await api.send(fda, s.id, 'SCREEN_PASS');
    const knex = ctx.services.db.knex;
    const fresh = await knex('submissions').where({ id: s.id }).first();
    // The cache as an older release wrote it: nothing due, nothing missed.
    await knex('submissions').where({ id: s.id }).update({ next_due_key: '9999-12-31', next_due_kind: null, goal_missed: false });
    const records = (await api.history(m, s.id)).length;

    expect(await ctx.services.engine.refreshDueDates()).toBeGreaterThanOrEqual(1);
    const after = await knex('submissions').where({ id: s.id }).first();
    expect(after.next_due_key).toBe(fresh.next_due_key);
    expect(after.next_due_kind).toBe(fresh.next_due_kind);
    expect(Number(after.version)).toBe(Number(fresh.version));
    expect((await api.history(m, s.id)).length).toBe(records);
    // A second run changes nothing; the chain and the rows still verify.
    expect(await ctx.services.engine.refreshDueDates()).toBe(0);
    expect((await verifyDatabase(ctx.services.db.reader)).ok).toBe(true);
  });

  it('a goal missed later is recounted as the next date and overdue', async () => {
    const { manufacturer: m, fda } = ctx.users;
    clock = new Date('2026-01-05T15:00:00Z');
    const s = await api.create(m, body510k('Refresh missed 510(k)'));
    await api.send(m, s.id, 'SUBMIT');
    await api.send(fda, s.id, 'FEE_VERIFIED');
    await api.send(fda, s.id, 'SCREEN_PASS');
    clock = new Date('2026-09-01T15:00:00Z');
    const knex = ctx.services.db.knex;
    await knex('submissions').where({ id: s.id }).update({ next_due_key: '9999-12-31', next_due_kind: null, goal_missed: false });
    await ctx.services.engine.refreshDueDates();
    const row = await knex('submissions').where({ id: s.id }).first();
    expect(row.next_due_key < '2026-09-01').toBe(true);
    expect(Boolean(row.goal_missed)).toBe(true);
    const listed = await api.get(m, '/v1/submissions?overdue=true');
    expect((listed.body.items as Array<{ id: string }>).map((i) => i.id)).toContain(s.id);
  });
});
