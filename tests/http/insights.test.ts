/**
 * GET /v1/insights (tracker issue 16 §3; DESIGN §10) on a real server (supertest, SQLite file or
 * TEST_DATABASE_URL): a portfolio built through real events on known past dates, with the clock
 * pinned, so every figure is known. Each figure is checked twice: against the number worked out by
 * hand from the dates, and against the submission's own clocks as GET /v1/submissions/:id shows
 * them (the insights never count a second way). Then role scoping and bad queries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestWorkflow } from '../../workflows/index.js';
import { initServices } from '../../src/services.js';
import type { TestContext, TestUser } from '../support/fixtures.js';
import { Api, DEVICE, body510k, expectProblem, openTestApp, type Json } from './helpers.js';

let clock = new Date('2026-06-15T17:00:00Z');
let ctx: TestContext;
let api: Api;
const ids = {} as Record<'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'beta', string>;

const goalOf = (view: Json, kind: string): Json => (view.clocks.goals as Json[]).find((g) => g.kind === kind)!;
const insightsOf = async (user: TestUser, query = ''): Promise<Json> => {
  const res = await api.get(user, `/v1/insights${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body as Json;
};
/** Sends `type` on `date` (the server's clock on that day too, so nothing is in the future). */
const on = async (user: TestUser, id: string, type: string, date: string, data?: Json): Promise<Json> => {
  clock = new Date(`${date}T17:00:00Z`);
  return (await api.send(user, id, type, { effectiveAt: date, ...(data ? { data } : {}) })).submission as Json;
};
/** AI_RESPONSE's data: what the response brings, on the versions that ask for it. */
const aiResponse = (latestWorkflow('fda-510k')!.events.AI_RESPONSE!.schema as { properties?: Json }).properties?.summary
  ? { summary: 'Report attached' }
  : undefined;
const registration = (title: string, input: Json, device: Json = DEVICE) => ({ workflow: 'cofepris-registration', title, device, input });

