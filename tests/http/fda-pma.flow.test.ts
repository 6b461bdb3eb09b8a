/**
 * The PMA pathway over HTTP on a real database: the §5.8 scenarios of reference/domain.md that
 * need no clock (PMA without panel, PMA with panel, real-time supplement) on their regulatory
 * dates, then every final outcome (DESIGN §4, plus withdrawal of approval and the two ends of a
 * 30-day notice) driven by the right roles from creation (`POST /v1/submissions`,
 * `POST /v1/submissions/:id/events`); wrong role 403, wrong state or refused guard 409, bad
 * payload 422 with JSON pointers, nothing written by a refused request. Timer events, which no
 * token can send, go through the engine's system actor as the sweeper will send them.
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
  const res = await api.get(ctx.users.auditor, '/v1/workflows/fda-pma');
  expect(res.status).toBe(200);
  clocksByState = new Map((res.body.states as Json[]).map((s) => [s.path as string, s.clocks as string[]]));
});
afterAll(async () => ctx?.close());

const PARENT = 'P170019';
const bodyPma = (title: string, input: Json = {}) => ({
  workflow: 'fda-pma',
  title,
  device: { ...DEVICE, name: 'Acme Heart Valve', productCode: 'LWR' },
  input,
});
const supplement = (supplementType: string, title = `${supplementType} supplement`) => bodyPma(title, { supplementType, pmaNumber: PARENT });
const sorted = (xs: string[]) => [...xs].sort();
const dayNumber = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000;
const dateOf = (t: Json) => (t.effectiveAt as string).slice(0, 10);

/** FDA days over a history: calendar days spent where the catalog says the FDA clock runs. */
function fdaDays(history: Json[]): number {
  const rows = history.filter((t) => t.type !== 'CREATED');
  let days = 0;
  for (let i = 0; i + 1 < rows.length; i++) {
    if (clocksByState.get(rows[i]!.to as string)?.includes('fda-clock')) days += dayNumber(dateOf(rows[i + 1]!)) - dayNumber(dateOf(rows[i]!));
  }
  return days;
}

/** Drives a new submission through `[user, type, daysAgo, data?]` steps; returns it and the last response. */
async function drive(body: Json, steps: Array<[keyof TestContext['users'], string, number, Json?]>): Promise<{ s: Json; r: Json }> {
  const s = await api.create(ctx.users.manufacturer, body);
  let r: Json = { submission: s };
  for (const [user, type, ago, data] of steps) r = await api.send(ctx.users[user], s.id, type, { effectiveAt: daysAgo(ago), ...(data ? { data } : {}) });
  return { s, r };
}

/** An original PMA driven to `review.substantive` (filed). */
const filed = (title: string, start = 300) =>
  drive(bodyPma(title), [
    ['manufacturer', 'SUBMIT', start],
    ['fda', 'FEE_VERIFIED', start],
    ['fda', 'ACCEPT', start - 15],
    ['fda', 'FILE', start - 45],
  ]);

