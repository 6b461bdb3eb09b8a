/**
 * The sweeper (issue 5) on a real database with an injected clock: a due AI deadline fires
 * `AI_TIMEOUT` once, dated on its due date, a not-yet-due one does not; two sweepers racing on one
 * database fire each deadline once; a missed goal writes one `GOAL_MISSED` / `MMD_DUE` record
 * and changes no state; the portfolio queries (`overdue`, `dueBefore`, `sort=nextDue`) read the
 * due dates every command stores. Runs on SQLite, and on PostgreSQL with TEST_DATABASE_URL.
 */
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDatabase } from '../../src/engine/verify.js';
import { initServices, type Services } from '../../src/services.js';
import { listTransitions } from '../../src/store/history-store.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createTestContext, testApp, type TestContext } from '../support/fixtures.js';
import { ROOT, startServer } from '../support/server.js';
import { Api, DEVICE, body510k, expectProblem, type Json } from '../http/helpers.js';

/** The injected clock: every command and sweep reads it. */
let clock = new Date('2026-01-05T15:00:00Z');
const setNow = (iso: string) => {
  clock = new Date(iso);
};
let ctx: TestContext;
let app: Express;
let api: Api;

beforeAll(async () => {
  ctx = await createTestContext({ now: () => clock });
  app = testApp(ctx);
  api = new Api(app);
});
afterAll(async () => ctx?.close());

/** A 510(k) driven to AI hold: submitted on `submitted`, screened 10 days later, AI requested on `aiOn`. */
async function onAiHold(title: string, submitted: string, aiOn: string): Promise<Json> {
  const { manufacturer: m, fda } = ctx.users;
  setNow(`${submitted}T15:00:00Z`);
  const s = await api.create(m, body510k(title));
  await api.send(m, s.id, 'SUBMIT');
  await api.send(fda, s.id, 'FEE_VERIFIED');
  setNow(`${aiOn}T15:00:00Z`);
  await api.send(fda, s.id, 'SCREEN_PASS');
  const r = await api.send(fda, s.id, 'REQUEST_AI', { data: { deficiencies: ['Provide the bench report'] } });
  expect(r.submission.state).toBe('aiHold');
  return r.submission;
}

describe('hard deadlines', () => {
  it('an AI hold left unanswered for 180 days ends in closed.deleted once, dated on its due date', async () => {
    const s = await onAiHold('Sweeper AI 510(k)', '2026-01-05', '2026-03-06');
    expect(s.deadlines).toEqual([expect.objectContaining({ kind: 'aiResponse', dueDate: '2026-09-02', event: 'AI_TIMEOUT' })]);
    // fda-510k@4: the MDUFA V Total Time to Decision (112 calendar days, holds included) comes first.
    expect(s.clocks.nextDue).toMatchObject({ kind: 'totalTimeToDecision', dueDate: '2026-04-27', source: 'goal' });

    // 2026-09-02 16:00 in New York: the sponsor's last day is not over.
    setNow('2026-09-02T20:00:00Z');
    expect((await ctx.services.engine.sweep()).fired.filter((f) => f.submissionId === s.id)).toEqual([]);
    expect((await api.submission(ctx.users.manufacturer, s.id)).state).toBe('aiHold');

    // 2026-09-03 01:00 in New York: the window is over.
    setNow('2026-09-03T05:00:00Z');
    const first = await ctx.services.engine.sweep();
    expect(first.fired.filter((f) => f.submissionId === s.id)).toEqual([
      { submissionId: s.id, event: 'AI_TIMEOUT', kind: 'aiResponse', dueDate: '2026-09-02', state: 'closed.deleted' },
    ]);
    const second = await ctx.services.engine.sweep();
    expect(second.fired.filter((f) => f.submissionId === s.id)).toEqual([]);

    const history = await listTransitions(ctx.services.db.knex, s.id);
    const timeouts = history.filter((t) => t.type === 'AI_TIMEOUT');
    expect(timeouts).toHaveLength(1);
    // Dated on the due date (the start of that day in New York), recorded now, by the system actor.
    expect(timeouts[0]).toMatchObject({
      effectiveAt: '2026-09-02T04:00:00.000Z',
      recordedAt: '2026-09-03T05:00:00.000Z',
      actor: { id: 'system', role: 'system' },
      to: 'closed.deleted',
    });
    const view = await api.submission(ctx.users.manufacturer, s.id);
    expect(view).toMatchObject({ state: 'closed.deleted', status: 'closed', deadlines: [] });
    expect(view.clocks).toMatchObject({ receivedOn: '2026-01-05', stoppedOn: '2026-09-02', calendarDays: 240, holdDays: 180, fdaDays: 60 });
    expect((await verifyDatabase(ctx.services.db.reader)).ok).toBe(true);
  });

  it('two sweepers racing on one database fire each deadline exactly once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await onAiHold(`Race ${i} 510(k)`, '2026-01-05', '2026-03-06')).id);
    const other: Services = await initServices({ databaseUrl: ctx.database.url, mxNonWorkingDays: [] }, { now: () => clock });
    try {
      setNow('2026-09-03T05:00:00Z');
      const [a, b] = await Promise.all([ctx.services.engine.sweep(), other.engine.sweep()]);
      const fired = [...a.fired, ...b.fired]
        .filter((f) => ids.includes(f.submissionId))
        .map((f) => f.submissionId)
        .sort();
      expect(fired).toEqual([...ids].sort());
      for (const id of ids) {
        const history = await listTransitions(ctx.services.db.knex, id);
        expect(
          history.filter((t) => t.type === 'AI_TIMEOUT'),
          id,
        ).toHaveLength(1);
        expect(history.map((t) => t.seq)).toEqual(history.map((_, i) => i + 1));
      }
    } finally {
      await other.shutdown();
    }
    expect((await verifyDatabase(ctx.services.db.reader)).ok).toBe(true);
  });

  it('an answered AI request leaves nothing to fire', async () => {
    const s = await onAiHold('Answered AI 510(k)', '2026-01-05', '2026-03-06');
    setNow('2026-04-01T15:00:00Z');
    const r = await api.send(ctx.users.manufacturer, s.id, 'AI_RESPONSE', { data: { summary: 'Answer' } });
    expect(r.submission.deadlines).toEqual([]);
    setNow('2026-09-10T15:00:00Z');
    expect((await ctx.services.engine.sweep()).fired.filter((f) => f.submissionId === s.id)).toEqual([]);
  });
});

