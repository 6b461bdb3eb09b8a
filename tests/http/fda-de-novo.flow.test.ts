/**
 * The De Novo pathway over HTTP on a real database: the §5.8 De Novo scenario of
 * reference/domain.md on its regulatory dates, then every final outcome of DESIGN §4 driven by
 * the right roles from creation (`POST /v1/submissions`, `POST /v1/submissions/:id/events`);
 * wrong role 403, wrong state 409, bad payload 422 with JSON pointers, nothing written by a
 * refused request. Timer events, which no token can send, go through the engine's system actor
 * as the sweeper will send them.
 */
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, signatureOf, testApp, type TestContext } from '../support/fixtures.js';
import { Api, DEVICE, addDays, daysAgo, errorPaths, expectProblem, type Json } from './helpers.js';

let ctx: TestContext;
let app: Express;
let api: Api;
/** Clock tags per state path, as the catalog shows them (own and inherited). */
let clocksByState: Map<string, string[]>;

beforeAll(async () => {
  ctx = await createTestContext();
  app = testApp(ctx);
  api = new Api(app);
  const res = await api.get(ctx.users.auditor, '/v1/workflows/fda-de-novo');
  expect(res.status).toBe(200);
  clocksByState = new Map((res.body.states as Json[]).map((s) => [s.path as string, s.clocks as string[]]));
});
afterAll(async () => ctx?.close());

const bodyDeNovo = (title: string, format: 'eSTAR' | 'eCopy' = 'eCopy') => ({ workflow: 'fda-de-novo', title, device: DEVICE, input: { format } });
const sorted = (xs: string[]) => [...xs].sort();
const dayNumber = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000;

/**
 * FDA days between the first and last regulatory record of a history: calendar days spent in
 * states where the catalog says the FDA clock runs (domain.md §4 note 1), from the records alone.
 */
function fdaDays(history: Json[]): number {
  const rows = history.filter((t) => t.type !== 'CREATED');
  let days = 0;
  for (let i = 0; i + 1 < rows.length; i++) {
    const state = rows[i]!.to as string;
    if (clocksByState.get(state)?.includes('fda-clock')) {
      days += dayNumber((rows[i + 1]!.effectiveAt as string).slice(0, 10)) - dayNumber((rows[i]!.effectiveAt as string).slice(0, 10));
    }
  }
  return days;
}

/** An eCopy De Novo driven to `review.substantive` through acceptance, on the given days ago. */
async function inReview(title: string, start = 200): Promise<Json> {
  const { manufacturer: m, fda } = ctx.users;
  const s = await api.create(m, bodyDeNovo(title));
  await api.send(m, s.id, 'SUBMIT', { effectiveAt: daysAgo(start) });
  await api.send(fda, s.id, 'FEE_VERIFIED', { effectiveAt: daysAgo(start) });
  const r = await api.send(fda, s.id, 'ACCEPT', { effectiveAt: daysAgo(start - 15) });
  expect(r.submission.state).toBe('review.substantive');
  return s;
}

