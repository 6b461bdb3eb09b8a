/**
 * Regulatory clocks derived from histories (issue 5): the worked example, every scenario row of
 * reference/domain.md §5.8, an RTA restart, and Mexican business days across holidays. FDA
 * histories are produced by the real machines (an impossible step fails the helper); COFEPRIS
 * histories name their states. Expected figures are counted by hand on the calendar.
 */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { computeClocks, daysBetween, type ClockEvent, type ClockFigures, type GoalView } from '../../src/engine/clocks.js';
import { statePath } from '../../src/engine/definitions.js';
import { MexicanCalendar, addCalendarDays } from '../../src/engine/time.js';
import { workflowVersion, type WorkflowDefinition } from '../../workflows/index.js';

const calendar = new MexicanCalendar();
/** Noon in New York and 11:00 in Mexico City: the same calendar date in both. */
const at = (date: string) => `${date}T17:00:00Z`;

function wf(id: string, version: number): WorkflowDefinition {
  const w = workflowVersion(id, version);
  if (!w) throw new Error(`${id}@${version} missing`);
  return w;
}

type Step = [type: string, date: string, data?: Record<string, unknown>];

/** Runs the real machine over the steps and returns the history the clocks read. */
function fdaHistory(w: WorkflowDefinition, input: Record<string, unknown>, created: string, steps: Step[]): ClockEvent[] {
  let snap = initialTransition(w.machine, input)[0] as AnyMachineSnapshot;
  const history: ClockEvent[] = [{ type: 'CREATED', to: statePath(snap.value), effectiveAt: at(created) }];
  for (const [type, date, data] of steps) {
    const event = { type, data: data ?? {}, effectiveDate: date };
    const before = statePath(snap.value);
    if (!snap.can(event)) throw new Error(`${type} is not allowed in ${before}`);
    snap = transition(w.machine, snap, event as never)[0] as AnyMachineSnapshot;
    history.push({ type, to: statePath(snap.value), effectiveAt: at(date) });
  }
  return history;
}

function clocks(w: WorkflowDefinition, input: Record<string, unknown>, history: ClockEvent[], today: string, cal = calendar): ClockFigures {
  return computeClocks(w, input, history, { now: new Date(at(today)), calendar: cal, dueSoonDays: 14 });
}

function goal(figures: ClockFigures, kind: string): GoalView {
  const g = figures.goals.find((x) => x.kind === kind);
  if (!g) throw new Error(`no goal ${kind} in ${figures.goals.map((x) => x.kind).join(', ')}`);
  return g;
}

const D0 = '2026-01-05';
const day = (n: number) => addCalendarDays(D0, n);
const k510 = wf('fda-510k', 2);
const estar = { format: 'eSTAR', variant: 'traditional' };
const ecopy = { format: 'eCopy', variant: 'traditional' };