describe('anchored deadlines', () => {
  it('the prórroga window of a registration granted 2021-03-01 opens on 2025-10-02, 150 days before it expires', async () => {
    const { manufacturer: m, cofepris } = ctx.users;
    setNow('2025-09-01T15:00:00Z');
    const reg = await api.create(m, { workflow: 'cofepris-registration', title: 'Renewal sweep', device: DEVICE, input: { route: 'standard', mxClass: 'II' } });
    await api.completeDossier(m, reg.id);
    await api.send(m, reg.id, 'SUBMIT', { data: { folio: '203300101A0102' }, effectiveAt: '2020-05-04' });
    await api.send(cofepris, reg.id, 'START_REVIEW', { effectiveAt: '2020-05-11' });
    const granted = await api.send(cofepris, reg.id, 'GRANT', { data: { registrationNumber: '1235E2021 SSA' }, effectiveAt: '2021-03-01' });
    // nextDue also gives the unit the date is counted in and what is left of it (tracker issue 18 §1):
    // 31 calendar days from 2025-09-01.
    expect(granted.submission.clocks.nextDue).toMatchObject({
      kind: 'renewalWindow',
      dueDate: '2025-10-02',
      source: 'deadline',
      unit: 'calendar',
      remainingDays: 31,
    });

    setNow('2025-10-02T05:00:00Z'); // 2025-10-01 23:00 in Mexico City
    expect((await ctx.services.engine.sweep()).fired.filter((f) => f.submissionId === reg.id)).toEqual([]);
    setNow('2025-10-02T15:00:00Z'); // 09:00 on the day: a window opens on its date
    const r = await ctx.services.engine.sweep();
    expect(r.fired.filter((f) => f.submissionId === reg.id)).toEqual([
      { submissionId: reg.id, event: 'RENEWAL_WINDOW_OPENS', kind: 'renewalWindow', dueDate: '2025-10-02', state: 'registered.renewalDue' },
    ]);
    const opened = (await listTransitions(ctx.services.db.knex, reg.id)).at(-1)!;
    expect(opened).toMatchObject({ type: 'RENEWAL_WINDOW_OPENS', effectiveAt: '2025-10-02T06:00:00.000Z', actor: { role: 'system' } });
    const view = await api.submission(m, reg.id);
    expect(view.deadlines).toEqual([expect.objectContaining({ kind: 'registrationExpiry', event: 'EXPIRE', dueDate: '2026-03-01' })]);
    expect(view.allowedEvents).toContain('SUBMIT_PRORROGA');
  });
});