describe('fda-de-novo: the §5.8 scenario (accept day 15; AI at FDA day 70; 120-day response; grant at FDA day 145)', () => {
  it('runs from draft to granted over HTTP on its dates: 145 FDA days, about 265 calendar days', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const created = await api.post(m, '/v1/submissions', bodyDeNovo('NeuroStim De Novo'));
    expect(created.status, created.text).toBe(201);
    const s = created.body as Json;
    expect(s).toMatchObject({
      workflow: { id: 'fda-de-novo', version: 5 },
      state: 'draft',
      status: 'active',
      decision: null,
      deadlines: [],
      input: { format: 'eCopy' },
    });
    expect(sorted(s.allowedEvents)).toEqual(['SUBMIT', 'WITHDRAW']);
    expectProblem(await api.get(fda, `/v1/submissions/${s.id}`), 404, 'not_found'); // a draft is not FDA's to see until filed (issue 8 §6)

    const day0 = 300;
    const d = {
      submit: daysAgo(day0),
      fee: daysAgo(day0),
      accept: daysAgo(day0 - 15),
      ai: daysAgo(day0 - 70),
      response: daysAgo(day0 - 190),
      grant: daysAgo(day0 - 265),
    };
    let r = await api.send(m, s.id, 'SUBMIT', { effectiveAt: d.submit });
    expect(r.submission.state).toBe('received');
    expect(r.submission.clocks.running).toEqual([]);
    expect(sorted(r.submission.allowedEvents)).toEqual(['WITHDRAW']);
    expect(sorted((await api.submission(fda, s.id)).allowedEvents)).toEqual(['FEE_UNPAID', 'FEE_VERIFIED']);

    r = await api.send(fda, s.id, 'FEE_VERIFIED', { effectiveAt: d.fee });
    expect(r.submission.state).toBe('acceptanceReview');
    expect(r.submission.clocks.running).toEqual(['fda-clock']);
    // 15 days to finish the acceptance review, or it is considered under substantive review.
    expect(r.submission.deadlines).toEqual([expect.objectContaining({ kind: 'acceptanceReview', event: 'ACCEPTANCE_TIMEOUT', dueDate: addDays(d.fee, 15) })]);
    expect(sorted(r.submission.allowedEvents)).toEqual(['ACCEPT', 'REFUSE_TO_ACCEPT']);

    r = await api.send(fda, s.id, 'ACCEPT', { effectiveAt: d.accept });
    expect(r.submission.state).toBe('review.substantive');
    expect(r.submission.deadlines).toEqual([]);
    // allowedEvents lists the events the state handles; the engine does not evaluate guards, so the
    // guarded AI_RESPONSE_INCOMPLETE is offered too (and refused with 409 below, in 'wrong state').
    expect(sorted(r.submission.allowedEvents)).toEqual(['AI_RESPONSE_INCOMPLETE', 'DECIDE_DECLINE', 'DECIDE_GRANT', 'REQUEST_AI', 'SUBSTANTIVE_INTERACTION']);

    r = await api.send(fda, s.id, 'REQUEST_AI', {
      data: { deficiencies: ['Provide the benefit-risk determination', 'Propose special controls for EMC'] },
      effectiveAt: d.ai,
    });
    expect(r.submission.state).toBe('aiHold');
    expect(r.submission.clocks).toMatchObject({ running: [], onHold: true });
    expect(r.submission.deadlines).toEqual([expect.objectContaining({ kind: 'aiResponse', event: 'AI_TIMEOUT', dueDate: addDays(d.ai, 180) })]);
    expect(r.submission.allowedEvents).toEqual([]);
    expect(sorted((await api.submission(m, s.id)).allowedEvents)).toEqual(['AI_RESPONSE', 'WITHDRAW']);

    r = await api.send(m, s.id, 'AI_RESPONSE', { data: { summary: 'Benefit-risk determination and proposed special controls' }, effectiveAt: d.response });
    expect(r.submission.state).toBe('review.substantive');
    expect(r.submission.deadlines).toEqual([]);

    r = await api.send(fda, s.id, 'DECIDE_GRANT', {
      data: { denNumber: 'DEN250031', decisionDate: d.grant, deviceClass: 'II', productCode: 'QXY', regulation: '21 CFR 882.5899' },
      effectiveAt: d.grant,
      signature: signatureOf(fda, 'approval'),
    });
    expect(r.submission).toMatchObject({ state: 'granted', status: 'active', allowedEvents: [], deadlines: [] });
    expect(r.submission.decision).toEqual({ number: 'DEN250031', decision: 'granted', decisionDate: d.grant, favourable: true });
    expect(r.transition).toMatchObject({
      type: 'DECIDE_GRANT',
      from: 'review.substantive',
      to: 'granted',
      actor: { role: 'fda' },
      signature: { name: fda.actor.name, meaning: 'approval', signedAt: r.transition.recordedAt },
    });
    expect((await api.submission(m, s.id)).allowedEvents).toEqual([]);

    const history = await api.history(auditor, s.id);
    expect(history.map((t) => [t.type, t.from, t.to, (t.actor as Json).role])).toEqual([
      ['CREATED', null, 'draft', 'manufacturer'],
      ['SUBMIT', 'draft', 'received', 'manufacturer'],
      ['FEE_VERIFIED', 'received', 'acceptanceReview', 'fda'],
      ['ACCEPT', 'acceptanceReview', 'review.substantive', 'fda'],
      ['REQUEST_AI', 'review.substantive', 'aiHold', 'fda'],
      ['AI_RESPONSE', 'aiHold', 'review.substantive', 'manufacturer'],
      ['DECIDE_GRANT', 'review.substantive', 'granted', 'fda'],
    ]);
    expect(history.slice(1).map((t) => (t.effectiveAt as string).slice(0, 10))).toEqual(Object.values(d));
    // §5.8: fdaDays 145 <= 150 (the MDUFA V goal); TTD about 265 calendar days.
    expect(fdaDays(history)).toBe(145);
    expect(dayNumber(d.grant) - dayNumber(d.submit)).toBe(265);

    // A COFEPRIS registration may rely on the granted De Novo.
    const reg = await api.create(m, {
      workflow: 'cofepris-registration',
      title: 'NeuroStim registro',
      device: DEVICE,
      input: { route: 'equivalence', reference: { submissionId: s.id } },
    });
    expect(reg.reference).toMatchObject({ submissionId: s.id, decision: 'granted', decisionDate: d.grant, favourable: true });
  });
});