describe('FDA clocks (fda-510k@2)', () => {
  it('worked example: received 2026-01-05, AI hold 2026-03-01 to 2026-05-30, SE 2026-06-20', () => {
    const h = fdaHistory(k510, estar, '2026-01-02', [
      ['SUBMIT', '2026-01-05'],
      ['FEE_VERIFIED', '2026-01-06'],
      ['SCREEN_PASS', '2026-01-15'],
      ['REQUEST_AI', '2026-03-01', { deficiencies: ['bench data'] }],
      ['AI_RESPONSE', '2026-05-30'],
      ['DECIDE_SE', '2026-06-20', { kNumber: 'K261234', decisionDate: '2026-06-20' }],
    ]);
    const c = clocks(k510, estar, h, '2026-11-28');
    expect(c).toMatchObject({ receivedOn: '2026-01-05', stoppedOn: '2026-06-20', calendarDays: 166, holdDays: 90, fdaDays: 76, mxBusinessDays: null });
    // The AI request on FDA day 55 is the Substantive Interaction (goal: day 60).
    expect(goal(c, 'substantiveInteraction')).toMatchObject({ status: 'met', elapsed: 55, remainingDays: 5, metOn: '2026-03-01', dueDate: '2026-03-06' });
    expect(goal(c, 'decision')).toMatchObject({ status: 'met', elapsed: 76, remainingDays: 14, metOn: '2026-06-20', length: 90 });
    expect(goal(c, 'missedDecisionCommunication')).toMatchObject({ status: 'met', missedEvent: 'MMD_DUE' });
    expect(c.nextDue).toBeNull();
  });

  it('happy path (eSTAR): screening pass day 10, SI day 60, SE at FDA day 85: TTD 85', () => {
    const h = fdaHistory(k510, estar, D0, [
      ['SUBMIT', day(0)],
      ['FEE_VERIFIED', day(1)],
      ['SCREEN_PASS', day(10)],
      ['SUBSTANTIVE_INTERACTION', day(60)],
      ['DECIDE_SE', day(85), { kNumber: 'K261235', decisionDate: day(85) }],
    ]);
    const c = clocks(k510, estar, h, '2026-11-28');
    expect(c).toMatchObject({ calendarDays: 85, holdDays: 0, fdaDays: 85 });
    expect(goal(c, 'substantiveInteraction')).toMatchObject({ status: 'met', elapsed: 60, remainingDays: 0 });
    expect(goal(c, 'decision')).toMatchObject({ status: 'met', elapsed: 85 });
  });

  it('one AI cycle: AI at FDA day 60, answered 90 days later, SE at FDA day 88: TTD 178', () => {
    const h = fdaHistory(k510, estar, D0, [
      ['SUBMIT', day(0)],
      ['FEE_VERIFIED', day(0)],
      ['SCREEN_PASS', day(12)],
      ['REQUEST_AI', day(60), { deficiencies: ['x'] }],
      ['AI_RESPONSE', day(150)],
      ['DECIDE_SE', day(178), { kNumber: 'K261236', decisionDate: day(178) }],
    ]);
    const c = clocks(k510, estar, h, '2026-11-28');
    expect(c).toMatchObject({ calendarDays: 178, holdDays: 90, fdaDays: 88 });
    expect(goal(c, 'decision').status).toBe('met');
  });

  it('AI timeout: AI at FDA day 60 and no answer: closed at calendar day 240, FDA day 60', () => {
    const h = fdaHistory(k510, estar, D0, [
      ['SUBMIT', day(0)],
      ['FEE_VERIFIED', day(0)],
      ['SCREEN_PASS', day(10)],
      ['REQUEST_AI', day(60), { deficiencies: ['x'] }],
      ['AI_TIMEOUT', day(240)],
    ]);
    expect(h.at(-1)!.to).toBe('closed.deleted');
    const c = clocks(k510, estar, h, '2026-11-28');
    expect(c).toMatchObject({ stoppedOn: day(240), calendarDays: 240, holdDays: 180, fdaDays: 60 });
  });

  it('while on AI hold the FDA days stand still and the open goals are paused', () => {
    const h = fdaHistory(k510, estar, D0, [
      ['SUBMIT', day(0)],
      ['FEE_VERIFIED', day(0)],
      ['SCREEN_PASS', day(10)],
      ['REQUEST_AI', day(40), { deficiencies: ['x'] }],
    ]);
    const a = clocks(k510, estar, h, day(50));
    const b = clocks(k510, estar, h, day(120));
    expect([a.fdaDays, b.fdaDays]).toEqual([40, 40]);
    expect([a.holdDays, b.holdDays]).toEqual([10, 80]);
    expect(goal(b, 'decision')).toMatchObject({ status: 'on_track', remainingDays: 50, paused: true, dueDate: day(170) });
    expect(goal(b, 'substantiveInteraction')).toMatchObject({ status: 'met', elapsed: 40 });
  });

  it('RTA then accept: RTA day 15, replacement day 40, accept day 55: FDA days restart at the replacement', () => {
    const h = fdaHistory(k510, ecopy, D0, [
      ['SUBMIT', day(0)],
      ['FEE_VERIFIED', day(0)],
      ['REFUSE_TO_ACCEPT', day(15), { reasons: ['no labeling'] }],
      ['RTA_RESPONSE', day(40), { summary: 'labeling added' }],
      ['ACCEPT', day(55)],
    ]);
    const c = clocks(k510, ecopy, h, day(70));
    // Calendar days run from the first receipt; FDA days from the replacement (day 40).
    expect(c).toMatchObject({ receivedOn: D0, calendarDays: 70, holdDays: 25, fdaDays: 30 });
    expect(goal(c, 'decision')).toMatchObject({ status: 'on_track', elapsed: 30, remainingDays: 60, dueDate: day(130) });
  });

  it('a failed eSTAR screening restarts the count at the replacement too', () => {
    const h = fdaHistory(k510, estar, D0, [
      ['SUBMIT', day(0)],
      ['FEE_VERIFIED', day(0)],
      ['SCREEN_FAIL', day(10), { deficiencies: ['x'] }],
      ['REPLACEMENT_SUBMITTED', day(30)],
      ['SCREEN_PASS', day(35)],
    ]);
    expect(clocks(k510, estar, h, day(50))).toMatchObject({ calendarDays: 50, holdDays: 20, fdaDays: 20 });
  });

  it('MMD: no decision by FDA day 100: the MMD goal is missed (MMD_DUE) and the decision goal too', () => {
    const h = fdaHistory(k510, estar, D0, [
      ['SUBMIT', day(0)],
      ['FEE_VERIFIED', day(0)],
      ['SCREEN_PASS', day(10)],
      ['SUBSTANTIVE_INTERACTION', day(55)],
    ]);
    const c = clocks(k510, estar, h, day(101));
    expect(c.fdaDays).toBe(101);
    expect(goal(c, 'missedDecisionCommunication')).toMatchObject({
      status: 'missed',
      dueDate: day(100),
      remainingDays: -1,
      metOn: null,
      missedEvent: 'MMD_DUE',
    });
    expect(goal(c, 'decision')).toMatchObject({ status: 'missed', dueDate: day(90), missedEvent: 'GOAL_MISSED' });
    // Day 95: the MMD goal is five days out (due soon), the decision goal already missed.
    const earlier = clocks(k510, estar, h, day(95));
    expect(goal(earlier, 'missedDecisionCommunication')).toMatchObject({ status: 'due_soon', remainingDays: 5, dueDate: day(100) });
    // A missed goal still owed (no decision yet) is the next date, overdue first (tracker issue 18 §1):
    // the decision goal of day 90, five FDA days ago, comes before the MMD goal of day 100.
    expect(earlier.nextDue).toEqual({ kind: 'decision', dueDate: day(90), source: 'goal', unit: 'fda-days', remainingDays: -5 });
  });

  it('the special 510(k) is held to 30 days; the traditional goal does not apply to it', () => {
    const special = { format: 'eSTAR', variant: 'special' };
    const h = fdaHistory(k510, special, D0, [
      ['SUBMIT', day(0)],
      ['FEE_VERIFIED', day(0)],
      ['SCREEN_PASS', day(5)],
    ]);
    const c = clocks(k510, special, h, day(20));
    expect(c.goals.filter((g) => g.kind === 'decision').map((g) => g.length)).toEqual([30]);
    expect(goal(c, 'decision')).toMatchObject({ status: 'due_soon', remainingDays: 10, dueDate: day(30) });
  });

  it('a user fee hold: FDA counts from the day the fee is paid', () => {
    const h = fdaHistory(k510, estar, D0, [
      ['SUBMIT', day(0)],
      ['FEE_UNPAID', day(2)],
      ['FEE_PAID', day(20)],
      ['FEE_VERIFIED', day(21)],
    ]);
    expect(clocks(k510, estar, h, day(30))).toMatchObject({ calendarDays: 30, holdDays: 18, fdaDays: 10 });
  });

  it('bookkeeping rows (documents, migrations, goal notes) change no count', () => {
    const h = fdaHistory(k510, estar, D0, [
      ['SUBMIT', day(0)],
      ['FEE_VERIFIED', day(0)],
      ['SCREEN_PASS', day(10)],
      ['REQUEST_AI', day(40), { deficiencies: ['x'] }],
    ]);
    const noisy: ClockEvent[] = [
      ...h.slice(0, 3),
      { type: 'DOCUMENT_ADDED', to: 'technicalScreening', effectiveAt: at(day(5)) },
      ...h.slice(3),
      { type: 'MIGRATED', to: 'aiHold', effectiveAt: at(day(45)) },
      { type: 'GOAL_MISSED', to: 'aiHold', effectiveAt: at(day(46)) },
    ];
    expect(clocks(k510, estar, noisy, day(60))).toEqual(clocks(k510, estar, h, day(60)));
  });

  it('before receipt nothing counts, and a version without a clock declares none', () => {
    const draft = fdaHistory(k510, estar, D0, []);
    expect(clocks(k510, estar, draft, day(10))).toMatchObject({ receivedOn: null, calendarDays: null, fdaDays: null, goals: [] });
    const v1 = wf('fda-510k', 1);
    const h = fdaHistory(v1, estar, D0, [['SUBMIT', day(0)]]);
    expect(clocks(v1, estar, h, day(10))).toMatchObject({ receivedOn: null, calendarDays: null, goals: [] });
  });

  it('dates are New York calendar dates: 03:00 UTC is still the previous day there', () => {
    const h: ClockEvent[] = [
      { type: 'CREATED', to: 'draft', effectiveAt: '2026-01-04T12:00:00Z' },
      { type: 'SUBMIT', to: 'received', effectiveAt: '2026-01-06T03:00:00Z' }, // 2026-01-05 22:00 in New York
    ];
    expect(clocks(k510, estar, h, '2026-01-15')).toMatchObject({ receivedOn: '2026-01-05', calendarDays: 10 });
  });
});

