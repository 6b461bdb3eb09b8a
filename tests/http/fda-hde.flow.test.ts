/**
 * The HDE pathway over HTTP on a real database: each final outcome driven by the right roles
 * from creation (`POST /v1/submissions`, `POST /v1/submissions/:id/events`), on past regulatory
 * dates; the 21 CFR 814.106 amendment deadline; a COFEPRIS registration relying on the approval
 * and notified when FDA withdraws it (814.118); wrong role 403, wrong state 409, bad payload 422.
 * The only non-HTTP step is the timer event, which no token can send: it goes through the
 * engine's system actor, as the sweeper will.
 */
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, signatureOf, testApp, type TestContext } from '../support/fixtures.js';
import { Api, DEVICE, addDays, daysAgo, errorPaths, expectProblem, type Json } from './helpers.js';

let ctx: TestContext;
let app: Express;
let api: Api;

beforeAll(async () => {
  ctx = await createTestContext();
  app = testApp(ctx);
  api = new Api(app);
});
afterAll(async () => ctx?.close());

const bodyHde = (title = 'PPS-1 humanitarian device exemption', input: Json = {}) => ({ workflow: 'fda-hde', title, device: DEVICE, input });
const HUD_REQUEST = { estimatedAnnualPopulation: 2400, condition: 'Pediatric pulmonary vein stenosis' };
const sorted = (xs: string[]) => [...xs].sort();

/** Creates an HDE and drives it to `review` on the given day offsets (days ago). */
async function inReview(title: string, start = 200): Promise<Json> {
  const { manufacturer: m, fda } = ctx.users;
  const h = await api.create(m, bodyHde(title));
  await api.send(m, h.id, 'REQUEST_HUD', { data: HUD_REQUEST, effectiveAt: daysAgo(start) });
  await api.send(fda, h.id, 'HUD_DESIGNATED', { effectiveAt: daysAgo(start - 30) });
  await api.send(m, h.id, 'SUBMIT_HDE', { effectiveAt: daysAgo(start - 40) });
  const r = await api.send(fda, h.id, 'FILE', { effectiveAt: daysAgo(start - 60) });
  expect(r.submission.state).toBe('review');
  return h;
}