describe('fda-pma: §5.8 "PMA no panel" (filed day 45; SI and MDL at FDA day 90; 150-day response; approval at FDA day 175)', () => {
  it('runs from draft to approved: 175 FDA days from filing, about 370 calendar days', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const created = await api.post(m, '/v1/submissions', bodyPma('AHV-3 original PMA'));
    expect(created.status, created.text).toBe(201);
    const s = created.body as Json;
    expect(s).toMatchObject({ workflow: { id: 'fda-pma', version: 5 }, state: 'draft', status: 'active', decision: null, deadlines: [] });
    expect(sorted(s.allowedEvents)).toEqual(['SUBMIT', 'WITHDRAW']);

    const day0 = 400;
    const d = {
      submit: daysAgo(day0),
      fee: daysAgo(day0),
      accept: daysAgo(day0 - 15),
      file: daysAgo(day0 - 45),
      si: daysAgo(day0 - 135),
      mdl: daysAgo(day0 - 135),
      amendment: daysAgo(day0 - 285),
      approval: daysAgo(day0 - 370),
    };
    let r = await api.send(m, s.id, 'SUBMIT', { effectiveAt: d.submit });
    expect(r.submission.state).toBe('received');
    r = await api.send(fda, s.id, 'FEE_VERIFIED', { effectiveAt: d.fee });
    expect(r.submission).toMatchObject({ state: 'acceptanceReview', clocks: { running: [], onHold: false } });
    r = await api.send(fda, s.id, 'ACCEPT', { effectiveAt: d.accept });
    expect(r.submission.state).toBe('filingReview');
    expect(sorted(r.submission.allowedEvents)).toEqual(['FILE', 'REFUSE_TO_FILE']);
    r = await api.send(fda, s.id, 'FILE', { effectiveAt: d.file });
    expect(r.submission).toMatchObject({ state: 'review.substantive', clocks: { running: ['fda-clock'] } });
    expect(sorted(r.submission.allowedEvents)).toEqual([
      'ISSUE_APPROVABLE',
      'ISSUE_APPROVAL_ORDER',
      'ISSUE_DENIAL',
      'ISSUE_MDL',
      'ISSUE_NOT_APPROVABLE',
      'REFER_TO_PANEL',
      'SUBSTANTIVE_INTERACTION',
    ]);
    expect(sorted((await api.submission(m, s.id)).allowedEvents)).toEqual(['UNSOLICITED_MAJOR_AMENDMENT', 'WITHDRAW']);

    r = await api.send(fda, s.id, 'SUBSTANTIVE_INTERACTION', { data: { summary: 'Major deficiencies follow' }, effectiveAt: d.si });
    expect(r.submission.state).toBe('review.interactive');
    r = await api.send(fda, s.id, 'ISSUE_MDL', { data: { deficiencies: ['Provide 2-year follow-up of the pivotal cohort'] }, effectiveAt: d.mdl });
    expect(r.submission).toMatchObject({ state: 'mdlHold.responseWindow', clocks: { running: [], onHold: true } });
    expect(r.submission.deadlines).toEqual([expect.objectContaining({ kind: 'mdlResponse', event: 'MDL_TIMEOUT', dueDate: addDays(d.mdl, 180) })]);
    // fda-pma@4: FDA has nothing to do until the applicant answers or asks for more time (814.37(c)(3)).
    expect(r.submission.allowedEvents).toEqual([]);
    expect(sorted((await api.submission(m, s.id)).allowedEvents)).toEqual(['MAJOR_AMENDMENT', 'REQUEST_RESPONSE_EXTENSION', 'WITHDRAW']);

    r = await api.send(m, s.id, 'MAJOR_AMENDMENT', { data: { summary: '2-year follow-up data' }, effectiveAt: d.amendment });
    expect(r.submission).toMatchObject({ state: 'review.substantive', deadlines: [] });
    r = await api.send(fda, s.id, 'ISSUE_APPROVAL_ORDER', {
      data: { pmaNumber: 'P250017', decisionDate: d.approval, conditions: ['Post-approval study of 5-year durability'] },
      effectiveAt: d.approval,
      signature: signatureOf(fda, 'approval'),
    });
    expect(r.submission).toMatchObject({ state: 'approved', status: 'active', allowedEvents: ['WITHDRAW_APPROVAL'] });
    expect(r.submission.decision).toEqual({ number: 'P250017', decision: 'approved', decisionDate: d.approval, favourable: true });
    expect((await api.submission(m, s.id)).allowedEvents).toEqual([]);

    const history = await api.history(auditor, s.id);
    expect(history.map((t) => [t.type, t.from, t.to, (t.actor as Json).role])).toEqual([
      ['CREATED', null, 'draft', 'manufacturer'],
      ['SUBMIT', 'draft', 'received', 'manufacturer'],
      ['FEE_VERIFIED', 'received', 'acceptanceReview', 'fda'],
      ['ACCEPT', 'acceptanceReview', 'filingReview', 'fda'],
      ['FILE', 'filingReview', 'review.substantive', 'fda'],
      ['SUBSTANTIVE_INTERACTION', 'review.substantive', 'review.interactive', 'fda'],
      ['ISSUE_MDL', 'review.interactive', 'mdlHold.responseWindow', 'fda'],
      ['MAJOR_AMENDMENT', 'mdlHold.responseWindow', 'review.substantive', 'manufacturer'],
      ['ISSUE_APPROVAL_ORDER', 'review.substantive', 'approved', 'fda'],
    ]);
    expect(history.slice(1).map(dateOf)).toEqual(Object.values(d));
    // §5.8: FDA days count from filing (the MDL stops them); TTD about 370 calendar days.
    expect(fdaDays(history)).toBe(175);
    expect(dayNumber(d.approval) - dayNumber(d.submit)).toBe(370);
  });
});