beforeAll(async () => {
  ({ ctx, api } = await openTestApp({ now: () => clock }));
  const { manufacturer: m, otherManufacturer: beta, fda, cofepris } = ctx.users;
  const eSTAR = async (title: string, device: Json = DEVICE) => (await api.create(m, { ...body510k(title), device })).id as string;

  // A: filed 5 Jan, AI hold 4 Feb – 6 Mar (30 days), SE 20 Mar: 74 calendar days, 44 FDA days.
  ids.a = await eSTAR('A 510(k)');
  await on(m, ids.a, 'SUBMIT', '2026-01-05');
  await on(fda, ids.a, 'FEE_VERIFIED', '2026-01-06');
  await on(fda, ids.a, 'SCREEN_PASS', '2026-01-10');
  await on(fda, ids.a, 'SUBSTANTIVE_INTERACTION', '2026-01-30');
  await on(fda, ids.a, 'REQUEST_AI', '2026-02-04', { deficiencies: ['Biocompatibility'] });
  await on(m, ids.a, 'AI_RESPONSE', '2026-03-06', aiResponse);
  await on(fda, ids.a, 'DECIDE_SE', '2026-03-20', { kNumber: 'K260101', decisionDate: '2026-03-20' });

  // B: filed 20 Jan, no hold, SE 29 May: 129 FDA days, past the 90-day goal.
  ids.b = await eSTAR('B 510(k)');
  await on(m, ids.b, 'SUBMIT', '2026-01-20');
  await on(fda, ids.b, 'FEE_VERIFIED', '2026-01-21');
  await on(fda, ids.b, 'SCREEN_PASS', '2026-01-23');
  await on(fda, ids.b, 'SUBSTANTIVE_INTERACTION', '2026-02-20');
  await on(fda, ids.b, 'DECIDE_SE', '2026-05-29', { kNumber: 'K260102', decisionDate: '2026-05-29' });

  // C (product code LOX): filed 1 Apr, in review, no substantive interaction: its 60-day goal is missed and owed now.
  ids.c = await eSTAR('C 510(k)', { name: 'CardioFlow', productCode: 'LOX' });
  await on(m, ids.c, 'SUBMIT', '2026-04-01');
  await on(fda, ids.c, 'FEE_VERIFIED', '2026-04-02');
  await on(fda, ids.c, 'SCREEN_PASS', '2026-04-03');

  // D: abbreviated route relying on A (SE 20 Mar); prevención 8 – 15 Apr (7 days); granted 4 May: 45 days of lead time.
  ids.d = (await api.create(m, registration('D registro', { route: 'abbreviated', identicalDevice: true, reference: { submissionId: ids.a } }))).id as string;
  await api.completeDossier(m, ids.d);
  await on(m, ids.d, 'SUBMIT', '2026-04-06', { folio: 'F-D' });
  await on(cofepris, ids.d, 'START_REVIEW', '2026-04-07');
  await on(cofepris, ids.d, 'ISSUE_PREVENCION', '2026-04-08', { items: ['Apostilla'], termBusinessDays: 10 });
  await on(m, ids.d, 'RESPOND_PREVENCION', '2026-04-15', { summary: 'Apostilla adjunta' });
  await on(cofepris, ids.d, 'GRANT', '2026-05-04', { registrationNumber: '0001E2026 SSA' });

  // E: abbreviated route on an external FDA decision of 1 Oct 2025, granted 27 Feb 2026: 149 days.
  const external = { agency: 'FDA', number: 'K251234', decisionDate: '2025-10-01', decision: 'SE' };
  ids.e = (await api.create(m, registration('E registro', { route: 'abbreviated', identicalDevice: true, reference: external }))).id as string;
  await api.completeDossier(m, ids.e);
  await on(m, ids.e, 'SUBMIT', '2026-02-02', { folio: 'F-E' });
  await on(cofepris, ids.e, 'START_REVIEW', '2026-02-03');
  await on(cofepris, ids.e, 'GRANT', '2026-02-27', { registrationNumber: '0002E2026 SSA' });

  // F: abbreviated route relying on B; in prevención since 3 Jun with 5 business days: passed 10 Jun, overdue now.
  ids.f = (await api.create(m, registration('F registro', { route: 'abbreviated', identicalDevice: true, reference: { submissionId: ids.b } }))).id as string;
  await api.completeDossier(m, ids.f);
  await on(m, ids.f, 'SUBMIT', '2026-06-01', { folio: 'F-F' });
  await on(cofepris, ids.f, 'START_REVIEW', '2026-06-02');
  await on(cofepris, ids.f, 'ISSUE_PREVENCION', '2026-06-03', { items: ['Etiqueta'], termBusinessDays: 5 });

  // G: standard route (no FDA decision relied on), granted: no lead time.
  ids.g = (await api.create(m, registration('G registro', { route: 'standard', mxClass: 'II' }))).id as string;
  await api.completeDossier(m, ids.g);
  await on(m, ids.g, 'SUBMIT', '2026-03-02', { folio: 'F-G' });
  await on(cofepris, ids.g, 'START_REVIEW', '2026-03-03');
  await on(cofepris, ids.g, 'GRANT', '2026-04-06', { registrationNumber: '0003E2026 SSA' });

  // Another organization's 510(k), decided: only regulators and auditors count it.
  ids.beta = (await api.create(beta, body510k('Beta 510(k)'))).id as string;
  await on(beta, ids.beta, 'SUBMIT', '2026-02-02');
  await on(fda, ids.beta, 'FEE_VERIFIED', '2026-02-03');
  await on(fda, ids.beta, 'SCREEN_PASS', '2026-02-04');
  await on(fda, ids.beta, 'DECIDE_NSE', '2026-04-03', { reason: 'No predicate', decisionDate: '2026-04-03' });

  clock = new Date('2026-06-15T17:00:00Z');
}, 120_000);
afterAll(async () => ctx?.close());

