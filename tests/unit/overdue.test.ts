/**
 * Overdue work never looks like nothing pending (tracker issue 18 §1): a goal missed while its
 * review is open is the submission's next date (in the past, so it sorts first) and stays missed
 * while a hold pauses its clock; a deadline passed is the next date too; every next date names
 * its unit and the units left. Then the words the web shows for it, in both languages. Figures
 * are counted by hand on the calendar (Sep 16 and Nov 16, 2026 are Mexican holidays).
 */
import { describe, expect, it } from 'vitest';
import { computeClocks, type ClockEvent, type ClockFigures } from '../../src/engine/clocks.js';
import { dueDatesOf } from '../../src/engine/due-dates.js';
import { MexicanCalendar } from '../../src/engine/time.js';
import type { Countdown } from '../../src/web/countdown.js';
import { createTranslator } from '../../src/web/i18n.js';
import { countdownWords } from '../../src/web/pages/portfolio.js';
import { workflowVersion, type WorkflowDefinition } from '../../workflows/index.js';

const calendar = new MexicanCalendar();
const at = (date: string) => `${date}T17:00:00Z`;
const ev = (type: string, to: string, date: string): ClockEvent => ({ type, to, effectiveAt: at(date) });
const STAMP = { version: 'test', sha256: 'x' };

function wf(id: string, version: number): WorkflowDefinition {
  const w = workflowVersion(id, version);
  if (!w) throw new Error(`${id}@${version} missing`);
  return w;
}
const cofepris = wf('cofepris-registration', 5);
const k510 = wf('fda-510k', 2);
const abbreviated = { route: 'abbreviated', mxClass: 'II' };

function clocks(
  w: WorkflowDefinition,
  input: Record<string, unknown>,
  history: ClockEvent[],
  today: string,
  deadlines: ReadonlyArray<{ kind: string; dueDate: string; calendar?: unknown }> = [],
): ClockFigures {
  return computeClocks(w, input, history, { now: new Date(at(today)), calendar, dueSoonDays: 14, deadlines });
}

/** The demo registration (src/cli/demo.ts): filed 2026-07-13, under review since 2026-07-20. */
const demo = [ev('CREATED', 'preparing', '2026-07-01'), ev('SUBMIT', 'submitted', '2026-07-13'), ev('START_REVIEW', 'underReview', '2026-07-20')];
/** 30 business days after 2026-07-13. */
const DUE = '2026-08-24';

describe('a missed goal is the next date (cofepris-registration@5, abbreviated route)', () => {
  it('on 2026-12-07 the demo registration is 73 business days past its resolution goal, and that is its next date', () => {
    const c = clocks(cofepris, abbreviated, demo, '2026-12-07');
    // Aug 25-31: 5; Sep: 21; Oct: 22; Nov: 20; Dec 1-7: 5.
    expect(c.goals.find((g) => g.kind === 'resolution')).toMatchObject({ status: 'missed', dueDate: DUE, remainingDays: -73, paused: false, metOn: null });
    expect(c.nextDue).toEqual({ kind: 'resolution', dueDate: DUE, source: 'goal', unit: 'mx-business', remainingDays: -73 });
    // Stored for the portfolio: sorted by its (past) due date, overdue, and looked at by the sweeper until noted.
    expect(dueDatesOf(c)).toEqual({ nextKey: DUE, nextKind: 'resolution', goalDate: DUE, goalMissed: true });
    const noted = { ...c, goals: c.goals.map((g) => ({ ...g, recorded: true })) };
    expect(dueDatesOf(noted)).toEqual({ nextKey: DUE, nextKind: 'resolution', goalDate: null, goalMissed: true });
  });

  it('stays missed, not paused, while a prevención holds the clock; the count of days late stops with the clock', () => {
    const h = [...demo, ev('ISSUE_PREVENCION', 'prevencion', '2026-12-01')];
    const prevencion = { kind: 'prevencionResponse', dueDate: '2026-12-08', calendar: STAMP };
    const c = clocks(cofepris, abbreviated, h, '2026-12-07', [prevencion]);
    // Business days after Aug 24 up to Dec 1 (the hold pauses Dec 2 on): 5 + 21 + 22 + 20 + 1.
    expect(c.goals.find((g) => g.kind === 'resolution')).toMatchObject({ status: 'missed', paused: false, remainingDays: -69 });
    expect(c.nextDue).toEqual({ kind: 'resolution', dueDate: DUE, source: 'goal', unit: 'mx-business', remainingDays: -69 });
  });

  it('a goal not yet missed is paused by the prevención; the deadline is next, counted in business days', () => {
    const h = [ev('SUBMIT', 'submitted', '2026-07-13'), ev('START_REVIEW', 'underReview', '2026-07-20'), ev('ISSUE_PREVENCION', 'prevencion', '2026-07-27')];
    // Due Tuesday 2026-08-04: Jul 29-31 (3) and Aug 3-4 (2) are the five business days from Tuesday Jul 28; 7 calendar days.
    const c = clocks(cofepris, abbreviated, h, '2026-07-28', [{ kind: 'prevencionResponse', dueDate: '2026-08-04', calendar: STAMP }]);
    expect(c.goals.find((g) => g.kind === 'resolution')).toMatchObject({ status: 'on_track', paused: true });
    expect(c.nextDue).toEqual({ kind: 'prevencionResponse', dueDate: '2026-08-04', source: 'deadline', unit: 'mx-business', remainingDays: 5 });
  });

  it.each([
    // A business-day deadline passed (left to the regulator's decision): negative business days (Sep 16 is a holiday).
    ['business-day deadline, passed', { kind: 'prevencionResponse', dueDate: '2026-09-14', calendar: STAMP }, '2026-09-21', 'mx-business', -4],
    // A calendar deadline (an AI response window), in calendar days either side.
    ['calendar deadline, ahead', { kind: 'aiResponse', dueDate: '2026-09-30' }, '2026-09-18', 'calendar', 12],
    ['calendar deadline, passed', { kind: 'aiResponse', dueDate: '2026-09-30' }, '2026-10-03', 'calendar', -3],
  ] as const)('%s: counted in its own unit', (_, deadline, today, unit, remainingDays) => {
    const c = clocks(wf('fda-510k', 2), { format: 'eSTAR', variant: 'traditional' }, [], today, [deadline]);
    expect(c.nextDue).toEqual({ kind: deadline.kind, dueDate: deadline.dueDate, source: 'deadline', unit, remainingDays });
  });

  it('a goal met late is history, not pending: it is not the next date', () => {
    const c = clocks(cofepris, abbreviated, [...demo, ev('GRANT', 'registered.current', '2026-11-02')], '2026-12-07');
    expect(c.goals.find((g) => g.kind === 'resolution')).toMatchObject({ status: 'missed', metOn: '2026-11-02' });
    expect(c.nextDue).toBeNull();
    expect(dueDatesOf(c)).toMatchObject({ nextKey: '9999-12-31', goalMissed: false });
  });
});