describe('fda-pma: §5.8 "PMA with panel" (panel at FDA day 200; approval at FDA day 300)', () => {
  it('runs to approved within the 320-day panel goal; withdrawing the approval (814.46) notifies a relying registration', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const day0 = 420;
    const d = {
      submit: daysAgo(day0),
      fee: daysAgo(day0),
      accept: daysAgo(day0 - 15),
      file: daysAgo(day0 - 45),
      si: daysAgo(day0 - 135),
      refer: daysAgo(day0 - 195),
      recommendation: daysAgo(day0 - 245),
      approval: daysAgo(day0 - 345),
    };
    const s = await api.create(m, bodyPma('AHV-3 PMA with panel'));
    await api.send(m, s.id, 'SUBMIT', { effectiveAt: d.submit });
    await api.send(fda, s.id, 'FEE_VERIFIED', { effectiveAt: d.fee });
    await api.send(fda, s.id, 'ACCEPT', { effectiveAt: d.accept });
    await api.send(fda, s.id, 'FILE', { effectiveAt: d.file });
    await api.send(fda, s.id, 'SUBSTANTIVE_INTERACTION', { data: { summary: 'Interactive review' }, effectiveAt: d.si });
    let r = await api.send(fda, s.id, 'REFER_TO_PANEL', {
      data: { panel: 'Circulatory System Devices Panel', requestedBySponsor: true },
      effectiveAt: d.refer,
    });
    expect(r.submission).toMatchObject({ state: 'advisoryPanel', clocks: { running: ['fda-clock'] } });
    // There is no panel role: FDA staff record the panel's recommendation.
    expectProblem(await api.event(m, s.id, { type: 'PANEL_RECOMMENDATION', data: { recommendation: 'approval' } }), 403, 'forbidden');
    r = await api.send(fda, s.id, 'PANEL_RECOMMENDATION', {
      data: { recommendation: 'approval-with-conditions', meetingDate: d.recommendation, summary: 'Benefits outweigh risks (8-1)' },
      effectiveAt: d.recommendation,
    });
    expect(r.submission.state).toBe('review.postPanel');
    r = await api.send(fda, s.id, 'ISSUE_APPROVAL_ORDER', { data: { pmaNumber: 'P250018', decisionDate: d.approval }, effectiveAt: d.approval });
    expect(r.submission.state).toBe('approved');

    const history = await api.history(auditor, s.id);
    expect(history.map((t) => t.type)).toEqual([
      'CREATED',
      'SUBMIT',
      'FEE_VERIFIED',
      'ACCEPT',
      'FILE',
      'SUBSTANTIVE_INTERACTION',
      'REFER_TO_PANEL',
      'PANEL_RECOMMENDATION',
      'ISSUE_APPROVAL_ORDER',
    ]);
    expect(history.slice(1).map(dateOf)).toEqual(Object.values(d));
    const days = fdaDays(history);
    expect(days).toBe(300);
    expect(days).toBeLessThanOrEqual(320);

    // A COFEPRIS registration relies on the approval and is told, in the same request, when FDA withdraws it.
    const reg = await api.create(m, {
      workflow: 'cofepris-registration',
      title: 'AHV-3 registro',
      device: DEVICE,
      input: { route: 'equivalence', reference: { submissionId: s.id } },
    });
    expect(reg.reference).toMatchObject({ submissionId: s.id, decision: 'approved', decisionDate: d.approval, favourable: true });
    expectProblem(await api.event(m, s.id, { type: 'WITHDRAW_APPROVAL', data: { reason: 'x' } }), 403, 'forbidden');
    expectProblem(await api.event(m, s.id, { type: 'WITHDRAW' }), 409, 'event_not_allowed');
    r = await api.send(fda, s.id, 'WITHDRAW_APPROVAL', { data: { reason: 'Failure to conduct the post-approval study (814.46(a)(2))' } });
    expect(r.submission).toMatchObject({ state: 'closed.approvalWithdrawn', status: 'closed', allowedEvents: [] });
    expect(r.submission.decision).toEqual({ number: 'P250018', decision: 'approvalWithdrawn', decisionDate: d.approval, favourable: false });
    expect((await api.history(auditor, reg.id)).at(-1)).toMatchObject({
      type: 'REFERENCE_INVALIDATED',
      actor: { role: 'system' },
      data: { referenceSubmissionId: s.id, referenceState: 'closed.approvalWithdrawn' },
    });
    expect((await api.submission(m, reg.id)).reference).toMatchObject({ favourable: false });
  });
});

