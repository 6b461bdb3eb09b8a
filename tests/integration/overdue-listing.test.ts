/**
 * Overdue work in the listing on a real database (tracker issue 18 §1), with an injected clock: a
 * registration past its resolution goal, a 510(k) whose decision goal was missed before an AI
 * hold, and a registration whose prevención term (left to COFEPRIS's decision) passed are what
 * `overdue=true` lists and what `sort=nextDue` puts first, by the date each was due; the stored
 * key is the date the view shows; noting the misses (the sweeper) moves none of them. Runs on
 * SQLite, and on PostgreSQL with TEST_DATABASE_URL.
 */
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, DEVICE, body510k, type Json } from '../http/helpers.js';
import { createTestContext, testApp, type TestContext } from '../support/fixtures.js';

let clock = new Date('2026-07-01T15:00:00Z');
const setNow = (date: string) => {
  clock = new Date(`${date}T17:00:00Z`);
};
let ctx: TestContext;
let app: Express;
let api: Api;
const ids: Record<'resolution' | 'onHold' | 'prevencion' | 'fresh' | 'draft', string> = { resolution: '', onHold: '', prevencion: '', fresh: '', draft: '' };

async function registration(title: string, filedOn: string, reviewFrom: string): Promise<string> {
  const { manufacturer: m, cofepris } = ctx.users;
  const reg = await api.create(m, { workflow: 'cofepris-registration', title, device: DEVICE, input: { route: 'standard', mxClass: 'II' } });
  await api.completeDossier(m, reg.id);
  await api.send(m, reg.id, 'SUBMIT', { data: { folio: '253300401A0123' }, effectiveAt: filedOn });
  await api.send(cofepris, reg.id, 'START_REVIEW', { effectiveAt: reviewFrom });
  return reg.id as string;
}

beforeAll(async () => {
  ctx = await createTestContext({ now: () => clock });
  app = testApp(ctx);
  api = new Api(app);
  const { manufacturer: m, fda, cofepris } = ctx.users;
  setNow('2026-12-07');
  ids.resolution = await registration('Overdue resolution', '2026-03-02', '2026-03-09');
  // A prevención early in the review (the first third of the term): 5 business days, due 2026-03-12.
  ids.prevencion = await registration('Overdue prevención', '2026-03-02', '2026-03-04');
  await api.send(cofepris, ids.prevencion, 'ISSUE_PREVENCION', { data: { items: ['Label in Spanish'], termBusinessDays: 5 }, effectiveAt: '2026-03-05' });
  // FDA day 191 when the AI request comes: the 90-day decision goal was missed on 2026-04-05.
  const late = await api.create(m, body510k('Overdue decision on hold'));
  await api.send(m, late.id, 'SUBMIT', { effectiveAt: '2026-01-05' });
  await api.send(fda, late.id, 'FEE_VERIFIED', { effectiveAt: '2026-01-05' });
  await api.send(fda, late.id, 'SCREEN_PASS', { effectiveAt: '2026-01-15' });
  await api.send(fda, late.id, 'SUBSTANTIVE_INTERACTION', { effectiveAt: '2026-02-20' });
  await api.send(fda, late.id, 'REQUEST_AI', { data: { deficiencies: ['Bench report'] }, effectiveAt: '2026-07-15' });
  ids.onHold = late.id as string;
  const fresh = await api.create(m, body510k('Overdue-free fresh'));
  await api.send(m, fresh.id, 'SUBMIT', { effectiveAt: '2026-12-01' });
  ids.fresh = fresh.id as string;
  ids.draft = (await api.create(m, body510k('Overdue-free draft'))).id as string;
  // The sweeper records the passed prevención term (COFEPRIS decides what follows).
  const swept = await ctx.services.engine.sweep();
  expect(swept.passed.map((p) => p.submissionId)).toContain(ids.prevencion);
});
afterAll(async () => ctx?.close());