describe('an FDA-day goal missed before an AI hold (fda-510k@2)', () => {
  it('stays missed while the hold pauses its FDA days, and is the next date before the AI response deadline', () => {
    // Received 2026-01-05; no decision by FDA day 90 (2026-04-05); AI hold from day 100.
    const steps: Array<[string, string, string]> = [
      ['SUBMIT', 'received', '2026-01-05'],
      ['FEE_VERIFIED', 'technicalScreening', '2026-01-06'],
      ['SCREEN_PASS', 'review.substantive', '2026-01-15'],
      ['SUBSTANTIVE_INTERACTION', 'review.interactive', '2026-02-20'],
      ['REQUEST_AI', 'aiHold', '2026-04-15'],
    ];
    const h = steps.map(([type, to, date]) => ev(type, to, date));
    const c = clocks(k510, { format: 'eSTAR', variant: 'traditional' }, h, '2026-05-01', [{ kind: 'aiResponse', dueDate: '2026-10-12' }]);
    expect(c.goals.find((g) => g.kind === 'decision')).toMatchObject({ status: 'missed', paused: false, remainingDays: -10, dueDate: '2026-04-05' });
    expect(c.nextDue).toEqual({ kind: 'decision', dueDate: '2026-04-05', source: 'goal', unit: 'fda-days', remainingDays: -10 });
  });
});

describe('the countdown in words names its unit, in English and Spanish', () => {
  const base = { kind: 'resolution', source: 'goal', dueDate: DUE, used: 30, total: 30, passed: false } as const;
  it.each([
    [
      { unit: 'mx-business', unitsLeft: -73, daysLeft: -105, state: 'overdue' },
      '73 business days overdue (105 calendar days)',
      'Vencido hace 73 días hábiles (105 días naturales)',
    ],
    [
      { unit: 'mx-business', unitsLeft: 5, daysLeft: 7, state: 'due_soon' },
      '5 business days left (7 calendar days)',
      'Quedan 5 días hábiles (7 días naturales)',
    ],
    [{ unit: 'fda-days', unitsLeft: 12, daysLeft: 12, state: 'due_soon' }, '12 FDA days left', 'Quedan 12 días FDA'],
    [{ unit: 'fda-days', unitsLeft: -10, daysLeft: -26, state: 'overdue' }, '10 FDA days overdue', 'Vencido hace 10 días FDA'],
    [{ unit: 'calendar', unitsLeft: 40, daysLeft: 40, state: 'on_track' }, '40 calendar days left', 'Quedan 40 días naturales'],
    [{ unit: 'calendar', unitsLeft: 0, daysLeft: 0, state: 'due_soon' }, 'Due today', 'Vence hoy'],
  ] as const)('%o', (c, en, es) => {
    const countdown: Countdown = { ...base, ...c };
    expect([countdownWords(createTranslator('en'), countdown), countdownWords(createTranslator('es'), countdown)]).toEqual([en, es]);
  });
});