describe('fda-pma: §5.8 "real-time supplement" (decision at FDA day 55)', () => {
  it('goes straight to review, refuses an MDL and a wrong P-number with 409 saying why, and is approved as P170019/S012', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const created = await api.post(m, '/v1/submissions', supplement('real-time', 'AHV-3 labeling change'));
    expect(created.status, created.text).toBe(201);
    const s = created.body as Json;
    expect(s.input).toEqual({ supplementType: 'real-time', pmaNumber: PARENT });
    const d = { submit: daysAgo(100), fee: daysAgo(100), approval: daysAgo(45) };
    await api.send(m, s.id, 'SUBMIT', { effectiveAt: d.submit });
    let r = await api.send(fda, s.id, 'FEE_VERIFIED', { effectiveAt: d.fee });
    expect(r.submission).toMatchObject({ state: 'review.substantive', clocks: { running: ['fda-clock'] } });

    const before = await api.history(auditor, s.id);
    let p = expectProblem(await api.event(fda, s.id, { type: 'ISSUE_MDL', data: { deficiencies: ['x'] } }), 409, 'event_not_allowed');
    expect(p.detail).toMatch(/no Major Deficiency Letter for real-time supplements/);
    p = expectProblem(
      await api.event(fda, s.id, { type: 'ISSUE_APPROVAL_ORDER', data: { pmaNumber: PARENT, decisionDate: d.approval } }),
      409,
      'event_not_allowed',
    );
    expect(p.detail).toMatch(/supplement number like P170019\/S001/);
    p = expectProblem(
      await api.event(fda, s.id, { type: 'ISSUE_APPROVAL_ORDER', data: { pmaNumber: 'P180001/S012', decisionDate: d.approval } }),
      409,
      'event_not_allowed',
    );
    expect(p.detail).toMatch(/changes P170019/);
    expect(await api.history(auditor, s.id)).toEqual(before);

    r = await api.send(fda, s.id, 'ISSUE_APPROVAL_ORDER', { data: { pmaNumber: `${PARENT}/S012`, decisionDate: d.approval }, effectiveAt: d.approval });
    expect(r.submission).toMatchObject({ state: 'approved' });
    expect(r.submission.decision).toEqual({ number: `${PARENT}/S012`, decision: 'approved', decisionDate: d.approval, favourable: true });
    const history = await api.history(auditor, s.id);
    expect(history.map((t) => t.type)).toEqual(['CREATED', 'SUBMIT', 'FEE_VERIFIED', 'ISSUE_APPROVAL_ORDER']);
    expect(fdaDays(history)).toBe(55); // FY2009 median 55 days, goal 90
  });
});