describe('fda-de-novo: the other final outcomes', () => {
  it('eSTAR: screening hold, replacement, screening passed, interactive review, decline order -> closed.declined', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const s = await api.create(m, bodyDeNovo('Declined', 'eSTAR'));
    const d = {
      submit: daysAgo(220),
      fee: daysAgo(219),
      fail: daysAgo(210),
      replacement: daysAgo(180),
      pass: daysAgo(170),
      si: daysAgo(110),
      decline: daysAgo(60),
    };
    await api.send(m, s.id, 'SUBMIT', { effectiveAt: d.submit });
    let r = await api.send(fda, s.id, 'FEE_VERIFIED', { effectiveAt: d.fee });
    expect(r.submission.state).toBe('technicalScreening');
    expect(r.submission.deadlines).toEqual([expect.objectContaining({ event: 'SCREENING_TIMEOUT', dueDate: addDays(d.fee, 15) })]);
    r = await api.send(fda, s.id, 'SCREEN_FAIL', { data: { reasons: ['Benefit-risk section empty'] }, effectiveAt: d.fail });
    expect(r.submission).toMatchObject({ state: 'eStarHold', clocks: { onHold: true } });
    expect(r.submission.deadlines).toEqual([
      expect.objectContaining({ kind: 'eStarHoldResponse', event: 'ESTAR_HOLD_TIMEOUT', dueDate: addDays(d.fail, 180) }),
    ]);
    r = await api.send(m, s.id, 'REPLACEMENT_SUBMITTED', { effectiveAt: d.replacement });
    expect(r.submission.state).toBe('technicalScreening');
    expect(r.submission.deadlines).toEqual([expect.objectContaining({ event: 'SCREENING_TIMEOUT', dueDate: addDays(d.replacement, 15) })]);
    r = await api.send(fda, s.id, 'SCREEN_PASS', { effectiveAt: d.pass });
    expect(r.submission.state).toBe('review.substantive');
    r = await api.send(fda, s.id, 'SUBSTANTIVE_INTERACTION', { data: { summary: 'Interactive review' }, effectiveAt: d.si });
    expect(r.submission.state).toBe('review.interactive');
    r = await api.send(fda, s.id, 'DECIDE_DECLINE', {
      data: { reasons: ['Special controls cannot mitigate the risks'], decisionDate: d.decline },
      effectiveAt: d.decline,
    });
    expect(r.submission).toMatchObject({ state: 'closed.declined', status: 'closed', allowedEvents: [] });
    expect(r.submission.decision).toEqual({ number: null, decision: 'declined', decisionDate: d.decline, favourable: false });
    expect((await api.history(m, s.id)).map((t) => t.type)).toEqual([
      'CREATED',
      'SUBMIT',
      'FEE_VERIFIED',
      'SCREEN_FAIL',
      'REPLACEMENT_SUBMITTED',
      'SCREEN_PASS',
      'SUBSTANTIVE_INTERACTION',
      'DECIDE_DECLINE',
    ]);
  });

  it('the requester withdraws while on AI hold -> closed.withdrawn (21 CFR 860.250(a)(4))', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const s = await inReview('Withdrawn');
    await api.send(fda, s.id, 'REQUEST_AI', { data: { deficiencies: ['Clinical data'] }, effectiveAt: daysAgo(150) });
    const r = await api.send(m, s.id, 'WITHDRAW', { data: { reason: 'Will file a PMA instead' }, effectiveAt: daysAgo(120) });
    expect(r.submission).toMatchObject({ state: 'closed.withdrawn', status: 'closed', deadlines: [], decision: null, allowedEvents: [] });
    expect((await api.submission(fda, s.id)).allowedEvents).toEqual([]);
  });

  it('no complete AI response in 180 days -> closed.deleted by the system actor; an incomplete response does not restart the 180 days', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const s = await inReview('Deleted', 400);
    const ai = daysAgo(300);
    await api.send(fda, s.id, 'REQUEST_AI', { data: { deficiencies: ['Software documentation'] }, effectiveAt: ai });
    await api.send(m, s.id, 'AI_RESPONSE', { data: { summary: 'Partial software documentation' }, effectiveAt: daysAgo(250) });
    const r = await api.send(fda, s.id, 'AI_RESPONSE_INCOMPLETE', { data: { deficiencies: ['SBOM still missing'] }, effectiveAt: daysAgo(240) });
    expect(r.submission.state).toBe('aiHold');
    // FDA De Novo guidance §VI.A: back on hold as of the original AI request.
    expect(r.submission.deadlines).toEqual([expect.objectContaining({ kind: 'aiResponse', event: 'AI_TIMEOUT', dueDate: addDays(ai, 180) })]);

    // The timer event belongs to puente itself: no person may send it.
    expectProblem(await api.event(m, s.id, { type: 'AI_TIMEOUT' }), 403, 'forbidden');
    expectProblem(await api.event(fda, s.id, { type: 'AI_TIMEOUT' }), 403, 'forbidden');
    for (const u of [m, fda, auditor]) expect((await api.submission(u, s.id)).allowedEvents).not.toContain('AI_TIMEOUT');
    const overdue = await api.get(auditor, '/v1/submissions?workflow=fda-de-novo&overdue=true');
    expect(overdue.status).toBe(200);
    expect((overdue.body.items as Json[]).map((x) => x.id)).toContain(s.id);

    const res = await ctx.services.engine.sendSystemEvent(s.id, { type: 'AI_TIMEOUT', effectiveAt: addDays(ai, 180) });
    expect(res.outcome).toBe('applied');
    const after = await api.submission(auditor, s.id);
    expect(after).toMatchObject({ state: 'closed.deleted', status: 'closed', deadlines: [], decision: null });
    expect((await api.history(auditor, s.id)).at(-1)).toMatchObject({ type: 'AI_TIMEOUT', from: 'aiHold', to: 'closed.deleted', actor: { role: 'system' } });
  });

  it('acceptance review not completed in 15 days -> considered under substantive review (ACCEPTANCE_TIMEOUT, system)', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const s = await api.create(m, bodyDeNovo('Deemed accepted'));
    await api.send(m, s.id, 'SUBMIT', { effectiveAt: daysAgo(90) });
    await api.send(fda, s.id, 'FEE_VERIFIED', { effectiveAt: daysAgo(89) });
    expectProblem(await api.event(fda, s.id, { type: 'ACCEPTANCE_TIMEOUT' }), 403, 'forbidden');
    const res = await ctx.services.engine.sendSystemEvent(s.id, { type: 'ACCEPTANCE_TIMEOUT', effectiveAt: addDays(daysAgo(89), 15) });
    expect(res.outcome).toBe('applied');
    expect(await api.submission(auditor, s.id)).toMatchObject({ state: 'review.substantive', clocks: { running: ['fda-clock'] }, deadlines: [] });
  });

  it("RTA never answered -> closed.deleted; the requester's own WITHDRAW is the only way to closed.withdrawn", async () => {
    const { manufacturer: m, fda } = ctx.users;
    const s = await api.create(m, bodyDeNovo('RTA unanswered'));
    await api.send(m, s.id, 'SUBMIT', { effectiveAt: daysAgo(260) });
    await api.send(fda, s.id, 'FEE_VERIFIED', { effectiveAt: daysAgo(259) });
    const r = await api.send(fda, s.id, 'REFUSE_TO_ACCEPT', { data: { reasons: ['No device description'] }, effectiveAt: daysAgo(250) });
    expect(r.submission.deadlines).toEqual([expect.objectContaining({ kind: 'rtaResponse', event: 'RTA_TIMEOUT', dueDate: addDays(daysAgo(250), 180) })]);
    await ctx.services.engine.sendSystemEvent(s.id, { type: 'RTA_TIMEOUT', effectiveAt: addDays(daysAgo(250), 180) });
    expect((await api.submission(m, s.id)).state).toBe('closed.deleted');
  });
});