describe('FDA clocks of the other pathways (§5.8)', () => {
  it('De Novo: accept day 15, AI at FDA day 70, 120-day response, grant at FDA day 145: TTD 265', () => {
    const w = wf('fda-de-novo', 2);
    const input = { format: 'eCopy' };
    const h = fdaHistory(w, input, D0, [
      ['SUBMIT', day(0)],
      ['FEE_VERIFIED', day(0)],
      ['ACCEPT', day(15)],
      ['REQUEST_AI', day(70), { deficiencies: ['x'] }],
      ['AI_RESPONSE', day(190)],
      ['DECIDE_GRANT', day(265), { denNumber: 'DEN260001', decisionDate: day(265) }],
    ]);
    const c = clocks(w, input, h, '2026-11-28');
    expect(c).toMatchObject({ calendarDays: 265, holdDays: 120, fdaDays: 145 });
    expect(goal(c, 'decision')).toMatchObject({ status: 'met', elapsed: 145, length: 150 });
  });

  const pma = wf('fda-pma', 2);
  it('PMA without a panel: filed day 45, SI by MDL at FDA day 90, 150-day response, approvable, approval at FDA day 175: TTD 370', () => {
    const h = fdaHistory(pma, {}, D0, [
      ['SUBMIT', day(0)],
      ['FEE_VERIFIED', day(0)],
      ['ACCEPT', day(15)],
      ['FILE', day(45)],
      ['ISSUE_MDL', day(90), { deficiencies: ['x'] }],
      ['MAJOR_AMENDMENT', day(240), { summary: 'answers' }],
      ['ISSUE_APPROVABLE', day(280), { conditions: ['labeling'] }],
      ['APPROVABLE_RESPONSE', day(325), { summary: 'done' }],
      ['ISSUE_APPROVAL_ORDER', day(370), { pmaNumber: 'P260001', decisionDate: day(370) }],
    ]);
    const c = clocks(pma, {}, h, '2027-03-01');
    expect(c).toMatchObject({ calendarDays: 370, holdDays: 195, fdaDays: 175 });
    expect(goal(c, 'acceptanceReview')).toMatchObject({ status: 'met', elapsed: 15 });
    expect(goal(c, 'filingReview')).toMatchObject({ status: 'met', elapsed: 45 });
    expect(goal(c, 'substantiveInteraction')).toMatchObject({ status: 'met', elapsed: 90, remainingDays: 0 });
    // The approvable letter (FDA day 130) is the MDUFA decision.
    expect(goal(c, 'decision')).toMatchObject({ status: 'met', elapsed: 130, length: 180 });
    expect(c.goals.map((g) => g.kind)).not.toContain('decisionWithPanel');
  });

  it('PMA with a panel: panel at FDA day 200, approval at FDA day 300: within the 320-day goal', () => {
    const h = fdaHistory(pma, {}, D0, [
      ['SUBMIT', day(0)],
      ['FEE_VERIFIED', day(0)],
      ['ACCEPT', day(15)],
      ['FILE', day(45)],
      ['SUBSTANTIVE_INTERACTION', day(90)],
      ['REFER_TO_PANEL', day(200), { panel: 'Circulatory System Devices Panel' }],
      ['PANEL_RECOMMENDATION', day(230), { recommendation: 'approve' }],
      ['ISSUE_APPROVAL_ORDER', day(300), { pmaNumber: 'P260002', decisionDate: day(300) }],
    ]);
    const c = clocks(pma, {}, h, '2027-03-01');
    expect(c.fdaDays).toBe(300);
    expect(goal(c, 'decisionWithPanel')).toMatchObject({ status: 'met', elapsed: 300, remainingDays: 20 });
    expect(c.goals.map((g) => g.kind)).not.toContain('decision');
  });

  it('real-time supplement: decision at FDA day 55', () => {
    const input = { supplementType: 'real-time', pmaNumber: 'P200001' };
    const h = fdaHistory(pma, input, D0, [
      ['SUBMIT', day(0)],
      ['FEE_VERIFIED', day(0)],
      ['ISSUE_APPROVAL_ORDER', day(55), { pmaNumber: 'P200001/S001', decisionDate: day(55) }],
    ]);
    const c = clocks(pma, input, h, '2026-11-28');
    expect(c.fdaDays).toBe(55);
    expect(c.goals.map((g) => [g.kind, g.length, g.status])).toEqual([['decision', 90, 'met']]);
  });

  it('HDE: the HUD request runs its own calendar goal before the HDE clock starts', () => {
    const w = wf('fda-hde', 2);
    const input = {};
    const h = fdaHistory(w, input, D0, [['REQUEST_HUD', day(0), { estimatedAnnualPopulation: 3000, condition: 'a rare condition' }]]);
    const c = clocks(w, input, h, day(40));
    expect(c.receivedOn).toBeNull();
    expect(c.goals.map((g) => [g.kind, g.status, g.remainingDays])).toEqual([['hudDesignation', 'due_soon', 5]]);
  });
});