describe('fda-hde: HUD designation, HDE, approval order, then withdrawal of the approval', () => {
  it('runs from draft to approved and closed.approvalWithdrawn, notifying a relying COFEPRIS registration', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const created = await api.post(m, '/v1/submissions', bodyHde());
    expect(created.status).toBe(201);
    const h = created.body as Json;
    expect(h).toMatchObject({ workflow: { id: 'fda-hde', version: 5 }, state: 'draft', status: 'active', decision: null, deadlines: [] });
    expect(sorted(h.allowedEvents)).toEqual(['REQUEST_HUD', 'WITHDRAW']);
    expectProblem(await api.get(fda, `/v1/submissions/${h.id}`), 404, 'not_found'); // a draft is not FDA's to see until filed (issue 8 §6)

    const d = {
      hud: daysAgo(400),
      designated: daysAgo(360),
      submit: daysAgo(330),
      file: daysAgo(310),
      amend: daysAgo(290),
      response: daysAgo(260),
      approve: daysAgo(240),
    };
    let r = await api.send(m, h.id, 'REQUEST_HUD', { data: HUD_REQUEST, effectiveAt: d.hud });
    expect(r.submission.state).toBe('hudReview');
    expect(r.submission.clocks.running).toContain('fda-clock');
    expect(r.transition).toMatchObject({ type: 'REQUEST_HUD', from: 'draft', to: 'hudReview', actor: { role: 'manufacturer' } });

    r = await api.send(fda, h.id, 'HUD_DESIGNATED', {
      data: { designationNumber: 'HUD 25-0412' },
      effectiveAt: d.designated,
      comment: 'OOPD designation letter',
    });
    expect(r.submission.state).toBe('hudDesignated');
    r = await api.send(m, h.id, 'SUBMIT_HDE', { effectiveAt: d.submit });
    expect(r.submission.state).toBe('filingReview');
    r = await api.send(fda, h.id, 'FILE', { effectiveAt: d.file });
    expect(r.submission.state).toBe('review');
    expect(sorted(r.submission.allowedEvents)).toEqual([
      'ISSUE_APPROVABLE',
      'ISSUE_APPROVAL_ORDER',
      'ISSUE_DENIAL',
      'ISSUE_NOT_APPROVABLE',
      'REQUEST_AMENDMENT',
    ]);

    // 21 CFR 814.106: 75 days from FDA's request, counted from the request's own date.
    r = await api.send(fda, h.id, 'REQUEST_AMENDMENT', { data: { deficiencies: ['Provide the probable-benefit analysis'] }, effectiveAt: d.amend });
    expect(r.submission.state).toBe('amendmentHold');
    expect(r.submission.clocks).toMatchObject({ onHold: true, running: [] });
    expect(r.submission.deadlines).toEqual([expect.objectContaining({ kind: 'amendmentResponse', event: 'AMENDMENT_TIMEOUT', dueDate: addDays(d.amend, 75) })]);
    expect(r.submission.allowedEvents).toEqual([]);
    expect(sorted((await api.submission(m, h.id)).allowedEvents)).toEqual(['AMENDMENT', 'WITHDRAW']);

    r = await api.send(m, h.id, 'AMENDMENT', { data: { summary: 'Probable-benefit analysis', major: true }, effectiveAt: d.response });
    expect(r.submission.state).toBe('review');
    expect(r.submission.deadlines).toEqual([]);

    r = await api.send(fda, h.id, 'ISSUE_APPROVAL_ORDER', {
      data: { hNumber: 'H250009', decisionDate: d.approve },
      effectiveAt: d.approve,
      signature: signatureOf(fda, 'approval'),
    });
    expect(r.submission).toMatchObject({ state: 'approved', status: 'active' });
    expect(r.submission.decision).toMatchObject({ number: 'H250009', decision: 'approved', decisionDate: d.approve, favourable: true });
    expect(r.submission.allowedEvents).toEqual(['WITHDRAW_APPROVAL']);
    expect((await api.submission(m, h.id)).allowedEvents).toEqual([]); // nothing to withdraw once approved

    const history = await api.history(auditor, h.id);
    expect(history.map((t) => t.type)).toEqual([
      'CREATED',
      'REQUEST_HUD',
      'HUD_DESIGNATED',
      'SUBMIT_HDE',
      'FILE',
      'REQUEST_AMENDMENT',
      'AMENDMENT',
      'ISSUE_APPROVAL_ORDER',
    ]);
    expect(history.slice(1).map((t) => (t.effectiveAt as string).slice(0, 10))).toEqual(Object.values(d));

    // A COFEPRIS registration on the equivalence route relies on the approved HDE...
    const reg = await api.create(m, {
      workflow: 'cofepris-registration',
      title: 'PPS-1 registro sanitario',
      device: DEVICE,
      input: { route: 'equivalence', reference: { submissionId: h.id } },
    });
    expect(reg.reference).toMatchObject({ submissionId: h.id, decision: 'approved', favourable: true });

    // ... and is told, in the same transaction, when FDA withdraws the approval (21 CFR 814.118).
    r = await api.send(fda, h.id, 'WITHDRAW_APPROVAL', { data: { reason: 'A comparable device was approved under a PMA' } });
    expect(r.submission).toMatchObject({ state: 'closed.approvalWithdrawn', status: 'closed' });
    expect(r.submission.decision).toMatchObject({ number: 'H250009', favourable: false });
    const regHistory = await api.history(auditor, reg.id);
    expect(regHistory.at(-1)).toMatchObject({
      type: 'REFERENCE_INVALIDATED',
      actor: { role: 'system' },
      data: { referenceSubmissionId: h.id, referenceState: 'closed.approvalWithdrawn' },
    });
    expect((await api.submission(m, reg.id)).reference).toMatchObject({ favourable: false });
  });
});