describe('soft goals', () => {
  it('a missed decision goal writes one GOAL_MISSED, the missed MDUFA decision one MMD_DUE; the state stays', async () => {
    const { manufacturer: m, fda } = ctx.users;
    setNow('2027-01-04T15:00:00Z');
    const s = await api.create(m, body510k('Slow review 510(k)'));
    await api.send(m, s.id, 'SUBMIT');
    await api.send(fda, s.id, 'FEE_VERIFIED');
    const screened = await api.send(fda, s.id, 'SCREEN_PASS');
    // Goals run from receipt: SI by FDA day 60, decision by 90, MMD communication at 100.
    expect(screened.submission.clocks.goals.map((g: Json) => [g.kind, g.dueDate, g.status])).toEqual([
      ['substantiveInteraction', '2027-03-05', 'on_track'],
      ['decision', '2027-04-04', 'on_track'],
      ['missedDecisionCommunication', '2027-04-14', 'on_track'],
      ['totalTimeToDecision', '2027-04-26', 'on_track'],
    ]);
    setNow('2027-02-20T15:00:00Z');
    await api.send(fda, s.id, 'SUBSTANTIVE_INTERACTION');

    setNow('2027-04-04T20:00:00Z'); // day 90 in New York: not missed yet
    expect((await ctx.services.engine.sweep()).goalsMissed.filter((g) => g.submissionId === s.id)).toEqual([]);
    setNow('2027-04-05T15:00:00Z'); // day 91
    const missed = (await ctx.services.engine.sweep()).goalsMissed.filter((g) => g.submissionId === s.id);
    expect(missed.map((g) => [g.goal, g.event, g.dueDate])).toEqual([['decision', 'GOAL_MISSED', '2027-04-04']]);
    expect((await ctx.services.engine.sweep()).goalsMissed.filter((g) => g.submissionId === s.id)).toEqual([]);
    setNow('2027-04-15T15:00:00Z'); // day 101
    const mmd = (await ctx.services.engine.sweep()).goalsMissed.filter((g) => g.submissionId === s.id);
    expect(mmd.map((g) => [g.goal, g.event])).toEqual([['missedDecisionCommunication', 'MMD_DUE']]);

    const history = await listTransitions(ctx.services.db.knex, s.id);
    const notes = history.filter((t) => t.type === 'GOAL_MISSED' || t.type === 'MMD_DUE');
    expect(notes.map((t) => [t.type, t.data.goal, t.from, t.to, t.effectiveAt, t.actor.role])).toEqual([
      ['GOAL_MISSED', 'decision', 'review.interactive', 'review.interactive', '2027-04-05T04:00:00.000Z', 'system'],
      ['MMD_DUE', 'missedDecisionCommunication', 'review.interactive', 'review.interactive', '2027-04-15T04:00:00.000Z', 'system'],
    ]);
    const view = await api.submission(m, s.id);
    expect(view.state).toBe('review.interactive');
    expect(view.clocks.fdaDays).toBe(101);
    expect(view.clocks.goals.map((g: Json) => g.status)).toEqual(['met', 'missed', 'missed', 'due_soon']);
    // The goal notes are bookkeeping: FDA still decides, and the decision is late, not blocked.
    setNow('2027-04-20T15:00:00Z');
    const decided = await api.send(fda, s.id, 'DECIDE_SE', { data: { kNumber: 'K270001', decisionDate: '2027-04-20' } });
    expect(decided.submission).toMatchObject({ state: 'cleared', clocks: { fdaDays: 106, stoppedOn: '2027-04-20' } });
    expect((await verifyDatabase(ctx.services.db.reader)).ok).toBe(true);
  });
});