describe('GET /v1/insights: every figure of a portfolio with known dates', () => {
  it('days to decision per pathway: FDA days, calendar days and hold days, as each submission clocks them', async () => {
    const { manufacturer: m } = ctx.users;
    const r = await insightsOf(m);
    expect(r.asOf).toEqual({ FDA: '2026-06-15', COFEPRIS: '2026-06-15' });
    expect(r.submissions).toBe(7);
    const a = (await api.submission(m, ids.a)).clocks;
    const b = (await api.submission(m, ids.b)).clocks;
    expect([a.fdaDays, a.calendarDays, a.holdDays, b.fdaDays, b.calendarDays, b.holdDays]).toEqual([44, 74, 30, 129, 129, 0]);
    expect(r.daysToDecision).toEqual([
      {
        pathway: 'fda-510k',
        decisions: 2,
        fdaDays: { count: 2, median: (44 + 129) / 2, p90: 129, min: 44, max: 129, mean: 86.5 },
        calendarDays: { count: 2, median: (74 + 129) / 2, p90: 129, min: 74, max: 129, mean: 101.5 },
        holdDays: { count: 2, median: 15, p90: 30, min: 0, max: 30, mean: 15 },
        distribution: [
          { from: 0, to: 30, count: 0 },
          { from: 30, to: 60, count: 1 },
          { from: 60, to: 90, count: 0 },
          { from: 90, to: 120, count: 0 },
          { from: 120, to: 150, count: 1 },
        ],
      },
    ]);
  });

  it('MDUFA goal attainment per pathway and quarter: met, missed and pending as each goal status says', async () => {
    const { manufacturer: m } = ctx.users;
    const r = await insightsOf(m);
    const views = await Promise.all([ids.a, ids.b, ids.c].map((id) => api.submission(m, id)));
    // The expectation from the views themselves: per quarter of the goal's start, per goal.
    const expected = new Map<string, Json>();
    for (const v of views)
      for (const g of v.clocks.goals as Json[]) {
        const quarter = `${g.startedOn.slice(0, 4)}-Q${Math.floor((Number(g.startedOn.slice(5, 7)) - 1) / 3) + 1}`;
        const key = `${quarter} ${g.kind}`;
        const row = expected.get(key) ?? { pathway: 'fda-510k', quarter, goal: g.kind, met: 0, missed: 0, pending: 0 };
        row[g.status === 'met' ? 'met' : g.status === 'missed' ? 'missed' : 'pending']++;
        expected.set(key, row);
      }
    expect(r.goalAttainment.map(({ attainment: _, ...row }: Json) => row)).toEqual(
      [...expected.values()].sort((x, y) => x.quarter.localeCompare(y.quarter) || x.goal.localeCompare(y.goal)),
    );
    // By hand: the 90-day decision goal met by A (44), missed by B (129), pending for C (filed 1 Apr).
    const row = (quarter: string, goal: string) => r.goalAttainment.find((x: Json) => x.quarter === quarter && x.goal === goal);
    expect(row('2026-Q1', 'decision')).toEqual({ pathway: 'fda-510k', quarter: '2026-Q1', goal: 'decision', met: 1, missed: 1, pending: 0, attainment: 0.5 });
    expect(row('2026-Q2', 'decision')).toMatchObject({ met: 0, missed: 0, pending: 1, attainment: null });
    expect(goalOf(views[2]!, 'substantiveInteraction')).toMatchObject({ status: 'missed', metOn: null });
    expect(row('2026-Q2', 'substantiveInteraction')).toMatchObject({ met: 0, missed: 1, pending: 0, attainment: 0 });
  });

  it('reliance lead time per route: FDA decision date to COFEPRIS grant, and registrations still pending', async () => {
    const { manufacturer: m } = ctx.users;
    const r = await insightsOf(m);
    const d = await api.submission(m, ids.d);
    expect([d.reference.decisionDate, d.decision.grantedOn]).toEqual(['2026-03-20', '2026-05-04']);
    const e = await api.submission(m, ids.e);
    expect([e.reference.decisionDate, e.decision.grantedOn]).toEqual(['2025-10-01', '2026-02-27']);
    const none = { count: 0, median: null, p90: null, min: null, max: null, mean: null };
    expect(r.relianceLeadTime).toEqual([
      { route: 'standard', granted: 0, pending: 0, leadDays: none },
      { route: 'third-party', granted: 0, pending: 0, leadDays: none },
      { route: 'equivalence', granted: 0, pending: 0, leadDays: none },
      { route: 'abbreviated', granted: 2, pending: 1, leadDays: { count: 2, median: 97, p90: 149, min: 45, max: 149, mean: 97 } },
    ]);
  });

  it('time in prevención per route (the hold days of each clock), and what is overdue now per agency', async () => {
    const { manufacturer: m } = ctx.users;
    const r = await insightsOf(m);
    const d = await api.submission(m, ids.d);
    const f = await api.submission(m, ids.f);
    expect([d.clocks.holdDays, f.clocks.holdDays]).toEqual([7, 12]);
    expect(r.prevencion.find((p: Json) => p.route === 'abbreviated')).toEqual({
      route: 'abbreviated',
      registrations: 2,
      open: 1,
      days: { count: 2, median: 9.5, p90: 12, min: 7, max: 12, mean: 9.5 },
    });
    expect(r.prevencion.filter((p: Json) => p.route !== 'abbreviated').every((p: Json) => p.registrations === 0)).toBe(true);

    const c = await api.submission(m, ids.c);
    const si = goalOf(c, 'substantiveInteraction');
    expect(f.deadlines).toEqual([expect.objectContaining({ kind: 'prevencionResponse', dueDate: '2026-06-10' })]);
    expect(r.overdue).toEqual([
      {
        agency: 'FDA',
        submissions: 1,
        deadlinesPassed: 0,
        goalsMissed: 1,
        items: [
          {
            submissionId: ids.c,
            title: 'C 510(k)',
            pathway: 'fda-510k',
            source: 'goal',
            kind: 'substantiveInteraction',
            dueDate: si.dueDate,
            daysOverdue: -si.remainingDays,
          },
        ],
      },
      {
        agency: 'COFEPRIS',
        submissions: 1,
        deadlinesPassed: 1,
        goalsMissed: 0,
        items: [
          {
            submissionId: ids.f,
            title: 'F registro',
            pathway: 'cofepris-registration',
            source: 'deadline',
            kind: 'prevencionResponse',
            dueDate: '2026-06-10',
            daysOverdue: 5,
          },
        ],
      },
    ]);
    // The portfolio's own overdue filter lists the same submissions.
    const listed = await api.get(m, '/v1/submissions?overdue=true');
    expect((listed.body.items as Json[]).map((s) => s.id).sort()).toEqual([ids.c, ids.f].sort());
  });

  it('filters: pathway, product code, and a period that selects each outcome by its own date', async () => {
    const { manufacturer: m } = ctx.users;
    const lox = await insightsOf(m, '?productCode=LOX');
    expect(lox.submissions).toBe(1);
    expect(lox.daysToDecision).toEqual([]);
    expect(lox.overdue[0]).toMatchObject({ agency: 'FDA', submissions: 1 });
    expect(lox.relianceLeadTime.every((x: Json) => x.granted === 0 && x.pending === 0)).toBe(true);

    const regs = await insightsOf(m, '?pathway=cofepris-registration');
    expect(regs.submissions).toBe(4);
    expect(regs.goalAttainment).toEqual([]);
    expect(regs.daysToDecision).toEqual([]);
    // The FDA decisions relied on count even though their pathway is filtered out.
    expect(regs.relianceLeadTime.find((x: Json) => x.route === 'abbreviated')).toMatchObject({ granted: 2, pending: 1 });

    // April–May: B's decision (29 May) and D's grant (4 May) and prevención (8 Apr); not A (20 Mar) nor E (27 Feb).
    const q2 = await insightsOf(m, '?from=2026-04-01&to=2026-05-31');
    expect(q2.filters).toEqual({ from: '2026-04-01', to: '2026-05-31' });
    expect(q2.daysToDecision).toEqual([expect.objectContaining({ pathway: 'fda-510k', decisions: 1, fdaDays: expect.objectContaining({ median: 129 }) })]);
    expect(q2.relianceLeadTime.find((x: Json) => x.route === 'abbreviated')).toMatchObject({ granted: 1, leadDays: expect.objectContaining({ median: 45 }) });
    expect(q2.prevencion.find((x: Json) => x.route === 'abbreviated')).toMatchObject({ registrations: 1, open: 0 });
    expect(q2.goalAttainment.map((x: Json) => x.quarter)).toEqual(expect.arrayContaining(['2026-Q2']));
    expect(q2.goalAttainment.some((x: Json) => x.quarter === '2026-Q1')).toBe(false);
    // What is overdue is as of today, whatever the period.
    expect(q2.overdue.map((x: Json) => x.submissions)).toEqual([1, 1]);
  });

  it('follows a new step at once: the figures are never older than the database', async () => {
    const { manufacturer: m, cofepris } = ctx.users;
    const before = await insightsOf(m);
    expect(before.prevencion.find((p: Json) => p.route === 'abbreviated').open).toBe(1);
    await api.send(m, ids.f, 'RESPOND_PREVENCION', { data: { summary: 'Etiqueta corregida' }, effectiveAt: '2026-06-15' });
    const after = await insightsOf(m);
    expect(after.prevencion.find((p: Json) => p.route === 'abbreviated')).toMatchObject({ open: 0, days: expect.objectContaining({ max: 12 }) });
    expect(after.overdue.find((x: Json) => x.agency === 'COFEPRIS')).toMatchObject({ submissions: 0, items: [] });
    // Only the changed submission was counted again: the figures are those of a cold count over the same database.
    const cold = await initServices({ databaseUrl: ctx.database.url, mxNonWorkingDays: [] }, { now: () => clock });
    try {
      expect(after).toEqual(JSON.parse(JSON.stringify(await cold.engine.insights(m.actor, {}))));
    } finally {
      await cold.shutdown();
    }
    void cofepris;
  });
});