describe('fda-hde: the other final outcomes', () => {
  it('OOPD denies the HUD designation -> closed.hudDenied', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const h = await api.create(m, bodyHde('HUD denied'));
    await api.send(m, h.id, 'REQUEST_HUD', { data: { estimatedAnnualPopulation: 7900 } });
    const r = await api.send(fda, h.id, 'HUD_DENIED', { data: { reason: 'Population estimate not supported' } });
    expect(r.submission).toMatchObject({ state: 'closed.hudDenied', status: 'closed', allowedEvents: [] });
    expect((await api.submission(m, h.id)).allowedEvents).toEqual([]);
  });

  it('refused to file (21 CFR 814.112) -> closed.notFiled', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const h = await api.create(m, bodyHde('Not filed'));
    await api.send(m, h.id, 'REQUEST_HUD', { data: HUD_REQUEST });
    await api.send(fda, h.id, 'HUD_DESIGNATED');
    await api.send(m, h.id, 'SUBMIT_HDE');
    const r = await api.send(fda, h.id, 'REFUSE_TO_FILE', { data: { grounds: ['incomplete', 'noFinancialDisclosure'], detail: 'Form FDA 3454 missing' } });
    expect(r.submission).toMatchObject({ state: 'closed.notFiled', status: 'closed' });
    expect(r.submission.decision).toBeNull();
  });

  it('approvable letter, amendment, not approvable letter, then denial -> closed.denied', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const h = await inReview('Denied');
    let r = await api.send(fda, h.id, 'ISSUE_APPROVABLE', { data: { conditions: ['Final printed labeling'] }, effectiveAt: daysAgo(120) });
    expect(r.submission.state).toBe('approvable');
    expect(r.submission.decision).toMatchObject({ decision: 'approvable', favourable: false });
    expect(r.submission.deadlines).toEqual([expect.objectContaining({ event: 'AMENDMENT_TIMEOUT', dueDate: addDays(daysAgo(120), 75) })]);
    r = await api.send(m, h.id, 'AMENDMENT', { data: { summary: 'Labeling submitted' }, effectiveAt: daysAgo(100) });
    expect(r.submission.state).toBe('review');
    r = await api.send(fda, h.id, 'ISSUE_NOT_APPROVABLE', { data: { deficiencies: ['Safety data insufficient'] }, effectiveAt: daysAgo(80) });
    expect(r.submission.state).toBe('notApprovable');
    expect(sorted(r.submission.allowedEvents)).toEqual(['ISSUE_DENIAL']);
    r = await api.send(fda, h.id, 'ISSUE_DENIAL', { data: { reasons: ['Probable benefit not shown'], decisionDate: daysAgo(60) }, effectiveAt: daysAgo(60) });
    expect(r.submission).toMatchObject({ state: 'closed.denied', status: 'closed' });
    expect(r.submission.decision).toMatchObject({ decision: 'denied', decisionDate: daysAgo(60), favourable: false });
  });

  it('the sponsor withdraws during filing review -> closed.withdrawn', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const h = await api.create(m, bodyHde('Withdrawn'));
    await api.send(m, h.id, 'REQUEST_HUD', { data: HUD_REQUEST });
    await api.send(fda, h.id, 'HUD_DESIGNATED');
    await api.send(m, h.id, 'SUBMIT_HDE');
    const r = await api.send(m, h.id, 'WITHDRAW', { data: { reason: 'Program stopped' } });
    expect(r.submission).toMatchObject({ state: 'closed.withdrawn', status: 'closed' });
  });

  it('no amendment within 75 days of the request -> considered withdrawn by the system actor (AMENDMENT_TIMEOUT)', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const h = await inReview('Amendment never came');
    await api.send(fda, h.id, 'REQUEST_AMENDMENT', { data: { deficiencies: ['Provide bench data'] }, effectiveAt: daysAgo(100) });
    // The timer event belongs to puente itself: no person may send it.
    expectProblem(await api.event(m, h.id, { type: 'AMENDMENT_TIMEOUT' }), 403, 'forbidden');
    expectProblem(await api.event(fda, h.id, { type: 'AMENDMENT_TIMEOUT' }), 403, 'forbidden');
    const overdue = await api.get(auditor, '/v1/submissions?workflow=fda-hde&overdue=true');
    expect(overdue.status).toBe(200);
    expect((overdue.body.items as Json[]).map((s) => s.id)).toContain(h.id);

    const res = await ctx.services.engine.sendSystemEvent(h.id, { type: 'AMENDMENT_TIMEOUT' });
    expect(res.outcome).toBe('applied');
    const after = await api.submission(auditor, h.id);
    expect(after).toMatchObject({ state: 'closed.withdrawn', status: 'closed', deadlines: [] });
    expect((await api.history(auditor, h.id)).at(-1)).toMatchObject({
      type: 'AMENDMENT_TIMEOUT',
      from: 'amendmentHold',
      to: 'closed.withdrawn',
      actor: { role: 'system' },
    });
  });
});

