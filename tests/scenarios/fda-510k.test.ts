/**
 * Worked 510(k) scenarios of reference/domain.md §7.2 through the real engine on a real database
 * (SQLite; PostgreSQL with TEST_DATABASE_URL), with an injected clock and the real sweeper: each
 * test drives a fda-510k@4 submission by HTTP on given dates and checks what the sweeper does when
 * a deadline passes or a goal is missed. Each title names the rule and its source.
 */
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepResult } from '../../src/engine/sweeper.js';
import { verifyDatabase } from '../../src/engine/verify.js';
import { listTransitions } from '../../src/store/history-store.js';
import { Api, body510k, type Json } from '../http/helpers.js';
import { createTestContext, testApp, type TestContext, type TestUser } from '../support/fixtures.js';

let clock = new Date('2026-01-05T15:00:00Z');
let ctx: TestContext;
let app: Express;
let api: Api;

beforeAll(async () => {
  ctx = await createTestContext({ now: () => clock });
  app = testApp(ctx);
  api = new Api(app);
});
afterAll(async () => ctx?.close());

/** One step: on `day` (15:00 UTC, 10:00 or 11:00 in New York) `who` sends `type`. */
type Step = readonly [day: string, who: 'manufacturer' | 'fda', type: string, data?: Json];

/** A fda-510k submission with `input`, driven through `steps`; returns the last view. */
async function drive(title: string, input: Json, steps: readonly Step[]): Promise<Json> {
  clock = new Date(`${steps[0]![0]}T15:00:00Z`);
  const s = await api.create(ctx.users.manufacturer, body510k(title, input));
  expect(s.workflow).toMatchObject({ id: 'fda-510k', version: 5 });
  let view: Json = s;
  for (const [day, who, type, data] of steps) {
    clock = new Date(`${day}T15:00:00Z`);
    const user: TestUser = ctx.users[who];
    view = (await api.send(user, s.id, type, data ? { data } : {})).submission;
  }
  return view;
}

/** What one sweep at `iso` did to submission `id`. */
async function sweepAt(iso: string, id: string): Promise<{ fired: SweepResult['fired']; goalsMissed: SweepResult['goalsMissed'] }> {
  clock = new Date(iso);
  const r = await ctx.services.engine.sweep();
  return { fired: r.fired.filter((f) => f.submissionId === id), goalsMissed: r.goalsMissed.filter((g) => g.submissionId === id) };
}

const m = 'manufacturer' as const;
const fda = 'fda' as const;
const ESTAR = { format: 'eSTAR', variant: 'traditional' };
const ECOPY = { format: 'eCopy', variant: 'traditional' };