const list = async (query: string): Promise<Json[]> => {
  const res = await api.get(ctx.users.manufacturer, `/v1/submissions?q=Overdue&limit=200&${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body.items as Json[];
};
const storedKeys = async (): Promise<Map<string, string>> =>
  new Map(
    ((await ctx.services.db.knex('submissions').select('id', 'next_due_key')) as Array<{ id: string; next_due_key: string }>).map((r) => [
      r.id,
      r.next_due_key,
    ]),
  );

describe('overdue work in the listing', () => {
  it('each overdue submission has a past next date, in its own unit, and the clock of the one on hold leaves its goal missed', async () => {
    const view = async (id: string) => api.submission(ctx.users.manufacturer, id);
    const resolution = await view(ids.resolution);
    expect(resolution.clocks.goals.find((g: Json) => g.kind === 'resolution')).toMatchObject({ status: 'missed', metOn: null, paused: false });
    expect(resolution.clocks.nextDue).toMatchObject({ kind: 'resolution', source: 'goal', unit: 'mx-business' });
    const onHold = await view(ids.onHold);
    expect(onHold.state).toBe('aiHold');
    expect(onHold.clocks.goals.find((g: Json) => g.kind === 'decision')).toMatchObject({
      status: 'missed',
      paused: false,
      dueDate: '2026-04-05',
      remainingDays: -101,
    });
    expect(onHold.clocks.nextDue).toMatchObject({ kind: 'decision', dueDate: '2026-04-05', source: 'goal', unit: 'fda-days', remainingDays: -101 });
    const prevencion = await view(ids.prevencion);
    expect(prevencion.deadlines).toEqual([expect.objectContaining({ kind: 'prevencionResponse', consequence: 'decision', passed: true })]);
    expect(prevencion.clocks.nextDue).toMatchObject({ kind: 'prevencionResponse', dueDate: '2026-03-12', source: 'deadline', unit: 'mx-business' });
    expect(prevencion.clocks.nextDue.remainingDays).toBeLessThan(0);
    for (const v of [resolution, onHold, prevencion]) expect(v.clocks.nextDue.dueDate < '2026-12-07', v.title).toBe(true);
  });

  it('overdue=true lists exactly them; sort=nextDue puts them first, by the date each was due, as stored', async () => {
    const overdue = ['resolution', 'onHold', 'prevencion'].map((k) => ids[k as keyof typeof ids]);
    expect((await list('overdue=true')).map((s) => s.id).sort()).toEqual([...overdue].sort());
    expect((await list('overdue=false')).map((s) => s.id).sort()).toEqual([ids.fresh, ids.draft].sort());
    const sorted = await list('sort=nextDue');
    const stored = await storedKeys();
    expect(
      sorted
        .slice(0, 3)
        .map((s) => s.id)
        .sort(),
    ).toEqual([...overdue].sort());
    const dates = sorted.slice(0, 3).map((s) => s.clocks.nextDue.dueDate as string);
    expect(dates).toEqual([...dates].sort());
    for (const s of sorted) expect(stored.get(s.id), s.title).toBe(s.clocks.nextDue?.dueDate ?? '9999-12-31');
    // Also due before any day after those dates.
    expect((await list('dueBefore=2026-12-01')).map((s) => s.id).sort()).toEqual([...overdue].sort());
  });

  it('noted by the sweeper (GOAL_MISSED recorded), the misses keep their dates and stay overdue', async () => {
    const stored = await storedKeys();
    for (const [id, goal] of [
      [ids.resolution, 'resolution'],
      [ids.onHold, 'decision'],
    ] as const) {
      const view = await api.submission(ctx.users.manufacturer, id);
      expect(view.clocks.goals.find((g: Json) => g.kind === goal)).toMatchObject({ status: 'missed', recorded: true });
      expect(stored.get(id)).toBe(view.clocks.nextDue.dueDate);
    }
    expect((await ctx.services.engine.sweep()).goalsMissed).toEqual([]);
    expect(await storedKeys()).toEqual(stored);
    expect(await list('overdue=true')).toHaveLength(3);
  });
});