describe('fda-hde: refusals', () => {
  it('wrong role -> 403 (and another organization -> 404), nothing written', async () => {
    const { manufacturer: m, otherManufacturer, fda, auditor, cofepris } = ctx.users;
    const h = await api.create(m, bodyHde('Roles'));
    expectProblem(await api.event(fda, h.id, { type: 'REQUEST_HUD', data: HUD_REQUEST }), 404, 'not_found'); // a draft is not FDA's to see until filed (issue 8 §6)
    expectProblem(await api.event(auditor, h.id, { type: 'REQUEST_HUD', data: HUD_REQUEST }), 403, 'forbidden');
    await api.send(m, h.id, 'REQUEST_HUD', { data: HUD_REQUEST });
    expectProblem(await api.event(m, h.id, { type: 'HUD_DESIGNATED' }), 403, 'forbidden');
    expectProblem(await api.event(fda, h.id, { type: 'WITHDRAW' }), 403, 'forbidden');
    expectProblem(await api.event(m, h.id, { type: 'ISSUE_APPROVAL_ORDER', data: { hNumber: 'H250001', decisionDate: daysAgo(1) } }), 403, 'forbidden');
    expectProblem(await api.event(otherManufacturer, h.id, { type: 'WITHDRAW' }), 404, 'not_found');
    expectProblem(await api.get(cofepris, `/v1/submissions/${h.id}`), 404, 'not_found');
    expect((await api.history(m, h.id)).map((t) => t.type)).toEqual(['CREATED', 'REQUEST_HUD']);
  });

  it('wrong state -> 409; a population above 8,000 -> 409 saying why', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const h = await api.create(m, bodyHde('States'));
    expectProblem(await api.event(fda, h.id, { type: 'ISSUE_APPROVAL_ORDER', data: { hNumber: 'H250001', decisionDate: daysAgo(1) } }), 404, 'not_found'); // a draft is not FDA's to see until filed (issue 8 §6)
    let p = expectProblem(await api.event(m, h.id, { type: 'SUBMIT_HDE' }), 409, 'event_not_allowed');
    expect(p.detail).toContain('draft');
    p = expectProblem(await api.event(m, h.id, { type: 'REQUEST_HUD', data: { estimatedAnnualPopulation: 9000 } }), 409, 'event_not_allowed');
    expect(p.detail).toMatch(/8000/);
    expect(p.detail).toMatch(/9000/);
    await api.send(m, h.id, 'REQUEST_HUD', { data: { estimatedAnnualPopulation: 8000 } });
    expectProblem(await api.event(fda, h.id, { type: 'FILE' }), 409, 'event_not_allowed');
    expect((await api.history(m, h.id)).map((t) => t.type)).toEqual(['CREATED', 'REQUEST_HUD']);
  });

  it('bad payload -> 422 naming each field by JSON pointer; bad creation input -> 422', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const h = await inReview('Payloads', 150);
    let p = expectProblem(
      await api.event(fda, h.id, { type: 'ISSUE_APPROVAL_ORDER', data: { hNumber: 'H25001', decisionDate: daysAgo(1) } }),
      422,
      'validation_failed',
    );
    expect(errorPaths(p)).toEqual(['/data/hNumber']);
    p = expectProblem(
      await api.event(fda, h.id, { type: 'ISSUE_APPROVAL_ORDER', data: { hNumber: 'K250001', decisionDate: daysAgo(1) } }),
      422,
      'validation_failed',
    );
    expect(errorPaths(p)).toEqual(['/data/hNumber']);
    p = expectProblem(await api.event(fda, h.id, { type: 'ISSUE_APPROVAL_ORDER', data: { hNumber: 'H250001' } }), 422, 'validation_failed');
    expect(errorPaths(p)).toEqual(['/data/decisionDate']);
    p = expectProblem(
      await api.event(fda, h.id, { type: 'ISSUE_APPROVAL_ORDER', data: { hNumber: 'H250001', decisionDate: daysAgo(1), pNumber: 'P250001' } }),
      422,
      'validation_failed',
    );
    expect(errorPaths(p)).toEqual(['/data/pNumber']);
    p = expectProblem(await api.event(fda, h.id, { type: 'REQUEST_AMENDMENT', data: { deficiencies: [] } }), 422, 'validation_failed');
    expect(errorPaths(p)).toEqual(['/data/deficiencies']);
    p = expectProblem(await api.event(fda, h.id, { type: 'REFUSE_TO_FILE', data: { grounds: ['late'] } }), 422, 'validation_failed');
    expect(errorPaths(p)).toEqual(['/data/grounds/0']);
    p = expectProblem(await api.event(m, h.id, { type: 'AMENDMENT', data: { summary: 'Amendment', major: 'yes' } }), 422, 'validation_failed');
    expect(errorPaths(p)).toEqual(['/data/major']);
    expect((await api.submission(m, h.id)).state).toBe('review');

    p = expectProblem(await api.post(m, '/v1/submissions', bodyHde('Bad input', { population: 10 })), 422, 'validation_failed');
    expect(errorPaths(p)).toEqual(['/input/population']);
  });
});