describe('a goal missed between two commands', () => {
  it('is still recorded by the next sweep, once, and shows as recorded', async () => {
    const { manufacturer: m, fda } = ctx.users;
    setNow('2029-01-08T15:00:00Z');
    const s = await api.create(m, body510k('Missed between commands 510(k)'));
    await api.send(m, s.id, 'SUBMIT');
    await api.send(fda, s.id, 'FEE_VERIFIED');
    await api.send(fda, s.id, 'SCREEN_PASS');
    // Day 95: the 90-day decision goal passed while nobody swept; then a command is written.
    setNow('2029-04-13T15:00:00Z');
    const late = await api.send(fda, s.id, 'SUBSTANTIVE_INTERACTION');
    const decision = late.submission.clocks.goals.find((g: Json) => g.kind === 'decision');
    expect(decision).toMatchObject({ status: 'missed', recorded: false, dueDate: '2029-04-08' });
    const first = (await ctx.services.engine.sweep()).goalsMissed.filter((g) => g.submissionId === s.id);
    expect(first.map((g) => g.goal)).toEqual(['decision']);
    expect((await ctx.services.engine.sweep()).goalsMissed.filter((g) => g.submissionId === s.id)).toEqual([]);
    const view = await api.submission(m, s.id);
    expect(view.clocks.goals.find((g: Json) => g.kind === 'decision')).toMatchObject({ status: 'missed', recorded: true });
  });
});