describe('fda-pma: the other outcomes', () => {
  it('RTA, response, accepted, refused to file (a hold, 814.42(d)), not amended in 180 days -> FDA closes it: closed.notFiled', async () => {
    const { s } = await drive(bodyPma('Not filed'), [
      ['manufacturer', 'SUBMIT', 400],
      ['fda', 'FEE_VERIFIED', 399],
    ]);
    const { manufacturer: m, fda } = ctx.users;
    let r = await api.send(fda, s.id, 'REFUSE_TO_ACCEPT', { data: { reasons: ['Clinical study report missing'] }, effectiveAt: daysAgo(390) });
    expect(r.submission).toMatchObject({ state: 'rtaHold', clocks: { onHold: true } });
    expect(r.submission.deadlines).toEqual([
      expect.objectContaining({ kind: 'rtaResponse', event: 'CONSIDER_WITHDRAWN', consequence: 'decision', dueDate: addDays(daysAgo(390), 180) }),
    ]);
    await api.send(m, s.id, 'RTA_RESPONSE', { data: { summary: 'Report added' }, effectiveAt: daysAgo(350) });
    await api.send(fda, s.id, 'ACCEPT', { effectiveAt: daysAgo(340) });
    const letter = daysAgo(310);
    r = await api.send(fda, s.id, 'REFUSE_TO_FILE', { data: { reasons: ['Pivotal study not adequately controlled'] }, effectiveAt: letter });
    expect(r.submission).toMatchObject({ state: 'refusedToFile.responseWindow', status: 'active', decision: null, clocks: { onHold: true } });
    expect(r.submission.deadlines).toEqual([expect.objectContaining({ event: 'CLOSE_NOT_FILED', consequence: 'decision', dueDate: addDays(letter, 180) })]);
    expect(sorted((await api.submission(m, s.id)).allowedEvents)).toEqual([
      'FILING_AMENDMENT',
      'REQUEST_INFORMAL_CONFERENCE',
      'REQUEST_RESPONSE_EXTENSION',
      'WITHDRAW',
    ]);
    // Not before the window is over (the guard reads the step's effective date).
    expectProblem(
      await api.event(fda, s.id, { type: 'CLOSE_NOT_FILED', effectiveAt: addDays(letter, 180), signature: signatureOf(fda) }),
      409,
      'event_not_allowed',
    );
    r = await api.send(fda, s.id, 'CLOSE_NOT_FILED', { data: { reason: 'No amendment received' }, effectiveAt: addDays(letter, 181) });
    expect(r.submission).toMatchObject({ state: 'closed.notFiled', status: 'closed', decision: null, allowedEvents: [] });
    expect((await api.submission(m, s.id)).allowedEvents).toEqual([]);
  });

  it('a resubmitted PMA carries its original number; not approvable, amendment, not approvable again, denial -> closed.denied', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const { s } = await drive(bodyPma('Resubmitted and denied', { pmaNumber: PARENT }), [
      ['manufacturer', 'SUBMIT', 300],
      ['fda', 'FEE_VERIFIED', 300],
      ['fda', 'ACCEPT', 290],
      ['fda', 'FILE', 260],
    ]);
    let r = await api.send(fda, s.id, 'ISSUE_NOT_APPROVABLE', { data: { deficiencies: ['Primary endpoint not met'] }, effectiveAt: daysAgo(200) });
    expect(r.submission).toMatchObject({ state: 'notApprovable.responseWindow', clocks: { onHold: true } });
    expect(r.submission.decision).toEqual({ number: null, decision: 'notApprovable', decisionDate: daysAgo(200), favourable: false });
    expect(r.submission.deadlines).toEqual([
      expect.objectContaining({ kind: 'notApprovableResponse', event: 'NOT_APPROVABLE_TIMEOUT', dueDate: addDays(daysAgo(200), 180) }),
    ]);
    r = await api.send(m, s.id, 'AMENDMENT', { data: { summary: 'Re-analysis' }, effectiveAt: daysAgo(150) });
    expect(r.submission.state).toBe('review.substantive');
    await api.send(fda, s.id, 'ISSUE_NOT_APPROVABLE', { data: { deficiencies: ['Re-analysis post hoc'] }, effectiveAt: daysAgo(100) });
    r = await api.send(fda, s.id, 'ISSUE_DENIAL', {
      data: { reasons: ['No reasonable assurance of effectiveness'], decisionDate: daysAgo(60) },
      effectiveAt: daysAgo(60),
    });
    expect(r.submission).toMatchObject({ state: 'closed.denied', status: 'closed', deadlines: [] });
    expect(r.submission.decision).toEqual({ number: null, decision: 'denied', decisionDate: daysAgo(60), favourable: false });
  });

  it('a 180-day supplement: approvable letter, response, final review, approval under its supplement number', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const { s } = await drive(supplement('180-day'), [
      ['manufacturer', 'SUBMIT', 200],
      ['fda', 'FEE_VERIFIED', 200],
    ]);
    let r = await api.send(fda, s.id, 'ISSUE_APPROVABLE', { data: { conditions: ['Revised labeling'] }, effectiveAt: daysAgo(120) });
    expect(r.submission).toMatchObject({ state: 'approvable.responseWindow', clocks: { onHold: true } });
    // 21 CFR 814.44(g): 180 days to answer, or considered withdrawn (fda-pma@4).
    expect(r.submission.deadlines).toEqual([
      expect.objectContaining({ kind: 'approvableResponse', event: 'APPROVABLE_TIMEOUT', consequence: 'automatic', dueDate: addDays(daysAgo(120), 180) }),
    ]);
    expect(r.submission.decision).toMatchObject({ decision: 'approvable', favourable: false });
    r = await api.send(m, s.id, 'APPROVABLE_RESPONSE', { data: { summary: 'Revised labeling' }, effectiveAt: daysAgo(100) });
    expect(r.submission.state).toBe('review.final');
    r = await api.send(fda, s.id, 'ISSUE_APPROVAL_ORDER', { data: { pmaNumber: `${PARENT}/S013`, decisionDate: daysAgo(90) }, effectiveAt: daysAgo(90) });
    expect(r.submission.decision).toMatchObject({ number: `${PARENT}/S013`, decision: 'approved', favourable: true });
  });

  it('an MDL answered neither in 180 days nor in the extension FDA granted on request (360) -> FDA considers it withdrawn', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const { s } = await filed('MDL never answered', 500);
    const mdl = daysAgo(420);
    let r = await api.send(fda, s.id, 'ISSUE_MDL', { data: { deficiencies: ['Biocompatibility of the new polymer'] }, effectiveAt: mdl });
    expect(r.submission.deadlines).toEqual([expect.objectContaining({ event: 'MDL_TIMEOUT', dueDate: addDays(mdl, 180) })]);
    r = await api.send(m, s.id, 'REQUEST_RESPONSE_EXTENSION', { data: { reason: 'Long-term biocompatibility testing' }, effectiveAt: daysAgo(310) });
    expect(r.submission.state).toBe('mdlHold.extensionRequested');
    r = await api.send(fda, s.id, 'GRANT_RESPONSE_EXTENSION', { effectiveAt: daysAgo(300) });
    expect(r.submission.state).toBe('mdlHold.extendedWindow');
    // Still counted from the MDL, not from the extension; its end is FDA's decision (guidance, not regulation).
    expect(r.submission.deadlines).toEqual([
      expect.objectContaining({ kind: 'mdlResponse', event: 'CONSIDER_WITHDRAWN', consequence: 'decision', dueDate: addDays(mdl, 360) }),
    ]);
    expectProblem(await api.event(m, s.id, { type: 'CONSIDER_WITHDRAWN' }), 403, 'forbidden');
    r = await api.send(fda, s.id, 'CONSIDER_WITHDRAWN', { data: { reason: 'No amendment within the extension' }, effectiveAt: addDays(mdl, 361) });
    expect(await api.submission(auditor, s.id)).toMatchObject({ state: 'closed.withdrawn', status: 'closed', deadlines: [] });
    expect((await api.history(auditor, s.id)).at(-1)).toMatchObject({
      type: 'CONSIDER_WITHDRAWN',
      from: 'mdlHold.extendedWindow',
      to: 'closed.withdrawn',
      actor: { role: 'fda' },
    });
  });

  it('the applicant withdraws during the advisory panel -> closed.withdrawn', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const { s } = await filed('Withdrawn at panel', 200);
    await api.send(fda, s.id, 'REFER_TO_PANEL', { data: { panel: 'Neurological Devices Panel' }, effectiveAt: daysAgo(100) });
    const r = await api.send(m, s.id, 'WITHDRAW', { data: { reason: 'Panel questions cannot be answered in time' }, effectiveAt: daysAgo(90) });
    expect(r.submission).toMatchObject({ state: 'closed.withdrawn', status: 'closed', decision: null });
  });

  it('an unsolicited major amendment changes no state but is recorded in the history', async () => {
    const { manufacturer: m, auditor } = ctx.users;
    const { s, r: last } = await filed('Unsolicited amendment', 120);
    const r = await api.send(m, s.id, 'UNSOLICITED_MAJOR_AMENDMENT', { data: { summary: 'New sterilization validation' }, effectiveAt: daysAgo(60) });
    expect(r.submission).toMatchObject({ state: 'review.substantive', version: last.submission.version + 1, clocks: { running: ['fda-clock'] } });
    expect(r.transition).toMatchObject({
      type: 'UNSOLICITED_MAJOR_AMENDMENT',
      from: 'review.substantive',
      to: 'review.substantive',
      actor: { role: 'manufacturer' },
    });
    expect((await api.history(auditor, s.id)).at(-1)!.type).toBe('UNSOLICITED_MAJOR_AMENDMENT');
  });
});

