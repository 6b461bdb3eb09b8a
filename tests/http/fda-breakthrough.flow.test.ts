/**
 * The Breakthrough designation pathway over HTTP on a real database: designated with linked
 * marketing submissions (shown `prioritized` while the designation stands, not after it is
 * withdrawn), denied, withdrawn, designation withdrawn by FDA; LINK_SUBMISSION accepted only for a
 * 510(k) / De Novo / PMA of the same organization, with the engine's link facts; wrong role 403,
 * wrong state 409, bad payload 422.
 */
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, testApp, type TestContext } from '../support/fixtures.js';
import { Api, DEVICE, body510k, daysAgo, errorPaths, expectProblem, type Json } from './helpers.js';

let ctx: TestContext;
let app: Express;
let api: Api;

beforeAll(async () => {
  ctx = await createTestContext();
  app = testApp(ctx);
  api = new Api(app);
});
afterAll(async () => ctx?.close());

const bodyBreakthrough = (input: Json = {}, title = 'NX-1 Breakthrough designation request') => ({
  workflow: 'fda-breakthrough',
  title,
  device: DEVICE,
  input,
});
const GRANT = { qNumber: 'Q261001', secondaryCriteria: ['breakthroughTechnology', 'noApprovedAlternative'] };
const sorted = (xs: string[]) => [...xs].sort();

/** Creates a designation request and sends it to FDA. */
async function underReview(input: Json = {}, title = 'Under review'): Promise<Json> {
  const s = await api.create(ctx.users.manufacturer, bodyBreakthrough(input, title));
  const r = await api.send(ctx.users.manufacturer, s.id, 'REQUEST_DESIGNATION');
  expect(r.submission.state).toBe('underReview');
  return s;
}

describe('fda-breakthrough: designated, linked submissions prioritized, then designation withdrawn', () => {
  it('runs from draft to designated and closed.designationWithdrawn', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const k1 = await api.create(m, body510k('NX-1 510(k) named at creation'));
    const k2 = await api.create(m, body510k('NX-1 510(k) linked later'));
    const unrelated = await api.create(m, body510k('Unrelated 510(k)'));

    const created = await api.post(m, '/v1/submissions', bodyBreakthrough({ linkedSubmissionId: k1.id }));
    expect(created.status).toBe(201);
    const b = created.body as Json;
    expect(b).toMatchObject({ workflow: { id: 'fda-breakthrough', version: 6 }, state: 'draft', decision: null });
    expect(sorted(b.allowedEvents)).toEqual(['REQUEST_DESIGNATION', 'WITHDRAW']);

    const d = { request: daysAgo(90), info: daysAgo(70), answer: daysAgo(60), link: daysAgo(50), grant: daysAgo(30) };
    let r = await api.send(m, b.id, 'REQUEST_DESIGNATION', { data: { secondaryCriteria: ['noApprovedAlternative'] }, effectiveAt: d.request });
    expect(r.submission.state).toBe('underReview');
    expect(r.submission.clocks.running).toContain('fda-clock');
    expect(sorted(r.submission.allowedEvents)).toEqual(['INFO_RESPONSE', 'LINK_SUBMISSION', 'WITHDRAW']);
    expect(sorted((await api.submission(fda, b.id)).allowedEvents)).toEqual(['DENY', 'GRANT', 'REQUEST_INFO']);

    // Information requests keep the request under review, with a history row each.
    r = await api.send(fda, b.id, 'REQUEST_INFO', { data: { questions: ['Describe the target population'] }, effectiveAt: d.info });
    expect(r.transition).toMatchObject({ from: 'underReview', to: 'underReview' });
    expect(r.submission.clocks.since.slice(0, 10)).toBe(d.request); // still the same stay in underReview
    r = await api.send(m, b.id, 'INFO_RESPONSE', { data: { summary: 'Population described' }, effectiveAt: d.answer });
    expect(r.submission.state).toBe('underReview');

    r = await api.send(m, b.id, 'LINK_SUBMISSION', { data: { submissionId: k2.id }, effectiveAt: d.link });
    expect(r.transition).toMatchObject({ type: 'LINK_SUBMISSION', from: 'underReview', to: 'underReview', data: { submissionId: k2.id } });
    // Not prioritized before the designation.
    expect((await api.submission(m, k1.id)).prioritized).toBe(false);
    expect((await api.submission(m, k2.id)).prioritized).toBe(false);

    r = await api.send(fda, b.id, 'GRANT', { data: { ...GRANT, decisionDate: d.grant }, effectiveAt: d.grant });
    expect(r.submission).toMatchObject({ state: 'designated', status: 'active' });
    expect(r.submission.decision).toMatchObject({ number: 'Q261001', decision: 'designated', decisionDate: d.grant, favourable: false });
    for (const id of [k1.id, k2.id]) {
      expect((await api.submission(m, id)).prioritized, id).toBe(true);
      // The linked 510(k)s are drafts: FDA sees them (prioritized) once they are filed (issue 8 §6).
      expectProblem(await api.get(fda, `/v1/submissions/${id}`), 404, 'not_found');
    }
    expect((await api.submission(m, unrelated.id)).prioritized).toBe(false);
    const listed = await api.get(m, '/v1/submissions?workflow=fda-510k');
    expect(listed.status).toBe(200);
    const flags = new Map((listed.body.items as Json[]).map((s) => [s.id, s.prioritized]));
    expect([flags.get(k1.id), flags.get(k2.id), flags.get(unrelated.id)]).toEqual([true, true, false]);

    r = await api.send(m, b.id, 'WITHDRAW_DESIGNATION', { data: { reason: 'Indication narrowed; criteria no longer met' } });
    expect(r.submission).toMatchObject({ state: 'closed.designationWithdrawn', status: 'closed' });
    for (const id of [k1.id, k2.id]) expect((await api.submission(m, id)).prioritized, id).toBe(false);
    expect((await api.history(auditor, b.id)).map((t) => t.type)).toEqual([
      'CREATED',
      'REQUEST_DESIGNATION',
      'REQUEST_INFO',
      'INFO_RESPONSE',
      'LINK_SUBMISSION',
      'GRANT',
      'WITHDRAW_DESIGNATION',
    ]);
  });
});