describe('COFEPRIS clocks (cofepris-registration@3): Mexican business days', () => {
  const w = wf('cofepris-registration', 3);
  const mx = (type: string, to: string, date: string): ClockEvent => ({ type, to, effectiveAt: at(date) });

  it('abbreviated 2025: submitted 2025-09-15, prevención at bd 20, answered in 5 bd, granted at bd 30 (Sep 16 is a holiday)', () => {
    const input = { route: 'abbreviated', mxClass: 'II' };
    const h = [
      mx('CREATED', 'preparing', '2025-09-01'),
      mx('SUBMIT', 'submitted', '2025-09-15'),
      mx('START_REVIEW', 'underReview', '2025-09-17'),
      mx('ISSUE_PREVENCION', 'prevencion', '2025-10-14'),
      mx('RESPOND_PREVENCION', 'underReview', '2025-10-21'),
      mx('GRANT', 'registered.current', '2025-11-04'),
    ];
    const c = clocks(w, input, h, '2026-11-28');
    expect(c).toMatchObject({ calendarDays: 50, holdDays: 7, mxBusinessDays: 30, fdaDays: null });
    expect(goal(c, 'resolution')).toMatchObject({ status: 'met', elapsed: 30, remainingDays: 0, dueDate: '2025-11-04' });
  });

  it('abbreviated, months late: the statutory 30 business days are missed on 2025-11-04', () => {
    const input = { route: 'abbreviated', mxClass: 'II' };
    const h = [
      mx('SUBMIT', 'submitted', '2025-09-15'),
      mx('ISSUE_PREVENCION', 'prevencion', '2025-10-14'),
      mx('RESPOND_PREVENCION', 'underReview', '2025-10-21'),
      mx('GRANT', 'registered.current', '2026-02-16'),
    ];
    // Nov 2025 after the 4th: 17 business days (Nov 17 is a holiday); Dec: 22; Jan 2026: 21; Feb 2-16: 10 (Feb 2 is a holiday).
    expect(goal(clocks(w, input, h, '2026-11-28'), 'resolution')).toMatchObject({
      status: 'missed',
      elapsed: 100,
      remainingDays: -70,
      dueDate: '2025-11-04',
      metOn: '2026-02-16',
    });
  });

  it('equivalence in practice (granted after four months) misses its 30-day goal; published non-working days move the due date', () => {
    const input = { route: 'equivalence', mxClass: 'II' };
    const h = [mx('SUBMIT', 'submitted', '2026-03-02'), mx('START_REVIEW', 'underReview', '2026-03-10'), mx('GRANT', 'registered.current', '2026-07-15')];
    // Mar 16 (third Monday) is a holiday: 30 business days after Mar 2 end on Apr 14.
    expect(goal(clocks(w, input, h, '2026-11-28'), 'resolution')).toMatchObject({ status: 'missed', dueDate: '2026-04-14' });
    // With Holy Thursday and Friday published as non-working days, they end on Apr 16.
    const holyWeek = new MexicanCalendar(['2026-04-02', '2026-04-03']);
    expect(goal(clocks(w, input, h, '2026-11-28', holyWeek), 'resolution')).toMatchObject({ status: 'missed', dueDate: '2026-04-16' });
  });

  it('standard route, class II, granted after about 17 months: the 60-business-day target is missed', () => {
    const input = { route: 'standard', mxClass: 'II' };
    const h = [mx('SUBMIT', 'submitted', '2025-01-15'), mx('GRANT', 'registered.current', '2026-06-30')];
    const c = clocks(w, input, h, '2026-11-28');
    expect(c.calendarDays).toBe(daysBetween('2025-01-15', '2026-06-30'));
    expect(c.goals.map((g) => [g.kind, g.length, g.status])).toEqual([['resolution', 60, 'missed']]);
  });

  it('a prevención across the Christmas and New Year holidays pauses the count', () => {
    const input = { route: 'standard', mxClass: 'I' };
    const held = [
      mx('SUBMIT', 'submitted', '2026-12-14'),
      mx('START_REVIEW', 'underReview', '2026-12-15'),
      mx('ISSUE_PREVENCION', 'prevencion', '2026-12-18'),
      mx('RESPOND_PREVENCION', 'underReview', '2027-01-06'),
      mx('GRANT', 'registered.current', '2027-01-15'),
    ];
    // Dec 15-18 (4), then Jan 7, 8, 11-15 (7) after the answer.
    expect(clocks(w, input, held, '2027-02-01')).toMatchObject({ calendarDays: 32, holdDays: 19, mxBusinessDays: 11 });
    // Without the prevención the same span holds 22 business days (Dec 25 and Jan 1 are holidays),
    // 20 when COFEPRIS publishes Dec 24 and Dec 31 as non-working days.
    const straight = [mx('SUBMIT', 'submitted', '2026-12-14'), mx('GRANT', 'registered.current', '2027-01-15')];
    expect(clocks(w, input, straight, '2027-02-01').mxBusinessDays).toBe(22);
    expect(clocks(w, input, straight, '2027-02-01', new MexicanCalendar(['2026-12-24', '2026-12-31'])).mxBusinessDays).toBe(20);
  });

  it('the third-party review goal counts from the referral to the third party', () => {
    const input = { route: 'third-party', mxClass: 'II' };
    const h = [mx('CREATED', 'preparing', '2026-03-02'), mx('SEND_TO_TPR', 'thirdPartyReview', '2026-03-02')];
    const c = clocks(w, input, h, '2026-04-01');
    expect(c.receivedOn).toBeNull();
    // Mar 3 to Apr 1 holds 21 business days (Mar 16 is a holiday).
    expect(c.goals.map((g) => [g.kind, g.elapsed, g.status])).toEqual([['thirdPartyReview', 21, 'due_soon']]);
  });
});

describe('clock declarations name real events', () => {
  it('every event a clock or goal names exists in its workflow, and every goal of a clocked version can start', async () => {
    const { WORKFLOWS } = await import('../../workflows/index.js');
    for (const w of WORKFLOWS.filter((x) => x.clock)) {
      const known = new Set(Object.keys(w.events));
      const named = [
        ...w.clock!.start,
        ...(w.clock!.restart ?? []),
        ...w.clock!.stop,
        ...w.goals.flatMap((g) => [...(g.metBy ?? []), ...(g.from ?? []), ...(g.requires ?? []), ...(g.excludedBy ?? [])]),
      ];
      expect(
        named.filter((e) => !known.has(e)),
        `${w.id}@${w.version}`,
      ).toEqual([]);
      for (const e of w.clock!.start) expect(w.events[e]!.roles, `${w.id} ${e}`).not.toContain('system');
    }
  });
});