describe('fda-pma: 30-day notice (21 CFR 814.39(f))', () => {
  it('without an objection the change may be distributed when the 30 days end (system actor) -> inEffect', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const { s } = await drive(supplement('30-day-notice', 'New sterilizer'), [['manufacturer', 'SUBMIT', 60]]);
    const received = daysAgo(59);
    const r = await api.send(fda, s.id, 'FEE_VERIFIED', { effectiveAt: received });
    expect(r.submission.state).toBe('noticePeriod');
    expect(r.submission.deadlines).toEqual([expect.objectContaining({ kind: 'noticePeriod', event: 'NOTICE_PERIOD_TIMEOUT', dueDate: addDays(received, 30) })]);
    expect(sorted(r.submission.allowedEvents)).toEqual(['FDA_OBJECTS']);
    expect(sorted((await api.submission(m, s.id)).allowedEvents)).toEqual(['WITHDRAW']);
    expectProblem(await api.event(fda, s.id, { type: 'NOTICE_PERIOD_TIMEOUT' }), 403, 'forbidden');
    expectProblem(await api.event(m, s.id, { type: 'NOTICE_PERIOD_TIMEOUT' }), 403, 'forbidden');
    const res = await ctx.services.engine.sendSystemEvent(s.id, { type: 'NOTICE_PERIOD_TIMEOUT', effectiveAt: addDays(received, 30) });
    expect(res.outcome).toBe('applied');
    expect(await api.submission(auditor, s.id)).toMatchObject({ state: 'inEffect', status: 'active', deadlines: [], allowedEvents: [] });
    expect((await api.history(auditor, s.id)).map((t) => [t.type, (t.actor as Json).role])).toEqual([
      ['CREATED', 'manufacturer'],
      ['SUBMIT', 'manufacturer'],
      ['FEE_VERIFIED', 'fda'],
      ['NOTICE_PERIOD_TIMEOUT', 'system'],
    ]);
  });

  it('FDA finds the notice inadequate -> closed.noticeInadequate (a 135-day supplement is required)', async () => {
    const { fda } = ctx.users;
    const { s } = await drive(supplement('30-day-notice', 'Moved cleaning step'), [
      ['manufacturer', 'SUBMIT', 40],
      ['fda', 'FEE_VERIFIED', 40],
    ]);
    expectProblem(
      await api.event(fda, s.id, { type: 'ISSUE_APPROVAL_ORDER', data: { pmaNumber: `${PARENT}/S020`, decisionDate: daysAgo(30) } }),
      409,
      'event_not_allowed',
    );
    const r = await api.send(fda, s.id, 'FDA_OBJECTS', { data: { reasons: ['The change affects the sterility assurance level'] }, effectiveAt: daysAgo(25) });
    expect(r.submission).toMatchObject({ state: 'closed.noticeInadequate', status: 'closed', decision: null });
  });
});

