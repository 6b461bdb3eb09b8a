/**
 * The Q-Submission (Pre-Sub) pathway over HTTP on a real database: written feedback only (closed
 * by the sponsor or by FDA), a meeting with final minutes (the meeting recorded by either party),
 * a cancelled meeting, a withdrawal; wrong role 403, wrong state 409, bad payload 422.
 */
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, testApp, type TestContext, type TestUser } from '../support/fixtures.js';
import { Api, DEVICE, daysAgo, errorPaths, expectProblem, type Json } from './helpers.js';

let ctx: TestContext;
let app: Express;
let api: Api;

beforeAll(async () => {
  ctx = await createTestContext();
  app = testApp(ctx);
  api = new Api(app);
});
afterAll(async () => ctx?.close());

const bodyPresub = (meetingRequested: unknown, title = 'AIP-300 Pre-Sub') => ({ workflow: 'fda-presub', title, device: DEVICE, input: { meetingRequested } });
const sorted = (xs: string[]) => [...xs].sort();
const allowed = async (u: TestUser, id: string) => sorted((await api.submission(u, id)).allowedEvents as string[]);

/** Creates a Pre-Sub and drives it to `accepted`. */
async function accepted(meetingRequested: boolean, title: string): Promise<Json> {
  const { manufacturer: m, fda } = ctx.users;
  const q = await api.create(m, bodyPresub(meetingRequested, title));
  await api.send(m, q.id, 'SUBMIT');
  const r = await api.send(fda, q.id, 'ACCEPT', { data: { qNumber: 'Q260077' } });
  expect(r.submission.state).toBe('accepted');
  return q;
}

describe('fda-presub: written feedback only', () => {
  it('RTA, response, acceptance, written feedback, closed by the sponsor -> closed.feedbackOnly', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const created = await api.post(m, '/v1/submissions', bodyPresub(false));
    expect(created.status).toBe(201);
    const q = created.body as Json;
    expect(q).toMatchObject({ workflow: { id: 'fda-presub', version: 5 }, state: 'draft', status: 'active', input: { meetingRequested: false } });

    const d = { submit: daysAgo(120), rta: daysAgo(110), response: daysAgo(100), accept: daysAgo(95), feedback: daysAgo(40), close: daysAgo(30) };
    let r = await api.send(m, q.id, 'SUBMIT', { data: { summary: 'Questions on the clinical study design' }, effectiveAt: d.submit });
    expect(r.submission.state).toBe('acceptanceReview');
    expect(r.submission.clocks.running).toContain('fda-clock');
    r = await api.send(fda, q.id, 'REFUSE_TO_ACCEPT', { data: { reasons: ['Specific questions missing'] }, effectiveAt: d.rta });
    expect(r.submission.state).toBe('hold');
    expect(r.submission.clocks.onHold).toBe(true);
    expect(await allowed(m, q.id)).toEqual(['RESPONSE', 'WITHDRAW']);
    r = await api.send(m, q.id, 'RESPONSE', { data: { summary: 'Questions added' }, effectiveAt: d.response });
    expect(r.submission.state).toBe('acceptanceReview');
    r = await api.send(fda, q.id, 'ACCEPT', { data: { qNumber: 'Q260042' }, effectiveAt: d.accept });
    expect(r.submission.state).toBe('accepted');
    expect(sorted(r.submission.allowedEvents)).toEqual(['SCHEDULE_MEETING', 'SEND_WRITTEN_FEEDBACK']);

    // No meeting was requested: FDA cannot schedule one.
    const p = expectProblem(await api.event(fda, q.id, { type: 'SCHEDULE_MEETING', data: { meetingDate: daysAgo(10) } }), 409, 'event_not_allowed');
    expect(p.detail).toMatch(/meetingRequested is false/);

    r = await api.send(fda, q.id, 'SEND_WRITTEN_FEEDBACK', { data: { summary: 'FDA agrees with the proposed endpoints' }, effectiveAt: d.feedback });
    expect(r.submission).toMatchObject({ state: 'feedbackIssued.noMeetingRequested', status: 'active' });
    expect(r.submission.decision).toBeNull();
    expect(await allowed(m, q.id)).toEqual(['CLOSE', 'WITHDRAW']);
    expect(await allowed(fda, q.id)).toEqual(['CLOSE']);

    r = await api.send(m, q.id, 'CLOSE', { data: { reason: 'No clarification needed' }, effectiveAt: d.close });
    expect(r.submission).toMatchObject({ state: 'closed.feedbackOnly', status: 'closed', allowedEvents: [] });
    const history = await api.history(auditor, q.id);
    expect(history.map((t) => t.type)).toEqual(['CREATED', 'SUBMIT', 'REFUSE_TO_ACCEPT', 'RESPONSE', 'ACCEPT', 'SEND_WRITTEN_FEEDBACK', 'CLOSE']);
    expect(history.slice(1).map((t) => (t.effectiveAt as string).slice(0, 10))).toEqual(Object.values(d));
  });

  it('FDA may close a feedback-only Q-Sub too', async () => {
    const { fda, auditor } = ctx.users;
    const q = await accepted(false, 'Closed by FDA');
    await api.send(fda, q.id, 'SEND_WRITTEN_FEEDBACK');
    const r = await api.send(fda, q.id, 'CLOSE');
    expect(r.submission.state).toBe('closed.feedbackOnly');
    expect((await api.history(auditor, q.id)).at(-1)).toMatchObject({ type: 'CLOSE', actor: { role: 'fda' } });
  });
});