describe('fda-breakthrough: the other final outcomes', () => {
  it('FDA denies the request -> closed.denied', async () => {
    const b = await underReview({}, 'Denied');
    const r = await api.send(ctx.users.fda, b.id, 'DENY', { data: { reasons: ['Condition is not life-threatening or irreversibly debilitating'] } });
    expect(r.submission).toMatchObject({ state: 'closed.denied', status: 'closed', allowedEvents: [] });
    expect(r.submission.decision).toMatchObject({ decision: 'denied', favourable: false });
  });

  it('the sponsor withdraws the request -> closed.withdrawn', async () => {
    const b = await underReview({}, 'Withdrawn');
    const r = await api.send(ctx.users.manufacturer, b.id, 'WITHDRAW', { data: { reason: 'Pursuing another indication' } });
    expect(r.submission).toMatchObject({ state: 'closed.withdrawn', status: 'closed' });
  });

  it('FDA withdraws a designation -> closed.designationWithdrawn', async () => {
    const { fda, auditor } = ctx.users;
    const b = await underReview({}, 'Withdrawn by FDA');
    await api.send(fda, b.id, 'GRANT', { data: GRANT });
    const r = await api.send(fda, b.id, 'WITHDRAW_DESIGNATION', { data: { reason: 'An alternative was approved' } });
    expect(r.submission.state).toBe('closed.designationWithdrawn');
    expect((await api.history(auditor, b.id)).at(-1)).toMatchObject({ type: 'WITHDRAW_DESIGNATION', actor: { role: 'fda' } });
  });
});