describe('GET /v1/insights is scoped like every read', () => {
  it('a manufacturer counts only its organization; another organization sees only its own', async () => {
    const { otherManufacturer: beta } = ctx.users;
    const r = await insightsOf(beta);
    expect(r.submissions).toBe(1);
    expect(r.daysToDecision).toEqual([expect.objectContaining({ decisions: 1 })]);
    expect(r.relianceLeadTime.every((x: Json) => x.granted === 0)).toBe(true);
    expect(r.overdue.every((x: Json) => x.submissions === 0)).toBe(true);
  });

  it('FDA reviewers count filed FDA submissions of every organization; COFEPRIS reviewers theirs and the FDA decisions they rely on; auditors all', async () => {
    const { fda, cofepris, auditor, admin } = ctx.users;
    const f = await insightsOf(fda);
    expect(f.submissions).toBe(4);
    expect(f.daysToDecision[0]).toMatchObject({ pathway: 'fda-510k', decisions: 3 });
    expect(f.relianceLeadTime.every((x: Json) => x.granted === 0)).toBe(true);
    const c = await insightsOf(cofepris);
    // Four registrations and the two FDA submissions they rely on (A and B).
    expect(c.submissions).toBe(6);
    expect(c.relianceLeadTime.find((x: Json) => x.route === 'abbreviated')).toMatchObject({ granted: 2 });
    const a = await insightsOf(auditor);
    expect(a.submissions).toBe(8);
    expect(a.daysToDecision[0]).toMatchObject({ decisions: 3 });
    // An administrator sees no submission (DESIGN §3): nothing to count.
    expect((await insightsOf(admin)).submissions).toBe(0);
  });

  it('needs a bearer token', async () => {
    expectProblem(await api.get(undefined, '/v1/insights'), 401, 'unauthenticated');
  });
});

describe('GET /v1/insights refuses a bad query with 422, naming the parameter', () => {
  const cases: Array<[string, string]> = [
    ['?pathway=fda-511k', '/pathway'],
    ['?productCode=lox', '/productCode'],
    ['?from=2026-02-30', '/from'],
    ['?to=yesterday', '/to'],
    ['?from=2026-05-01&to=2026-04-30', '/to'],
    ['?limit=5', '/limit'],
    ['?pathway=fda-510k&pathway=fda-pma', '/pathway'],
  ];
  it.each(cases)('%s → %s', async (query, pointer) => {
    const p = expectProblem(await api.get(ctx.users.manufacturer, `/v1/insights${query}`), 422, 'validation_failed');
    expect(p.errors.map((e: Json) => e.path)).toContain(pointer);
  });

  it('in Spanish when asked', async () => {
    const res = await api.get(ctx.users.manufacturer, '/v1/insights?from=2026-05-01&to=2026-04-30').set('Accept-Language', 'es');
    const p = expectProblem(res, 422, 'validation_failed');
    expect(p.errors).toEqual([{ path: '/to', message: 'debe ser igual o posterior a from (2026-05-01)' }]);
  });
});