describe('fda-presub: meetings', () => {
  it('meeting scheduled, feedback, meeting held (by the sponsor), minutes -> closed.minutesFinal', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const q = await api.create(m, bodyPresub(true, 'Meeting Pre-Sub'));
    const d = {
      submit: daysAgo(100),
      accept: daysAgo(90),
      schedule: daysAgo(70),
      feedback: daysAgo(35),
      meeting: daysAgo(30),
      minutes: daysAgo(20),
      final: daysAgo(5),
    };
    await api.send(m, q.id, 'SUBMIT', { effectiveAt: d.submit });
    await api.send(fda, q.id, 'ACCEPT', { data: { qNumber: 'Q260043' }, effectiveAt: d.accept });
    let r = await api.send(fda, q.id, 'SCHEDULE_MEETING', { data: { meetingDate: d.meeting, format: 'video' }, effectiveAt: d.schedule });
    expect(r.submission.state).toBe('meetingScheduled');
    r = await api.send(fda, q.id, 'SEND_WRITTEN_FEEDBACK', { effectiveAt: d.feedback });
    expect(r.submission.state).toBe('feedbackIssued.meetingScheduled');
    expect(await allowed(m, q.id)).toEqual(['CANCEL_MEETING', 'HOLD_MEETING', 'WITHDRAW']);
    expect(await allowed(fda, q.id)).toEqual(['HOLD_MEETING', 'SCHEDULE_MEETING']);
    r = await api.send(m, q.id, 'HOLD_MEETING', { data: { summary: 'One-hour video call' }, effectiveAt: d.meeting });
    expect(r.submission.state).toBe('meetingHeld');
    r = await api.send(m, q.id, 'SUBMIT_MINUTES', { data: { summary: 'Draft minutes' }, effectiveAt: d.minutes });
    expect(r.submission.state).toBe('minutesUnderReview');
    r = await api.send(fda, q.id, 'FINALIZE_MINUTES', { effectiveAt: d.final });
    expect(r.submission).toMatchObject({ state: 'closed.minutesFinal', status: 'closed' });
    expect((await api.history(auditor, q.id)).map((t) => t.type)).toEqual([
      'CREATED',
      'SUBMIT',
      'ACCEPT',
      'SCHEDULE_MEETING',
      'SEND_WRITTEN_FEEDBACK',
      'HOLD_MEETING',
      'SUBMIT_MINUTES',
      'FINALIZE_MINUTES',
    ]);
  });

  it('feedback before the meeting date, scheduled afterwards, meeting held (by FDA) -> closed.minutesFinal', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const q = await accepted(true, 'Feedback first');
    let r = await api.send(fda, q.id, 'SEND_WRITTEN_FEEDBACK');
    expect(r.submission.state).toBe('feedbackIssued.meetingUnscheduled');
    expectProblem(await api.event(fda, q.id, { type: 'HOLD_MEETING' }), 409, 'event_not_allowed'); // no date yet
    r = await api.send(fda, q.id, 'SCHEDULE_MEETING', { data: { meetingDate: daysAgo(0) } });
    expect(r.submission.state).toBe('feedbackIssued.meetingScheduled');
    r = await api.send(fda, q.id, 'HOLD_MEETING');
    expect(r.submission.state).toBe('meetingHeld');
    expect((await api.history(auditor, q.id)).at(-1)).toMatchObject({ type: 'HOLD_MEETING', actor: { role: 'fda' } });
    await api.send(m, q.id, 'SUBMIT_MINUTES');
    r = await api.send(fda, q.id, 'FINALIZE_MINUTES');
    expect(r.submission.state).toBe('closed.minutesFinal');
  });

  it('the sponsor, satisfied with the written feedback, cancels the meeting -> closed.feedbackOnly', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const q = await accepted(true, 'Cancelled meeting');
    await api.send(fda, q.id, 'SEND_WRITTEN_FEEDBACK');
    expectProblem(await api.event(m, q.id, { type: 'CLOSE' }), 409, 'event_not_allowed'); // a meeting is pending: cancel it instead
    const r = await api.send(m, q.id, 'CANCEL_MEETING', { data: { reason: 'Feedback answers our questions' } });
    expect(r.submission).toMatchObject({ state: 'closed.feedbackOnly', status: 'closed' });
  });

  it('the sponsor withdraws while on hold -> closed.withdrawn', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const q = await api.create(m, bodyPresub(true, 'Withdrawn'));
    await api.send(m, q.id, 'SUBMIT');
    await api.send(fda, q.id, 'REFUSE_TO_ACCEPT');
    const r = await api.send(m, q.id, 'WITHDRAW', { data: { reason: 'Questions no longer relevant' } });
    expect(r.submission).toMatchObject({ state: 'closed.withdrawn', status: 'closed' });
  });
});