describe('fda-breakthrough: LINK_SUBMISSION refusals (409, saying why; nothing written)', () => {
  it('refuses what is not a same-organization 510(k), De Novo or PMA, and a second link of the same submission', async () => {
    const { manufacturer: m, otherManufacturer } = ctx.users;
    const k = await api.create(m, body510k('Linked at creation'));
    const b = await underReview({ linkedSubmissionId: k.id }, 'Link refusals');
    const before = await api.history(m, b.id);

    const missing = randomUUID();
    let p = expectProblem(await api.event(m, b.id, { type: 'LINK_SUBMISSION', data: { submissionId: missing } }), 409, 'event_not_allowed');
    expect(p.detail).toContain(missing);
    expect(p.detail).toMatch(/no submission/);

    // Another organization's 510(k) is not even visible to this sponsor.
    const theirs = await api.create(otherManufacturer, body510k('Beta 510(k)'));
    p = expectProblem(await api.event(m, b.id, { type: 'LINK_SUBMISSION', data: { submissionId: theirs.id } }), 409, 'event_not_allowed');
    expect(p.detail).toContain(theirs.id);
    expect(p.detail).toMatch(/no submission|another organization/);

    const presub = await api.create(m, { workflow: 'fda-presub', title: 'A Pre-Sub', device: DEVICE, input: { meetingRequested: false } });
    p = expectProblem(await api.event(m, b.id, { type: 'LINK_SUBMISSION', data: { submissionId: presub.id } }), 409, 'event_not_allowed');
    expect(p.detail).toMatch(/fda-presub submission/);
    p = expectProblem(await api.event(m, b.id, { type: 'LINK_SUBMISSION', data: { submissionId: b.id } }), 409, 'event_not_allowed');
    expect(p.detail).toMatch(/fda-breakthrough submission/);

    p = expectProblem(await api.event(m, b.id, { type: 'LINK_SUBMISSION', data: { submissionId: k.id } }), 409, 'event_not_allowed');
    expect(p.detail).toMatch(/already linked/);

    expect(await api.history(m, b.id)).toEqual(before);
  });

  it('POST /v1/submissions refuses (422 /input/linkedSubmissionId) an id that is not a same-organization 510(k), De Novo or PMA', async () => {
    const { manufacturer: m, otherManufacturer } = ctx.users;
    const theirs = await api.create(otherManufacturer, body510k('Beta 510(k)'));
    const presub = await api.create(m, { workflow: 'fda-presub', title: 'Pre-Sub', device: DEVICE, input: { meetingRequested: false } });
    for (const id of [randomUUID(), theirs.id, presub.id]) {
      const res = await api.post(m, '/v1/submissions', bodyBreakthrough({ linkedSubmissionId: id }));
      expect(errorPaths(expectProblem(res, 422, 'validation_failed'))).toEqual(['/input/linkedSubmissionId']);
    }
    const ours = await api.create(m, body510k('Ours'));
    expect((await api.post(m, '/v1/submissions', bodyBreakthrough({ linkedSubmissionId: ours.id }))).status).toBe(201);
  });

  it('is not allowed before the request is sent, nor once closed', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const k = await api.create(m, body510k('Link target'));
    const b = await api.create(m, bodyBreakthrough({}, 'Draft link'));
    let p = expectProblem(await api.event(m, b.id, { type: 'LINK_SUBMISSION', data: { submissionId: k.id } }), 409, 'event_not_allowed');
    expect(p.detail).toContain('draft');
    await api.send(m, b.id, 'REQUEST_DESIGNATION');
    await api.send(fda, b.id, 'DENY');
    p = expectProblem(await api.event(m, b.id, { type: 'LINK_SUBMISSION', data: { submissionId: k.id } }), 409, 'event_not_allowed');
    expect(p.detail).toContain('closed.denied');
  });
});