describe('fda-510k@4 deadlines through the sweeper (domain.md §7.2)', () => {
  // [title, input, steps, deadline kind, due date, timeout event, outcome]
  const CASES = [
    [
      'domain.md §7.2, Refuse to Accept Policy for 510(k)s: an eCopy acceptance review not completed in 15 calendar days is considered under substantive review',
      ECOPY,
      [
        ['2026-01-05', m, 'SUBMIT'],
        ['2026-01-06', fda, 'FEE_VERIFIED'],
      ],
      'acceptanceReview',
      '2026-01-21',
      'ACCEPTANCE_DEEMED',
      'review.substantive',
    ],
    [
      'domain.md §7.2, eSTAR guidance (Oct 2023): no complete replacement eSTAR within 180 days of the screening hold, considered withdrawn',
      ESTAR,
      [
        ['2026-01-05', m, 'SUBMIT'],
        ['2026-01-06', fda, 'FEE_VERIFIED'],
        ['2026-01-20', fda, 'SCREEN_FAIL', { reasons: ['Labeling attachment missing'] }],
      ],
      'eStarHoldResponse',
      '2026-07-19',
      'ESTAR_HOLD_TIMEOUT',
      'closed.withdrawn',
    ],
    [
      'domain.md §7.2, eCopy Program guidance: no valid eCopy within 180 days of the eCopy hold, deleted',
      ECOPY,
      [
        ['2026-01-05', m, 'SUBMIT'],
        ['2026-01-07', fda, 'ECOPY_HOLD', { reasons: ['eCopy PDF unreadable'] }],
      ],
      'eCopyHoldResponse',
      '2026-07-06',
      'ECOPY_HOLD_TIMEOUT',
      'closed.deleted',
    ],
  ] as const;

  it.each(CASES)('%s', async (title, input, steps, kind, dueDate, event, outcome) => {
    const s = await drive(title.slice(0, 60), input, steps as readonly Step[]);
    expect(s.deadlines).toEqual([expect.objectContaining({ kind, dueDate, event, consequence: 'automatic' })]);
    // 16:00 in New York on the due date: the window is not over.
    expect((await sweepAt(`${dueDate}T20:00:00Z`, s.id)).fired).toEqual([]);
    // The next day: the system actor sends the event, dated on the due date.
    const next = new Date(`${dueDate}T12:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    const { fired } = await sweepAt(`${next.toISOString().slice(0, 10)}T06:00:00Z`, s.id);
    expect(fired).toEqual([{ submissionId: s.id, event, kind, dueDate, state: outcome }]);
    const history = await listTransitions(ctx.services.db.knex, s.id);
    expect(history.at(-1)).toMatchObject({ type: event, to: outcome, actor: { role: 'system' } });
    expect(history.at(-1)!.effectiveAt.slice(0, 10)).toBe(dueDate);
    expect((await sweepAt(`${next.toISOString().slice(0, 10)}T07:00:00Z`, s.id)).fired).toEqual([]);
  });

  it('domain.md §7.2, 510(k) review-clock guidance §VI.A: an incomplete AI response puts the 510(k) back on hold with the 180 days of the original AI request', async () => {
    const s = await drive('Incomplete AI response 510(k)', ESTAR, [
      ['2026-01-05', m, 'SUBMIT'],
      ['2026-01-06', fda, 'FEE_VERIFIED'],
      ['2026-01-15', fda, 'SCREEN_PASS'],
      ['2026-03-06', fda, 'REQUEST_AI', { deficiencies: ['Provide the bench report'] }],
      ['2026-05-01', m, 'AI_RESPONSE', { summary: 'Bench report attached' }],
      ['2026-05-20', fda, 'AI_RESPONSE_INCOMPLETE', { deficiencies: ['The bench report covers one model only'] }],
    ]);
    expect(s.state).toBe('aiHold');
    // 180 days from 2026-03-06, not from 2026-05-20 (which would be 2026-11-16).
    expect(s.deadlines).toEqual([expect.objectContaining({ kind: 'aiResponse', dueDate: '2026-09-02', event: 'AI_TIMEOUT' })]);
    expect((await sweepAt('2026-09-01T15:00:00Z', s.id)).fired).toEqual([]);
    const { fired } = await sweepAt('2026-09-03T06:00:00Z', s.id);
    expect(fired).toEqual([{ submissionId: s.id, event: 'AI_TIMEOUT', kind: 'aiResponse', dueDate: '2026-09-02', state: 'closed.deleted' }]);
  });

  it('domain.md §7.2: a second AI request starts its own 180 days', async () => {
    const s = await drive('Second AI request 510(k)', ECOPY, [
      ['2026-01-05', m, 'SUBMIT'],
      ['2026-01-06', fda, 'FEE_VERIFIED'],
      ['2026-01-12', fda, 'ACCEPT'],
      ['2026-02-01', fda, 'REQUEST_AI', { deficiencies: ['Sterilization validation'] }],
      ['2026-03-01', m, 'AI_RESPONSE', { summary: 'First answer' }],
      ['2026-04-01', fda, 'REQUEST_AI', { deficiencies: ['Shelf life'] }],
    ]);
    expect(s.deadlines).toEqual([expect.objectContaining({ kind: 'aiResponse', dueDate: '2026-09-28' })]);
  });
});

describe('fda-510k@4 goals (domain.md §7.2)', () => {
  const goalsOf = (s: Json) => (s.clocks.goals as Json[]).map((g) => [g.kind, g.length, g.unit, g.dueDate]);

  it('domain.md §7.2, FD&C Act §523(a)(2): a Third Party Review 510(k) has FDA decide within 30 days of the recommendation, no user fee, no MDUFA goals', async () => {
    const s = await drive('Third-party 510(k)', { ...ESTAR, thirdPartyReview: true }, [
      ['2026-01-05', m, 'SUBMIT'],
      ['2026-02-10', fda, 'THIRD_PARTY_RECOMMENDATION', { organization: 'Accredited Reviewer LLC', recommendationDate: '2026-02-06', recommendation: 'SE' }],
    ]);
    expect(s.state).toBe('review.substantive');
    expect(goalsOf(s)).toEqual([['thirdPartyDecision', 30, 'calendar', '2026-03-12']]);
    expect((await sweepAt('2026-03-12T20:00:00Z', s.id)).goalsMissed).toEqual([]);
    const { goalsMissed } = await sweepAt('2026-03-13T15:00:00Z', s.id);
    expect(goalsMissed.map((g) => [g.goal, g.event, g.dueDate])).toEqual([['thirdPartyDecision', 'GOAL_MISSED', '2026-03-12']]);
    clock = new Date('2026-03-16T15:00:00Z');
    const decided = await api.send(ctx.users.fda, s.id, 'DECIDE_SE', { data: { kNumber: 'K260310', decisionDate: '2026-03-16' } });
    expect(decided.submission.state).toBe('cleared');
  });

  it('domain.md §7.2, The Special 510(k) Program (2019): the 30-day intent beside the 90-FDA-day goal; converted to Traditional, only the 90 days remain', async () => {
    const s = await drive('Special 510(k)', { format: 'eSTAR', variant: 'special' }, [
      ['2026-01-05', m, 'SUBMIT'],
      ['2026-01-06', fda, 'FEE_VERIFIED'],
      ['2026-01-12', fda, 'SCREEN_PASS'],
    ]);
    expect(goalsOf(s)).toEqual([
      ['substantiveInteraction', 60, 'fda-days', '2026-03-06'],
      ['decision', 90, 'fda-days', '2026-04-05'],
      ['specialDecision', 30, 'fda-days', '2026-02-04'],
      ['missedDecisionCommunication', 100, 'fda-days', '2026-04-15'],
      ['totalTimeToDecision', 112, 'calendar', '2026-04-27'],
    ]);
    clock = new Date('2026-01-20T15:00:00Z');
    const converted = await api.send(ctx.users.fda, s.id, 'CONVERT_TO_TRADITIONAL', { data: { reason: 'New technology' } });
    expect(converted.submission.state).toBe('review.substantive');
    expect(goalsOf(converted.submission).map((g) => g[0])).toEqual([
      'substantiveInteraction',
      'decision',
      'missedDecisionCommunication',
      'totalTimeToDecision',
    ]);
    expect((await verifyDatabase(ctx.services.db.reader)).ok).toBe(true);
  });
});