describe('fda-presub: refusals', () => {
  it('wrong role -> 403, nothing written', async () => {
    const { manufacturer: m, fda, auditor } = ctx.users;
    const q = await api.create(m, bodyPresub(true, 'Roles'));
    expectProblem(await api.event(fda, q.id, { type: 'SUBMIT' }), 404, 'not_found'); // a draft is not FDA's to see until filed (issue 8 §6)
    await api.send(m, q.id, 'SUBMIT');
    expectProblem(await api.event(fda, q.id, { type: 'SUBMIT' }), 403, 'forbidden');
    expectProblem(await api.event(m, q.id, { type: 'ACCEPT', data: { qNumber: 'Q260001' } }), 403, 'forbidden');
    expectProblem(await api.event(m, q.id, { type: 'FINALIZE_MINUTES' }), 403, 'forbidden');
    expectProblem(await api.event(fda, q.id, { type: 'CANCEL_MEETING' }), 403, 'forbidden');
    expectProblem(await api.event(auditor, q.id, { type: 'HOLD_MEETING' }), 403, 'forbidden');
    expect((await api.history(m, q.id)).map((t) => t.type)).toEqual(['CREATED', 'SUBMIT']);
  });

  it('wrong state -> 409', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const q = await accepted(true, 'States');
    expectProblem(await api.event(fda, q.id, { type: 'HOLD_MEETING' }), 409, 'event_not_allowed');
    expectProblem(await api.event(fda, q.id, { type: 'FINALIZE_MINUTES' }), 409, 'event_not_allowed');
    expectProblem(await api.event(m, q.id, { type: 'SUBMIT_MINUTES' }), 409, 'event_not_allowed');
    expectProblem(await api.event(m, q.id, { type: 'CANCEL_MEETING' }), 409, 'event_not_allowed');
    expect((await api.submission(m, q.id)).state).toBe('accepted');
  });

  it('bad payload -> 422 naming each field by JSON pointer; bad creation input -> 422', async () => {
    const { manufacturer: m, fda } = ctx.users;
    const q = await api.create(m, bodyPresub(true, 'Payloads'));
    await api.send(m, q.id, 'SUBMIT');
    let p = expectProblem(await api.event(fda, q.id, { type: 'ACCEPT', data: { qNumber: 'Q26001' } }), 422, 'validation_failed');
    expect(errorPaths(p)).toEqual(['/data/qNumber']);
    p = expectProblem(await api.event(fda, q.id, { type: 'ACCEPT', data: { qNumber: 'K260001' } }), 422, 'validation_failed');
    expect(errorPaths(p)).toEqual(['/data/qNumber']);
    p = expectProblem(await api.event(fda, q.id, { type: 'ACCEPT' }), 422, 'validation_failed');
    expect(errorPaths(p)).toEqual(['/data/qNumber']);
    p = expectProblem(await api.event(fda, q.id, { type: 'SCHEDULE_MEETING', data: { meetingDate: '2026-13-01' } }), 422, 'validation_failed');
    expect(errorPaths(p)).toEqual(['/data/meetingDate']);
    p = expectProblem(await api.event(m, q.id, { type: 'WITHDRAW', data: { reason: 'x', why: 'y' } }), 422, 'validation_failed');
    expect(errorPaths(p)).toEqual(['/data/why']);
    expect((await api.submission(m, q.id)).state).toBe('acceptanceReview');

    p = expectProblem(await api.post(m, '/v1/submissions', { ...bodyPresub(true), input: {} }), 422, 'validation_failed');
    expect(errorPaths(p)).toEqual(['/input/meetingRequested']);
    p = expectProblem(await api.post(m, '/v1/submissions', bodyPresub('yes')), 422, 'validation_failed');
    expect(errorPaths(p)).toEqual(['/input/meetingRequested']);
  });
});