describe('portfolio queries', () => {
  let overdueDeadline: string;
  let missedGoal: string;
  let fresh: string;
  let draft: string;

  beforeAll(async () => {
    const { manufacturer: m, fda } = ctx.users;
    // Past dates, entered as they happened: an AI window over on 2028-04-28, a review past day 90.
    overdueDeadline = (await onAiHold('Portfolio overdue AI', '2027-09-01', '2027-10-31')).id;
    setNow('2028-01-10T15:00:00Z');
    const slow = await api.create(m, body510k('Portfolio slow review'));
    await api.send(m, slow.id, 'SUBMIT', { effectiveAt: '2027-12-01' });
    await api.send(fda, slow.id, 'FEE_VERIFIED', { effectiveAt: '2027-12-01' });
    await api.send(fda, slow.id, 'SCREEN_PASS', { effectiveAt: '2027-12-05' });
    missedGoal = slow.id;
    setNow('2028-04-25T15:00:00Z');
    const f = await api.create(m, body510k('Portfolio fresh'));
    await api.send(m, f.id, 'SUBMIT');
    fresh = f.id;
    draft = (await api.create(m, body510k('Portfolio draft'))).id;
    setNow('2028-05-01T15:00:00Z');
  });

  const list = async (query: string): Promise<Json> => {
    const res = await api.get(ctx.users.manufacturer, `/v1/submissions?${query}`);
    expect(res.status, res.text).toBe(200);
    return res.body;
  };
  const ids = (page: Json) => (page.items as Json[]).map((s) => s.id as string);

  it('overdue=true: a hard deadline has passed or a goal is past due, before any sweep', async () => {
    const over = ids(await list('overdue=true&limit=200&q=Portfolio'));
    expect(over.sort()).toEqual([overdueDeadline, missedGoal].sort());
    const notOver = ids(await list('overdue=false&limit=200&q=Portfolio'));
    expect(notOver.sort()).toEqual([fresh, draft].sort());
  });

  it('dueBefore lists the submissions whose next date falls before the given day', async () => {
    // fresh: received 2028-04-25, its Substantive Interaction goal (FDA day 60) is the next date.
    const view = await api.submission(ctx.users.manufacturer, fresh);
    // On 2028-05-01 (FDA day 6) 54 FDA days are left until it.
    expect(view.clocks.nextDue).toMatchObject({ kind: 'substantiveInteraction', dueDate: '2028-06-24', source: 'goal', unit: 'fda-days', remainingDays: 54 });
    expect(ids(await list('dueBefore=2028-06-25&q=Portfolio&limit=200'))).toContain(fresh);
    expect(ids(await list('dueBefore=2028-06-24&q=Portfolio&limit=200'))).not.toContain(fresh);
    // The AI window of the overdue one ended on 2028-04-28.
    expect(ids(await list('dueBefore=2028-04-29&q=Portfolio&limit=200'))).toContain(overdueDeadline);
    expect(ids(await list('dueBefore=2099-01-01&q=Portfolio&limit=200'))).not.toContain(draft);
  });

  it('sort=nextDue pages through every submission in due order with a stable keyset cursor', async () => {
    const all: Json[] = [];
    let cursor: string | null = null;
    do {
      const page: Json = await list(`sort=nextDue&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      all.push(...(page.items as Json[]));
      cursor = page.nextCursor as string | null;
    } while (cursor);
    const everything = ids(await list('limit=200'));
    expect(all.map((s) => s.id)).toHaveLength(everything.length);
    expect(all.map((s) => s.id).sort()).toEqual([...everything].sort());
    // In the order of the stored next due date (written by each command; a goal that has since
    // passed keeps its date until the sweeper notes it, so overdue work sorts first), then id.
    const stored = new Map(
      ((await ctx.services.db.knex('submissions').select('id', 'next_due_key')) as Array<{ id: string; next_due_key: string }>).map((r) => [
        r.id,
        r.next_due_key,
      ]),
    );
    const keys = all.map((s) => `${stored.get(s.id)}|${s.id}`);
    expect(keys).toEqual([...keys].sort());
    // Where the view has a next date, the stored one is the same.
    // (The portfolio's own submissions: the other tests moved the injected clock back and forth.)
    for (const s of all.filter((x) => String(x.title).startsWith('Portfolio')))
      if (s.clocks.nextDue) expect(stored.get(s.id), s.title).toBe(s.clocks.nextDue.dueDate);
  });

  it('bad portfolio queries are 422 with their JSON pointer, never a 500', async () => {
    const m = ctx.users.manufacturer;
    expect(expectProblem(await api.get(m, '/v1/submissions?dueBefore=2028-02-30'), 422, 'validation_failed').errors[0].path).toBe('/dueBefore');
    expect(expectProblem(await api.get(m, '/v1/submissions?dueBefore=tomorrow'), 422, 'validation_failed').errors[0].path).toBe('/dueBefore');
    expect(expectProblem(await api.get(m, '/v1/submissions?sort=due'), 422, 'validation_failed').errors[0].path).toBe('/sort');
    // A cursor from the other sort order is refused, not misread.
    const byDate = await list('limit=1');
    expect(expectProblem(await api.get(m, `/v1/submissions?sort=nextDue&cursor=${byDate.nextCursor}`), 422, 'validation_failed').errors[0].path).toBe(
      '/cursor',
    );
  });
});

describe('outside the engine: `puente sweep` and the sweeper in `serve`', () => {
  /** An AI hold whose 180 days ended long ago (real clock; past effective dates). */
  async function longOverdue(title: string): Promise<string> {
    const { manufacturer: m, fda } = ctx.users;
    setNow(new Date().toISOString());
    const s = await api.create(m, body510k(title));
    await api.send(m, s.id, 'SUBMIT', { effectiveAt: '2025-01-06' });
    await api.send(fda, s.id, 'FEE_VERIFIED', { effectiveAt: '2025-01-06' });
    await api.send(fda, s.id, 'SCREEN_PASS', { effectiveAt: '2025-01-15' });
    await api.send(fda, s.id, 'REQUEST_AI', { data: { deficiencies: ['x'] }, effectiveAt: '2025-03-03' });
    return s.id;
  }

  it('`npx puente sweep --json` fires what is due and says so', async () => {
    const id = await longOverdue('CLI sweep 510(k)');
    const run = () =>
      promisify(execFile)('npx', ['--no-install', 'puente', 'sweep', '--json'], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: ctx.database.url, LOG_LEVEL: 'silent' },
        timeout: 60_000,
      });
    const first = JSON.parse((await run()).stdout) as { fired: Array<{ submissionId: string; event: string; dueDate: string }> };
    expect(first.fired.filter((f) => f.submissionId === id)).toEqual([expect.objectContaining({ event: 'AI_TIMEOUT', dueDate: '2025-08-30' })]);
    const again = JSON.parse((await run()).stdout) as { fired: unknown[] };
    expect(again.fired).toEqual([]);
    expect((await api.submission(ctx.users.manufacturer, id)).state).toBe('closed.deleted');
  });

  it('serve sweeps on its own (SWEEP_INTERVAL_SECONDS)', async () => {
    const id = await longOverdue('Serve sweep 510(k)');
    const server = await startServer(ctx.database.url, { SWEEP_INTERVAL_SECONDS: '1' });
    try {
      // Poll the record (not a timing assertion): the first pass runs at start.
      let state = '';
      for (let i = 0; i < 100 && state !== 'closed.deleted'; i++) {
        state = (await ctx.services.engine.getSubmission(ctx.users.auditor.actor, id)).state;
        if (state !== 'closed.deleted') await new Promise((r) => setTimeout(r, 100));
      }
      expect(state).toBe('closed.deleted');
      expect(server.logs.join('')).toMatch(/deadline fired/);
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
    expect((await listTransitions(ctx.services.db.knex, id)).filter((t) => t.type === 'AI_TIMEOUT')).toHaveLength(1);
  });
});