describe('fda-pma: refusals write nothing', () => {
  it('wrong role -> 403 (another organization or a COFEPRIS reviewer -> 404)', async () => {
    const { manufacturer: m, otherManufacturer, fda, auditor, cofepris } = ctx.users;
    const { s } = await filed('Roles', 100);
    const before = await api.history(auditor, s.id);
    expectProblem(await api.event(m, s.id, { type: 'ISSUE_APPROVAL_ORDER', data: { pmaNumber: 'P250001', decisionDate: daysAgo(3) } }), 403, 'forbidden');
    expectProblem(await api.event(m, s.id, { type: 'REFER_TO_PANEL' }), 403, 'forbidden');
    expectProblem(await api.event(fda, s.id, { type: 'UNSOLICITED_MAJOR_AMENDMENT' }), 403, 'forbidden');
    expectProblem(await api.event(fda, s.id, { type: 'WITHDRAW' }), 403, 'forbidden');
    expectProblem(await api.event(auditor, s.id, { type: 'ISSUE_DENIAL' }), 403, 'forbidden');
    expectProblem(await api.event(otherManufacturer, s.id, { type: 'WITHDRAW' }), 404, 'not_found');
    expectProblem(await api.event(cofepris, s.id, { type: 'ISSUE_DENIAL' }), 404, 'not_found');
    expect(await api.history(auditor, s.id)).toEqual(before);
  });

  it('wrong state -> 409 naming the state', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const s = await api.create(m, bodyPma('States'));
    expectProblem(await api.event(fda, s.id, { type: 'FILE' }), 404, 'not_found'); // a draft is not FDA's to see until filed (issue 8 §6)
    let p = expectProblem(await api.event(m, s.id, { type: 'FEE_PAID' }), 409, 'event_not_allowed');
    expect(p.detail).toContain('draft');
    await api.send(m, s.id, 'SUBMIT', { effectiveAt: daysAgo(90) });
    await api.send(fda, s.id, 'FEE_VERIFIED', { effectiveAt: daysAgo(90) });
    const before = await api.history(auditor, s.id);
    p = expectProblem(
      await api.event(fda, s.id, { type: 'ISSUE_APPROVAL_ORDER', data: { pmaNumber: 'P250001', decisionDate: daysAgo(3) } }),
      409,
      'event_not_allowed',
    );
    expect(p.detail).toContain('acceptanceReview');
    expectProblem(await api.event(fda, s.id, { type: 'PANEL_RECOMMENDATION', data: { recommendation: 'approval' } }), 409, 'event_not_allowed');
    expectProblem(await api.event(fda, s.id, { type: 'WITHDRAW_APPROVAL', data: { reason: 'x' } }), 409, 'event_not_allowed');
    expectProblem(await api.event(m, s.id, { type: 'MAJOR_AMENDMENT', data: { summary: 'Amendment' } }), 409, 'event_not_allowed');
    expect(await api.history(auditor, s.id)).toEqual(before);
  });

  it('bad payloads -> 422 with JSON pointers: P-number pattern, decision date, unknown fields, creation input', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const { s } = await filed('Payloads', 80);
    const before = await api.history(auditor, s.id);
    const approve = (data: Json) => api.event(fda, s.id, { type: 'ISSUE_APPROVAL_ORDER', data });
    for (const pmaNumber of ['P25001', 'K250001', 'p250001', 'P250001/S01', 'P250001-S001', 'DEN250001']) {
      expect(errorPaths(expectProblem(await approve({ pmaNumber, decisionDate: daysAgo(3) }), 422, 'validation_failed')), pmaNumber).toEqual([
        '/data/pmaNumber',
      ]);
    }
    expect(errorPaths(expectProblem(await approve({ pmaNumber: 'P250001' }), 422, 'validation_failed'))).toEqual(['/data/decisionDate']);
    expect(errorPaths(expectProblem(await approve({ pmaNumber: 'P250001', decisionDate: '3 May 2026' }), 422, 'validation_failed'))).toEqual([
      '/data/decisionDate',
    ]);
    expect(errorPaths(expectProblem(await approve({ pmaNumber: 'P250001', decisionDate: daysAgo(3), hNumber: 'H250001' }), 422, 'validation_failed'))).toEqual([
      '/data/hNumber',
    ]);
    expect(errorPaths(expectProblem(await api.event(fda, s.id, { type: 'ISSUE_MDL', data: {} }), 422, 'validation_failed'))).toEqual(['/data/deficiencies']);
    expect(
      errorPaths(expectProblem(await api.event(fda, s.id, { type: 'PANEL_RECOMMENDATION', data: { recommendation: 'yes' } }), 422, 'validation_failed')),
    ).toEqual(['/data/recommendation']);
    expect(await api.history(auditor, s.id)).toEqual(before);

    const create = (input: Json) => api.post(m, '/v1/submissions', bodyPma('Bad input', input));
    expect(errorPaths(expectProblem(await create({ supplementType: 'real-time' }), 422, 'validation_failed'))).toContain('/input/pmaNumber');
    expect(errorPaths(expectProblem(await create({ supplementType: 'real-time', pmaNumber: `${PARENT}/S001` }), 422, 'validation_failed'))).toContain(
      '/input/pmaNumber',
    );
    expect(errorPaths(expectProblem(await create({ supplementType: '135-day', pmaNumber: PARENT }), 422, 'validation_failed'))).toEqual([
      '/input/supplementType',
    ]);
    expect(errorPaths(expectProblem(await create({ format: 'eCopy' }), 422, 'validation_failed'))).toEqual(['/input/format']);
  });
});