describe('fda-de-novo: refusals write nothing', () => {
  it('wrong role -> 403 (another organization or a COFEPRIS reviewer -> 404)', async () => {
    const { manufacturer: m, otherManufacturer, fda, auditor, cofepris } = ctx.users;
    const s = await api.create(m, bodyDeNovo('Roles'));
    expectProblem(await api.event(fda, s.id, { type: 'SUBMIT' }), 404, 'not_found'); // a draft is not FDA's to see until filed (issue 8 §6)
    expectProblem(await api.event(auditor, s.id, { type: 'SUBMIT' }), 403, 'forbidden');
    expectProblem(await api.event(ctx.users.admin, s.id, { type: 'WITHDRAW' }), 404, 'not_found'); // admins see no submissions
    await api.send(m, s.id, 'SUBMIT');
    expectProblem(await api.event(m, s.id, { type: 'FEE_VERIFIED' }), 403, 'forbidden');
    const p = expectProblem(await api.event(m, s.id, { type: 'DECIDE_GRANT', data: { denNumber: 'DEN250001', decisionDate: daysAgo(3) } }), 403, 'forbidden');
    expect(p.detail).toMatch(/fda/);
    expectProblem(await api.event(otherManufacturer, s.id, { type: 'WITHDRAW' }), 404, 'not_found');
    expectProblem(await api.get(cofepris, `/v1/submissions/${s.id}`), 404, 'not_found');
    expectProblem(await api.post(fda, '/v1/submissions', bodyDeNovo('FDA cannot create')), 403, 'forbidden');
    expect((await api.history(m, s.id)).map((t) => t.type)).toEqual(['CREATED', 'SUBMIT']);
  });

  it('wrong state -> 409 naming the state; an AI_RESPONSE_INCOMPLETE with no AI request -> 409 saying why', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const s = await api.create(m, bodyDeNovo('States'));
    expectProblem(await api.event(fda, s.id, { type: 'DECIDE_GRANT', data: { denNumber: 'DEN250001', decisionDate: daysAgo(3) } }), 404, 'not_found'); // a draft is not FDA's to see until filed (issue 8 §6)
    let p = expectProblem(await api.event(m, s.id, { type: 'AI_RESPONSE', data: { summary: 'Answer' } }), 409, 'event_not_allowed');
    expect(p.detail).toContain('draft');
    const inRev = await inReview('Incomplete without AI', 50);
    const before = await api.history(m, inRev.id);
    p = expectProblem(await api.event(fda, inRev.id, { type: 'AI_RESPONSE_INCOMPLETE' }), 409, 'event_not_allowed');
    expect(p.detail).toMatch(/no Additional Information request/);
    expectProblem(await api.event(fda, inRev.id, { type: 'SCREEN_PASS' }), 409, 'event_not_allowed'); // eCopy: no technical screening
    expect(await api.history(m, inRev.id)).toEqual(before);
    const granted = await api.send(fda, inRev.id, 'DECIDE_GRANT', { data: { denNumber: 'DEN250002', decisionDate: daysAgo(2) }, effectiveAt: daysAgo(2) });
    expect(granted.submission.state).toBe('granted');
    expectProblem(await api.event(m, inRev.id, { type: 'WITHDRAW' }), 409, 'event_not_allowed');
    expectProblem(await api.event(fda, inRev.id, { type: 'DECIDE_DECLINE' }), 409, 'event_not_allowed');
  });

  it('bad payloads -> 422 with JSON pointers: DEN number pattern, decision date, unknown fields, creation input', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const s = await inReview('Payloads', 40);
    const before = await api.history(m, s.id);
    const send = (data: Json) => api.event(fda, s.id, { type: 'DECIDE_GRANT', data });
    for (const denNumber of ['DEN25001', 'K250001', 'den250001', 'DEN2500011']) {
      expect(errorPaths(expectProblem(await send({ denNumber, decisionDate: daysAgo(3) }), 422, 'validation_failed')), denNumber).toEqual(['/data/denNumber']);
    }
    expect(errorPaths(expectProblem(await send({ denNumber: 'DEN250001' }), 422, 'validation_failed'))).toEqual(['/data/decisionDate']);
    expect(errorPaths(expectProblem(await send({ denNumber: 'DEN250001', decisionDate: '2025/01/01' }), 422, 'validation_failed'))).toEqual([
      '/data/decisionDate',
    ]);
    expect(errorPaths(expectProblem(await send({ denNumber: 'DEN250001', decisionDate: daysAgo(3), deviceClass: 'III' }), 422, 'validation_failed'))).toEqual([
      '/data/deviceClass',
    ]);
    expect(errorPaths(expectProblem(await send({ denNumber: 'DEN250001', decisionDate: daysAgo(3), kNumber: 'K250001' }), 422, 'validation_failed'))).toEqual([
      '/data/kNumber',
    ]);
    expect(errorPaths(expectProblem(await api.event(fda, s.id, { type: 'REQUEST_AI', data: { deficiencies: [] } }), 422, 'validation_failed'))).toEqual([
      '/data/deficiencies',
    ]);
    expect(errorPaths(expectProblem(await api.event(fda, s.id, { type: 'RESCIND_SE' }), 422, 'validation_failed'))).toEqual(['/type']);
    expect(await api.history(m, s.id)).toEqual(before);

    expect(errorPaths(expectProblem(await api.post(m, '/v1/submissions', { ...bodyDeNovo('No format'), input: {} }), 422, 'validation_failed'))).toEqual([
      '/input/format',
    ]);
    expect(
      errorPaths(expectProblem(await api.post(m, '/v1/submissions', { ...bodyDeNovo('Paper'), input: { format: 'paper' } }), 422, 'validation_failed')),
    ).toEqual(['/input/format']);
  });
});