describe('fda-breakthrough: refusals', () => {
  it('wrong role -> 403, nothing written', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const k = await api.create(m, body510k('Role link target'));
    const b = await api.create(m, bodyBreakthrough({}, 'Roles'));
    expectProblem(await api.event(fda, b.id, { type: 'REQUEST_DESIGNATION' }), 404, 'not_found'); // a draft is not FDA's to see (issue 8 §6)
    await api.send(m, b.id, 'REQUEST_DESIGNATION');
    expectProblem(await api.event(fda, b.id, { type: 'REQUEST_DESIGNATION' }), 403, 'forbidden');
    expectProblem(await api.event(m, b.id, { type: 'GRANT', data: GRANT }), 403, 'forbidden');
    expectProblem(await api.event(m, b.id, { type: 'REQUEST_INFO', data: { questions: ['x'] } }), 403, 'forbidden');
    expectProblem(await api.event(fda, b.id, { type: 'LINK_SUBMISSION', data: { submissionId: k.id } }), 403, 'forbidden');
    expectProblem(await api.event(fda, b.id, { type: 'WITHDRAW' }), 403, 'forbidden');
    expectProblem(await api.event(auditor, b.id, { type: 'WITHDRAW_DESIGNATION', data: { reason: 'x' } }), 403, 'forbidden');
    expect((await api.history(m, b.id)).map((t) => t.type)).toEqual(['CREATED', 'REQUEST_DESIGNATION']);
  });

  it('wrong state -> 409', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const b = await api.create(m, bodyBreakthrough({}, 'States'));
    expectProblem(await api.event(fda, b.id, { type: 'GRANT', data: GRANT }), 404, 'not_found'); // a draft is not FDA's to see (issue 8 §6)
    expectProblem(await api.event(m, b.id, { type: 'INFO_RESPONSE', data: { summary: 'x' } }), 409, 'event_not_allowed');
    await api.send(m, b.id, 'REQUEST_DESIGNATION');
    expectProblem(await api.event(m, b.id, { type: 'WITHDRAW_DESIGNATION', data: { reason: 'Not designated yet' } }), 409, 'event_not_allowed');
    expectProblem(await api.event(m, b.id, { type: 'REQUEST_DESIGNATION' }), 409, 'event_not_allowed');
    await api.send(fda, b.id, 'GRANT', { data: GRANT });
    expectProblem(await api.event(m, b.id, { type: 'WITHDRAW' }), 409, 'event_not_allowed'); // designated: WITHDRAW_DESIGNATION instead
    expectProblem(await api.event(fda, b.id, { type: 'DENY' }), 409, 'event_not_allowed');
    expect((await api.submission(m, b.id)).state).toBe('designated');
  });

  it('bad payload -> 422 naming each field by JSON pointer; bad creation input -> 422', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const b = await underReview({}, 'Payloads');
    let p = expectProblem(await api.event(fda, b.id, { type: 'GRANT', data: { ...GRANT, qNumber: 'Q2610011' } }), 422, 'validation_failed');
    expect(errorPaths(p)).toEqual(['/data/qNumber']);
    p = expectProblem(await api.event(fda, b.id, { type: 'GRANT', data: { qNumber: 'Q261001', secondaryCriteria: [] } }), 422, 'validation_failed');
    expect(errorPaths(p)).toEqual(['/data/secondaryCriteria']);
    p = expectProblem(await api.event(fda, b.id, { type: 'GRANT', data: { secondaryCriteria: ['breakthroughTechnology'] } }), 422, 'validation_failed');
    expect(errorPaths(p)).toEqual(['/data/qNumber']);
    p = expectProblem(await api.event(m, b.id, { type: 'LINK_SUBMISSION', data: { submissionId: 'K261234' } }), 422, 'validation_failed');
    expect(errorPaths(p)).toEqual(['/data/submissionId']);
    p = expectProblem(await api.event(m, b.id, { type: 'LINK_SUBMISSION', data: { submissionId: randomUUID(), priority: 'high' } }), 422, 'validation_failed');
    expect(errorPaths(p)).toEqual(['/data/priority']);
    expect((await api.submission(m, b.id)).state).toBe('underReview');

    p = expectProblem(await api.post(m, '/v1/submissions', bodyBreakthrough({ linkedSubmissionId: 'K261234' })), 422, 'validation_failed');
    expect(errorPaths(p)).toEqual(['/input/linkedSubmissionId']);
    p = expectProblem(await api.post(m, '/v1/submissions', bodyBreakthrough({ marketingSubmission: 'K261234' })), 422, 'validation_failed');
    expect(errorPaths(p)).toEqual(['/input/marketingSubmission']);
  });
});
